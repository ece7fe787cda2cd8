"""Every figure table as CSV: UTF-8 with a byte order mark, so spreadsheets show Vietnamese."""
import csv
import io
from collections.abc import Callable, Iterable, Iterator

from flask import Response, stream_with_context

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


# table name -> (columns, rows for the filters)
TABLES: dict[str, tuple[tuple[str, ...], Callable[[Filters], Iterable[dict]]]] = {
    "dossiers-status": (("status", "count"), _rows(service.dossier_figures, "statuses")),
    "dossiers-channels": (("channel", "count", "share"), _rows(service.dossier_figures, "channels")),
    "dossiers-timeliness": (
        ("resolved", "on_time", "late", "on_time_share", "average_working_days", "p90_working_days"),
        _timeliness),
    "dossiers-overdue": (
        ("receipt_code", "status", "procedure_code", "procedure_name", "agency_name", "commune_code",
         "commune_name", "submitted_at", "due_date", "working_days_overdue", "dossier_id"),
        service.all_overdue_dossiers),
    "payments-daily": (("day", "gateway", "payments", "collected"), _rows(service.payment_figures, "daily")),
    "payments-gateways": (("gateway", "payments", "collected", "refunds", "refunded"),
                          _rows(service.payment_figures, "gateways")),
    "payments-refunds": (("status", "refunds", "amount"), _rows(service.payment_figures, "refunds")),
    "payments-stuck": (
        ("dossier_receipt_code", "procedure_code", "gateway", "amount", "status", "created_at", "expires_at",
         "payment_id"),
        lambda filters: service.stuck_payments(filters, limit=None)["items"]),
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


def csv_chunks(columns: tuple[str, ...], rows: Iterable[dict], rows_per_chunk: int = 1000) -> Iterator[str]:
    """The CSV text in pieces of `rows_per_chunk` rows, BOM and header first (for streaming)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(row.get(column)) for column in columns])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def csv_response(table: str, filters: Filters) -> Response:
    """The named table as a CSV attachment, streamed (the caller checked that `table` exists).

    Long tables (every overdue dossier of the province) are read in batches
    and sent as they are written, so memory stays flat however many rows.
    """
    columns, rows = TABLES[table]
    filename = f"{table}-{local_today().isoformat()}.csv"
    chunks = (chunk.encode("utf-8") for chunk in csv_chunks(columns, rows(filters)))
    return Response(stream_with_context(chunks), mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
    })
