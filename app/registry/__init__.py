"""The national population registry, reached through an adapter (read-only)."""
from app.extensions import api
from app.registry import routes


def init_app(app) -> None:
    api.register_blueprint(routes.blp, url_prefix="/api/v1/registry")
