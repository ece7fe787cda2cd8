"""Registry data quality and adult population per commune, refreshed periodically.

The population registry is read-only outside data, so its figures are a
snapshot: `refresh_registry_figures()` reads every record once (streamed),
checks it, and replaces `dashboard_registry_figures` in one transaction. The
worker runs it every hour; `flask dashboard refresh` runs it by hand.

Per commune (the record's `current_commune_code`) it stores:
  records, living, adults           living citizens aged 14 or more today
  with_issues, missing, inconsistent records with at least one problem of that kind
  missing.<field>                   a required field is empty
  inconsistent.personal_id.<reason> the personal id disagrees with itself, the date of
                                    birth or the gender (`validate_personal_id`)
  inconsistent.birth_province       birth registration province is not the id's first digits
  inconsistent.death                alive with a date of death, or dead without one
"""
from collections import Counter as Tally
from collections import defaultdict
from datetime import date

from sqlalchemy import delete, insert

from app.common.clock import local_today, utcnow
from app.common.personal_id import REASONS, InvalidPersonalId, validate_personal_id
from app.dashboard.models import RegistryFigure
from app.extensions import db
from app.registry.public import stream_records

ADULT_AGE = 14
REQUIRED_FIELDS = (
    "full_name", "gender", "hometown", "ethnicity", "religion", "nationality",
    "permanent_address", "permanent_commune_code", "current_address", "current_commune_code",
    "household_no", "relation_to_head", "marital_status", "birth_registration_province",
)
_REASON_NAMES = {message: name for name, message in REASONS.items()}
_COLUMNS = ("personal_id", "date_of_birth", "gender", "is_alive", "date_of_death", *REQUIRED_FIELDS)
CHECKS = (
    *(f"missing.{name}" for name in REQUIRED_FIELDS),
    *(f"inconsistent.personal_id.{name}" for name in REASONS),
    "inconsistent.birth_province", "inconsistent.death",
)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def record_problems(row) -> list[str]:
    """The checks one registry record fails (names from CHECKS)."""
    problems = [f"missing.{name}" for name in REQUIRED_FIELDS
                if getattr(row, name) is None or not str(getattr(row, name)).strip()]
    gender = row.gender if row.gender in ("male", "female") else None
    try:
        validate_personal_id(row.personal_id, date_of_birth=row.date_of_birth, gender=gender)
    except InvalidPersonalId as error:
        problems.append(f"inconsistent.personal_id.{_REASON_NAMES.get(error.reason, 'format')}")
    if row.birth_registration_province and row.birth_registration_province != row.personal_id[:3]:
        problems.append("inconsistent.birth_province")
    if row.is_alive == (row.date_of_death is not None):
        problems.append("inconsistent.death")
    return problems


def compute_registry_figures(rows, today: date) -> dict[str, Tally]:
    """Counts per commune code for an iterable of registry rows (no database access)."""
    figures: dict[str, Tally] = defaultdict(Tally)
    for row in rows:
        counts = figures[row.current_commune_code or ""]
        counts["records"] += 1
        if row.is_alive:
            counts["living"] += 1
            if row.date_of_birth and age_on(row.date_of_birth, today) >= ADULT_AGE:
                counts["adults"] += 1
        problems = record_problems(row)
        counts.update(problems)
        kinds = {name.split(".", 1)[0] for name in problems}
        counts["with_issues"] += bool(problems)
        counts["missing"] += "missing" in kinds
        counts["inconsistent"] += "inconsistent" in kinds
    return figures


def refresh_registry_figures(batch_size: int = 10_000) -> int:
    """Recomputes the registry snapshot and replaces the stored one; returns records read.

    The caller commits (the CLI and the worker job do).
    """
    figures = compute_registry_figures(stream_records(_COLUMNS, batch_size), local_today())
    now = utcnow()
    db.session.execute(delete(RegistryFigure))
    values = [{"commune_code": commune, "name": name, "value": value, "refreshed_at": now}
              for commune, counts in sorted(figures.items()) for name, value in sorted(counts.items())
              if value]
    for start in range(0, len(values), 1000):
        db.session.execute(insert(RegistryFigure), values[start:start + 1000])
    return sum(counts["records"] for counts in figures.values())
