"""Service quality the law measures: ratings, complaints, apologies, stalls and the Decision 766 index."""
from app.extensions import api
from app.quality import cli, routes, settings, tracking


def init_app(app) -> None:
    """The quality endpoints, the subscriptions to the dossiers' events and `flask quality`.

    The settings are built here, so that a wrong QUALITY_* value stops the start, not a request.
    """
    app.extensions["quality_settings"] = settings.build(app.config)
    api.register_blueprint(routes.blp, url_prefix="/api/v1/quality")
    tracking.subscribe_all()
    app.cli.add_command(cli.quality_cli)
