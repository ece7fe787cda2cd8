"""Operations-centre figures: rollups kept current with every change, the API and the /ioc page."""
from app.dashboard import cli, page, projections, routes
from app.extensions import api


def init_app(app) -> None:
    """The figures' API, the /ioc page, the `flask dashboard` commands and the live projections."""
    api.register_blueprint(routes.blp, url_prefix="/api/v1/dashboard")
    app.register_blueprint(page.bp)
    app.cli.add_command(cli.dashboard_cli)
    projections.install()
