"""Seeds a synthetic province: registry citizens, agencies, and what later domains add.

Every step is idempotent: seeding twice creates nothing new.
"""
import time
from dataclasses import dataclass, field

from sqlalchemy import select

from app.assistance.seed import seed_demo_team
from app.catalog.seed import seed_agencies, seed_procedures
from app.dossiers.seed import seed_demo_dossiers
from app.extensions import db
from app.identity.seed import seed_demo_accounts
from app.oidc.seed import seed_demo_clients
from app.registry.models import RegistryCitizen
from app.registry.synthetic import seed_registry


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
    demo_accounts = seed_demo_accounts(province_code)
    demo_dossiers = seed_demo_dossiers(province_code)
    demo_team = seed_demo_team()
    demo_clients = seed_demo_clients()
    db.session.commit()
    report.demo_lines = demo_citizen_lines() + demo_accounts + demo_team + demo_dossiers + demo_clients
    report.seconds = time.perf_counter() - started
    return report


def demo_citizen_lines(limit: int = 3) -> list[str]:
    """A few living adult citizens with a phone and biometrics, for trying the app."""
    rows = db.session.scalars(
        select(RegistryCitizen)
        .where(RegistryCitizen.is_alive.is_(True), RegistryCitizen.biometric_enrolled.is_(True),
               RegistryCitizen.ethnicity != "")
        .order_by(RegistryCitizen.personal_id)
        .limit(50)
    )
    lines = []
    for row in rows:
        if row.phone_numbers:
            lines.append(f"citizen {row.full_name}: personal_id={row.personal_id} "
                         f"date_of_birth={row.date_of_birth} phone={row.phone_numbers[0]}")
        if len(lines) == limit:
            break
    return lines
