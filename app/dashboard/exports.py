"""Every figure table as CSV: UTF-8 with a byte order mark, so spreadsheets show Vietnamese."""
import csv
import io
from collections.abc import Callable

from flask import Response

from app.common.clock import local_today
from app.dashboard import service
from app.dashboard.counters import Filters

BOM = "\ufeff"


def _rows(figure: Callable[[Filters], dict], key: str) -> Callable[[Filters], list[dict]]:
    return lambda filters: figure(filters)[key]


def _timeliness(filters: Filters) -> list[dict]:
    figures = service.dossier_figures(filters)
    processing = figures["processing_days"]
    return [{**figures["timeliness"], "average_working_days": processing["average"],
             "p90_working_days": processing["p90"]}]


def _overdue(filters: Filters) -> list[dict]:
    rows, cursor = [], None
    while len(rows) < MAX_ROWS:
        page = service.overdue_dossiers(filters, cursor=cursor, limit=100)
        rows.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    return rows


MAX_ROWS = 50_000
# table name -> (columns, rows for the filters)
TABLES: dict[str, tuple[tuple[str, ...], Callable[[Filters], list[dict]]]] = {
    "dossiers-status": (("status", "count"), _rows(service.dossier_figures, "statuses")),
    "dossiers-channels": (("channel", "count", "share"), _rows(service.dossier_figures, "channels")),
    "dossiers-timeliness": (
        ("resolved", "on_time", "late", "on_time_share", "average_working_days", "p90_working_days"),
        _timeliness),
    "dossiers-overdue": (
        ("receipt_code", "status", "procedure_code", "procedure_name", "agency_name", "commune_code",
         "commune_name", "submitted_at", "due_date", "working_days_overdue", "dossier_id"),
        _overdue),
    "payments-daily": (("day", "gateway", "payments", "collected"), _rows(service.payment_figures, "daily")),
    "payments-gateways": (("gateway", "payments", "collected", "refunds", "refunded"),
                          _rows(service.payment_figures, "gateways")),
    "payments-refunds": (("status", "refunds", "amount"), _rows(service.payment_figures, "refunds")),
    "payments-stuck": (
        ("dossier_receipt_code", "procedure_code", "gateway", "amount", "status", "created_at", "expires_at",
         "payment_id"),
        lambda filters: service.stuck_payments(filters, limit=MAX_ROWS)["items"]),
    "assistance-communes": (
        ("commune_code", "commune_name", "residents_helped", "accounts_registered", "accounts_activated",
         "dossiers_submitted", "payments_completed"),
        _rows(service.assistance_figures, "communes")),
    "eid-communes": (
        ("commune_code", "commune_name", "adults", "registered", "registered_share",
         "activated", "activated_share", "level2", "level2_share"),
        _rows(service.eid_figures, "communes")),
    "registry-quality-communes": (
        ("commune_code", "commune_name", "records", "with_issues", "with_issues_share", "missing",
         "missing_share", "inconsistent", "inconsistent_share", "clean_share"),
        _rows(service.registry_quality, "communes")),
    "registry-quality-checks": (
        ("check", "count", "share"),
        _rows(service.registry_quality, "checks")),
}


def render_csv(columns: tuple[str, ...], rows: list[dict]) -> str:
    """The CSV text, BOM first; None is an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return BOM + buffer.getvalue()


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def csv_response(table: str, filters: Filters) -> Response:
    """The named table as a CSV attachment (the caller checked that `table` exists)."""
    columns, rows = TABLES[table]
    filename = f"{table}-{local_today().isoformat()}.csv"
    return Response(render_csv(columns, rows(filters)).encode("utf-8"),
                    mimetype="text/csv", headers={
                        "Content-Type": "text/csv; charset=utf-8",
                        "Content-Disposition": f'attachment; filename="{filename}"',
                    })
