"""Operations-centre figures: rollups kept current with every change, the API and the /ioc page."""


def init_app(app) -> None:
    """The /ioc page, the `flask dashboard` commands and the live projections."""
    from app.dashboard import cli, page, projections

    app.register_blueprint(page.bp)
    app.cli.add_command(cli.dashboard_cli)
    projections.install()
