"""The figures, read from the rollups only (never a count over a domain's table).

Each figure function takes `Filters` and returns plain dicts: totals and the
rows of its table. The same rows feed the CSV exports (exports.py).
"""
import base64
import json
import math
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from functools import cache

from sqlalchemy import and_, func, or_, select

from app.catalog.public import agency_names, procedure_names
from app.common.clock import local_today
from app.common.errors import InvalidCursor
from app.common.workdays import working_days_between
from app.dashboard.counters import FILTER_DIMENSIONS, Filters, sums_of
from app.dashboard.models import OpenDossier, RegistryFigure
from app.dashboard.projections import (
    ASSISTANCE, DESK, DOSSIERS_CHANNEL, DOSSIERS_PROCESSING_DAYS, DOSSIERS_RESOLVED, DOSSIERS_STATUS,
    EID_ACTIVATED, EID_LEVEL2, EID_REGISTERED, LATE, ON_TIME, ONLINE, PAYMENTS_COLLECTED, PAYMENTS_COUNT,
    PAYMENTS_REFUNDED, PAYMENTS_REFUNDS,
)
from app.dashboard.registry_figures import CHECKS
from app.dashboard.retention import day_rows_from
from app.dossiers import states
from app.errors import N_
from app.extensions import db
from app.payments import public as payments
from app.payments.states import REFUND_STATES, REFUND_SUCCEEDED
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
    metrics = tuple(EID_METRICS.values())
    by_commune = sums_of(metrics, filters, ("commune_code",), ignore=_NO_AGENCY)
    per_commune = {name: by_commune[metric] for name, metric in EID_METRICS.items()}
    codes = set(adults) | {key[0] for counts in per_commune.values() for key in counts}
    rows = [_eid_row(code, adults.get(code, 0),
                     {name: counts.get((code,), 0) for name, counts in per_commune.items()})
            for code in sorted(codes)]
    overall = sums_of(metrics, filters, ignore=_NO_AGENCY)
    totals = _eid_row(None, sum(adults.values()),
                      {name: overall[metric].get((), 0) for name, metric in EID_METRICS.items()})
    return {"registry_refreshed_at": registry_refreshed_at(), "totals": totals, "communes": rows}


def _eid_row(code, adults: int, counts: dict[str, int]) -> dict:
    row = {"commune_code": code, "commune_name": commune_name(code) if code is not None else None,
           "adults": adults}
    for name in EID_METRICS:
        row[name] = counts[name]
        row[f"{name}_share"] = share(counts[name], adults)
    return row


# -- dossiers -------------------------------------------------------------------------
DOSSIER_STATUSES = tuple(s for s in states.STATES if s not in states.PRIVATE)


def dossier_figures(filters: Filters) -> dict:
    """Submitted dossiers by status and channel, decided on time or late, processing time."""
    found = sums_of((DOSSIERS_STATUS, DOSSIERS_CHANNEL, DOSSIERS_RESOLVED, DOSSIERS_PROCESSING_DAYS), filters,
                    ("status", "bucket"))
    by_status = _summed_over(found[DOSSIERS_STATUS], keep=0)
    statuses = [{"status": s, "count": by_status.get((s,), 0)} for s in DOSSIER_STATUSES]
    total_count = sum(row["count"] for row in statuses)
    by_channel = _summed_over(found[DOSSIERS_CHANNEL], keep=1)
    channels = [{"channel": c, "count": by_channel.get((c,), 0), "share": share(by_channel.get((c,), 0), total_count)}
                for c in (ONLINE, DESK)]
    resolved = _summed_over(found[DOSSIERS_RESOLVED], keep=0)
    on_time, late = resolved.get((ON_TIME,), 0), resolved.get((LATE,), 0)
    histogram = {int(bucket): count for (bucket,), count in
                 _summed_over(found[DOSSIERS_PROCESSING_DAYS], keep=1).items() if count}
    return {
        "total": total_count,
        "statuses": statuses,
        "channels": channels,
        "online_share": share(by_channel.get((ONLINE,), 0), total_count),
        "timeliness": {"resolved": on_time + late, "on_time": on_time, "late": late,
                       "on_time_share": share(on_time, on_time + late)},
        "processing_days": processing_time(histogram),
    }


def _summed_over(counts: dict[tuple, int], *, keep: int) -> dict[tuple, int]:
    """Counts grouped by several key columns, summed down to the one at index `keep`."""
    summed: dict[tuple, int] = defaultdict(int)
    for key, count in counts.items():
        summed[(key[keep],)] += count
    return summed


def processing_time(histogram: dict[int, int]) -> dict:
    """Average and 90th percentile (nearest rank) of whole working days, from a histogram."""
    count = sum(histogram.values())
    if not count:
        return {"count": 0, "average": None, "p90": None}
    average = round(sum(days * n for days, n in histogram.items()) / count, 2)
    rank, seen = math.ceil(0.9 * count), 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return {"count": count, "average": average, "p90": days}
    raise AssertionError("unreachable")


def _overdue_condition(filters: Filters, today: date) -> list:
    condition = [OpenDossier.due_date < today]
    for name in FILTER_DIMENSIONS:
        if getattr(filters, name):
            condition.append(getattr(OpenDossier, name) == getattr(filters, name))
    return condition


def _overdue_statement(condition):
    """Rows of the mirror's columns (no ORM objects: a page has up to 100, the export every one)."""
    return select(*OpenDossier.__table__.columns).where(*condition)


def _with_names(rows: list) -> list[tuple]:
    """Each row with its procedure's and agency's names, from the catalog (one query each)."""
    procedures = procedure_names({row.procedure_code for row in rows})
    agencies = agency_names({row.agency_id for row in rows})
    return [(row, procedures.get(row.procedure_code), agencies.get(row.agency_id)) for row in rows]


def overdue_dossiers(filters: Filters, *, cursor: str | None = None, limit: int = 20) -> dict:
    """Dossiers past their due date now, most overdue first (keyset pages)."""
    today = local_today()
    condition = _overdue_condition(filters, today)
    total_count = db.session.scalar(select(func.count()).select_from(OpenDossier).where(*condition))
    statement = _overdue_statement(condition)
    if cursor:
        due, dossier_id = _decode_overdue_cursor(cursor)
        statement = statement.where(or_(OpenDossier.due_date > due,
                                        and_(OpenDossier.due_date == due, OpenDossier.dossier_id > dossier_id)))
    rows = db.session.execute(statement.order_by(OpenDossier.due_date, OpenDossier.dossier_id)
                              .limit(limit + 1)).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode_overdue_cursor(last.due_date, last.dossier_id)
    days_late = _days_late_counter(today)
    items = [_overdue_item(row, procedure_name, agency_name, days_late)
             for row, procedure_name, agency_name in _with_names(rows)]
    return {"total": total_count, "items": items, "next_cursor": next_cursor}


def all_overdue_dossiers(filters: Filters, batch_size: int = 2000) -> Iterator[dict]:
    """Every overdue dossier, most overdue first, read in batches (the CSV export streams them)."""
    today = local_today()
    statement = (_overdue_statement(_overdue_condition(filters, today))
                 .order_by(OpenDossier.due_date, OpenDossier.dossier_id).execution_options(yield_per=batch_size))
    days_late = _days_late_counter(today)
    for rows in db.session.execute(statement).partitions():
        for row, procedure_name, agency_name in _with_names(rows):
            yield _overdue_item(row, procedure_name, agency_name, days_late)


def _days_late_counter(today: date):
    """Working days from a due date to today, memoised: many overdue dossiers share a due date."""
    return cache(lambda due: working_days_between(due, today))


def _overdue_item(row, procedure_name, agency_name, days_late) -> dict:
    return {"dossier_id": row.dossier_id, "receipt_code": row.receipt_code, "status": row.status,
            "procedure_code": row.procedure_code, "procedure_name": procedure_name,
            "agency_id": row.agency_id, "agency_name": agency_name, "commune_code": row.commune_code or None,
            "commune_name": commune_name(row.commune_code), "submitted_at": row.submitted_at,
            "due_date": row.due_date, "working_days_overdue": days_late(row.due_date)}


def _encode_overdue_cursor(due, dossier_id) -> str:
    raw = json.dumps([due.isoformat(), str(dossier_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_overdue_cursor(cursor: str):
    try:
        due, dossier_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return date.fromisoformat(due), uuid.UUID(dossier_id)
    except (ValueError, TypeError, json.JSONDecodeError) as error:
        raise InvalidCursor(errors={"cursor": [N_("The cursor is not valid.")]}) from error


# -- payments -------------------------------------------------------------------------
# Without `from`, the daily series shows this many days up to `to` (totals still cover all time)
DAILY_WINDOW_DAYS = 92


def daily_window(filters: Filters) -> Filters:
    """The days the daily series lists: the period, or the last DAILY_WINDOW_DAYS of it when open-ended.

    It starts no earlier than the day rows kept (retention.py): for an older
    period it starts after it ends, and lists nothing.
    """
    end = filters.end or local_today()
    start = filters.start or end - timedelta(days=DAILY_WINDOW_DAYS - 1)
    kept_from = day_rows_from()
    if kept_from is not None and start < kept_from:
        start = kept_from
    return replace(filters, start=start, end=end)


def payment_figures(filters: Filters) -> dict:
    """Fees collected per gateway and per day, refunds by status, payments stuck pending."""
    window = daily_window(filters)
    series = sums_of((PAYMENTS_COLLECTED, PAYMENTS_COUNT), window, ("day", "gateway"))
    collected, counted = series[PAYMENTS_COLLECTED], series[PAYMENTS_COUNT]
    daily = [{"day": day, "gateway": gateway, "payments": counted.get((day, gateway), 0), "collected": amount}
             for (day, gateway), amount in sorted(collected.items()) if amount or counted.get((day, gateway))]
    overall = sums_of((PAYMENTS_COLLECTED, PAYMENTS_COUNT, PAYMENTS_REFUNDED, PAYMENTS_REFUNDS), filters,
                      ("gateway", "status"))
    collected_by_gateway = _summed_over(overall[PAYMENTS_COLLECTED], keep=0)
    counted_by_gateway = _summed_over(overall[PAYMENTS_COUNT], keep=0)
    refunded, refund_counts = overall[PAYMENTS_REFUNDED], overall[PAYMENTS_REFUNDS]
    refunds_by_status, refunded_by_status = _summed_over(refund_counts, keep=1), _summed_over(refunded, keep=1)
    refunds = [{"status": status, "refunds": refunds_by_status.get((status,), 0),
                "amount": refunded_by_status.get((status,), 0)} for status in REFUND_STATES]
    gateways = sorted({g for (g,), n in counted_by_gateway.items() if n} | {g for g, _s in refund_counts})
    by_gateway = [{"gateway": gateway,
                   "payments": counted_by_gateway.get((gateway,), 0),
                   "collected": collected_by_gateway.get((gateway,), 0),
                   "refunds": refund_counts.get((gateway, REFUND_SUCCEEDED), 0),
                   "refunded": refunded.get((gateway, REFUND_SUCCEEDED), 0)}
                  for gateway in gateways]
    stuck = stuck_payments(filters)
    succeeded = refunds[REFUND_STATES.index(REFUND_SUCCEEDED)]
    return {
        "totals": {"payments": sum(row["payments"] for row in by_gateway),
                   "collected": sum(row["collected"] for row in by_gateway),
                   "refunds": succeeded["refunds"], "refunded": succeeded["amount"]},
        "gateways": by_gateway, "daily_from": window.start, "daily_to": window.end, "daily": daily,
        "refunds": refunds, "stuck_pending": stuck["total"], "stuck": stuck["items"],
    }


def stuck_payments(filters: Filters, limit: int | None = 20) -> dict:
    """Payments still open after their time to pay ran out, oldest first (the payments domain's query)."""
    count, rows = payments.stuck_payments(procedure_code=filters.procedure_code, commune_code=filters.commune_code,
                                          agency_id=filters.agency_id, limit=limit)
    items = [{"payment_id": p.payment_id, "gateway": p.gateway, "amount": p.amount, "status": p.status,
              "procedure_code": p.procedure_code, "dossier_receipt_code": p.dossier_receipt_code,
              "created_at": p.created_at, "expires_at": p.expires_at} for p in rows]
    return {"total": count, "items": items}


# -- help from community digital-tech teams ------------------------------------------------
ASSISTANCE_FIGURES = {metric.split(".", 1)[1]: metric for metric in ASSISTANCE.values()}


def assistance_figures(filters: Filters) -> dict:
    """Help given by community digital-tech teams, per commune (of the team)."""
    metrics = tuple(ASSISTANCE_FIGURES.values())
    by_commune = sums_of(metrics, filters, ("commune_code",), ignore=_NO_AGENCY)
    per_commune = {name: by_commune[metric] for name, metric in ASSISTANCE_FIGURES.items()}
    codes = sorted({key[0] for counts in per_commune.values() for key in counts})
    rows = [{"commune_code": code, "commune_name": commune_name(code),
             **{name: counts.get((code,), 0) for name, counts in per_commune.items()}} for code in codes]
    overall = sums_of(metrics, filters, ignore=_NO_AGENCY)
    totals = {"commune_code": None, "commune_name": None,
              **{name: overall[metric].get((), 0) for name, metric in ASSISTANCE_FIGURES.items()}}
    return {"totals": totals, "communes": rows}
