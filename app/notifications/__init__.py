"""Notifications: a transactional outbox, templates, channels and delivery workers."""
from app.extensions import api
from app.notifications import dev_routes, routes


def init_app(app) -> None:
    api.register_blueprint(routes.blp, url_prefix="/api/v1/notifications")
    if app.config["DEV_ENDPOINTS"]:  # development only: every message the mock channels sent
        api.register_blueprint(dev_routes.blp, url_prefix="/api/v1/dev")
