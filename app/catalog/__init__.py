"""Agencies and the catalog of administrative procedures."""
from app.catalog import routes
from app.extensions import api


def init_app(app) -> None:
    api.register_blueprint(routes.blp, url_prefix="/api/v1/catalog")
