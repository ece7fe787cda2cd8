"""`flask dashboard refresh|rebuild` and the worker's hourly job."""
from sqlalchemy import func, select

from app.dashboard.counters import Filters
from app.dashboard.models import Counter, RegistryFigure
from app.dashboard.registry_figures import refresh_registry_figures
from app.dashboard.service import eid_figures, registry_quality
from app.extensions import db
from tests.dashboard_fixtures import build_population, expected_quality


def test_refresh_command_counts_the_registry(app):
    build_population()
    result = app.test_cli_runner().invoke(args=["dashboard", "refresh"])
    assert result.exit_code == 0, result.output
    assert "15 records checked" in result.output
    figures = registry_quality(Filters())
    assert figures["totals"]["with_issues"] == sum(c["with_issues"] for c in expected_quality().values())


def test_rebuild_command_recounts_from_the_tables(app):
    build_population()
    refresh_registry_figures()
    db.session.commit()   # live counters are written when the transaction commits
    before = eid_figures(Filters())
    db.session.execute(Counter.__table__.delete())
    result = app.test_cli_runner().invoke(args=["dashboard", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "accounts:" in result.output and "dossiers:" in result.output
    assert eid_figures(Filters()) == before


def test_the_worker_refreshes_the_registry_every_hour(app):
    from app.common.jobs import periodic_jobs

    import app.dashboard.scheduled  # noqa: F401  (the worker imports every domain's scheduled module)

    job = next(job for job in periodic_jobs() if job.name == "dashboard.refresh_registry_figures")
    assert job.every.total_seconds() == 3600
    build_population()
    assert db.session.scalar(select(func.count()).select_from(RegistryFigure)) == 0
    job.fn()
    assert db.session.scalar(select(func.count()).select_from(RegistryFigure)) > 0
