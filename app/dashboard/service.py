"""The figures, read from the rollups only (never a count over a domain's table).

Each figure function takes `Filters` and returns plain dicts: totals and the
rows of its table. The same rows feed the CSV exports (exports.py).
"""
from collections import defaultdict

from sqlalchemy import func, select

from app.dashboard.counters import Filters, sums, total
from app.dashboard.models import RegistryFigure
from app.dashboard.projections import EID_ACTIVATED, EID_LEVEL2, EID_REGISTERED
from app.dashboard.registry_figures import CHECKS
from app.extensions import db
from app.registry import divisions

EID_METRICS = {"registered": EID_REGISTERED, "activated": EID_ACTIVATED, "level2": EID_LEVEL2}
_NO_AGENCY = ("agency_id", "procedure_code")


def share(part: int, whole: int) -> float | None:
    """part / whole rounded to 4 decimals (None when there is no whole)."""
    return round(part / whole, 4) if whole else None


def commune_name(code: str) -> str | None:
    division = divisions.commune(code) if code else None
    return division.name if division else None


# -- registry snapshot --------------------------------------------------------------
def registry_values(commune_code: str | None = None) -> dict[str, dict[str, int]]:
    """{commune code: {figure name: value}} from the latest registry snapshot."""
    statement = select(RegistryFigure.commune_code, RegistryFigure.name, RegistryFigure.value)
    if commune_code:
        statement = statement.where(RegistryFigure.commune_code == commune_code)
    values: dict[str, dict[str, int]] = defaultdict(dict)
    for commune, name, value in db.session.execute(statement):
        values[commune][name] = value
    return values


def registry_refreshed_at():
    return db.session.scalar(select(func.max(RegistryFigure.refreshed_at)))


def registry_quality(filters: Filters) -> dict:
    """Records with missing or inconsistent fields, as counts and shares, per commune."""
    values = registry_values(filters.commune_code)
    rows = [_quality_row(code, figures) for code, figures in sorted(values.items())]
    totals: dict[str, int] = defaultdict(int)
    for figures in values.values():
        for name, value in figures.items():
            totals[name] += value
    summary = _quality_row(None, totals)
    checks = [{"check": name, "count": totals.get(name, 0), "share": share(totals.get(name, 0), totals["records"])}
              for name in CHECKS]
    return {"refreshed_at": registry_refreshed_at(), "totals": summary, "checks": checks, "communes": rows}


def _quality_row(code, figures) -> dict:
    records = figures.get("records", 0)
    row = {"commune_code": code, "commune_name": commune_name(code) if code is not None else None,
           "records": records}
    for name in ("with_issues", "missing", "inconsistent"):
        row[name] = figures.get(name, 0)
        row[f"{name}_share"] = share(row[name], records)
    row["clean_share"] = share(records - row["with_issues"], records)
    return row


# -- e-ID ---------------------------------------------------------------------------
def eid_figures(filters: Filters) -> dict:
    """e-ID accounts registered, activated and at level 2, as shares of the adults, per commune."""
    adults = {code: figures.get("adults", 0) for code, figures in registry_values(filters.commune_code).items()}
    per_commune = {name: sums(metric, filters, ("commune_code",), ignore=_NO_AGENCY)
                   for name, metric in EID_METRICS.items()}
    codes = set(adults) | {key[0] for counts in per_commune.values() for key in counts}
    rows = [_eid_row(code, adults.get(code, 0),
                     {name: counts.get((code,), 0) for name, counts in per_commune.items()})
            for code in sorted(codes)]
    totals = _eid_row(None, sum(adults.values()),
                      {name: total(metric, filters, ignore=_NO_AGENCY) for name, metric in EID_METRICS.items()})
    return {"registry_refreshed_at": registry_refreshed_at(), "totals": totals, "communes": rows}


def _eid_row(code, adults: int, counts: dict[str, int]) -> dict:
    row = {"commune_code": code, "commune_name": commune_name(code) if code is not None else None,
           "adults": adults}
    for name in EID_METRICS:
        row[name] = counts[name]
        row[f"{name}_share"] = share(counts[name], adults)
    return row
