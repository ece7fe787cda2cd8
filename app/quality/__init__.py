"""Service quality the law measures: ratings, complaints, apologies, stalls and the Decision 766 index."""


def init_app(app) -> None:
    """Subscribes to the dossiers' events and adds `flask quality`."""
    from app.quality import cli, tracking

    tracking.subscribe_all()
    app.cli.add_command(cli.quality_cli)
