"""Seeds a synthetic province: registry citizens, agencies, and what later domains add.

Every step is idempotent: seeding twice creates nothing new.
"""
import time
from dataclasses import dataclass, field

from sqlalchemy import text

from app.assistance.seed import seed_demo_team
from app.catalog.seed import seed_agencies, seed_procedures
from app.demo import facts
from app.demo.seed import seed_demo_extras
from app.demo.settings import settings as demo_settings
from app.dossiers.seed import seed_demo_dossiers
from app.extensions import db
from app.identity.seed import seed_demo_accounts
from app.quality.seed import seed_demo_quality
from app.oidc.seed import seed_demo_clients
from app.registry.synthetic import seed_registry
from app.reports import seed as reports_seed


@dataclass
class SeedReport:
    province_code: str
    citizens_inserted: int = 0
    agencies_inserted: int = 0
    seconds: float = 0.0
    demo_lines: list[str] = field(default_factory=list)


def seed_province(province_code: str, citizens: int, seed: int = 2025, progress=None) -> SeedReport:
    """Seeds the province in one transaction and reports what was created."""
    started = time.perf_counter()
    report = SeedReport(province_code)
    report.citizens_inserted = seed_registry(province_code, citizens, seed=seed, progress=progress)
    report.agencies_inserted = seed_agencies(province_code)
    seed_procedures()
    seed_demo_accounts(province_code)
    seed_demo_dossiers(province_code)
    seed_demo_team()
    seed_demo_quality()
    report.agencies_inserted += reports_seed.seed_departments(province_code)   # departments handling reports
    reports_seed.seed_categories()
    report_lines = reports_seed.seed_demo(province_code)
    report_lines += seed_demo_clients()
    if demo_settings().enabled:
        seed_demo_extras()
    db.session.commit()
    _refresh_statistics()
    if demo_settings().enabled:   # printed on every start, from what the database holds now
        report.demo_lines = facts.demo_lines(facts.demo_facts(demo_settings().public_url, province_code)) + report_lines
    report.seconds = time.perf_counter() - started
    return report



def _refresh_statistics() -> None:
    """PostgreSQL plans by table statistics: after a bulk load they describe empty tables until
    autovacuum catches up, and the first lists get plans a hundred times slower. ANALYZE now."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
