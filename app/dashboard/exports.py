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


# table name -> (columns, rows for the filters)
TABLES: dict[str, tuple[tuple[str, ...], Callable[[Filters], list[dict]]]] = {
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
        writer.writerow(["" if row.get(column) is None else row.get(column) for column in columns])
    return BOM + buffer.getvalue()


def csv_response(table: str, filters: Filters) -> Response:
    """The named table as a CSV attachment (the caller checked that `table` exists)."""
    columns, rows = TABLES[table]
    filename = f"{table}-{local_today().isoformat()}.csv"
    return Response(render_csv(columns, rows(filters)).encode("utf-8"),
                    mimetype="text/csv", headers={
                        "Content-Type": "text/csv; charset=utf-8",
                        "Content-Disposition": f'attachment; filename="{filename}"',
                    })
