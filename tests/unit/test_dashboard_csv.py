"""CSV of the figure tables: BOM, header, empty cells, ISO dates, and the same text however it is chunked."""
from datetime import date

from app.dashboard.exports import BOM, csv_chunks
from tests.text_helpers import render_csv

COLUMNS = ("receipt_code", "commune_name", "due_date", "working_days_overdue")
ROWS = [{"receipt_code": f"UBND-27727-261120-{n:04d}", "commune_name": "Xã Hưng Điền" if n % 2 else None,
         "due_date": date(2026, 11, n + 1), "working_days_overdue": 30 - n} for n in range(5)]


def test_the_text_starts_with_a_bom_and_the_header():
    text = render_csv(COLUMNS, ROWS)
    lines = text.split("\r\n")
    assert lines[0] == BOM + ",".join(COLUMNS)
    assert lines[1] == "UBND-27727-261120-0000,,2026-11-01,30"
    assert lines[2] == "UBND-27727-261120-0001,Xã Hưng Điền,2026-11-02,29"
    assert len(lines) == 1 + len(ROWS) + 1 and lines[-1] == ""


def test_chunks_hold_a_fixed_number_of_rows_and_join_to_the_whole_text():
    chunks = list(csv_chunks(COLUMNS, iter(ROWS), rows_per_chunk=2))
    assert "".join(chunks) == render_csv(COLUMNS, ROWS)
    assert [chunk.count("\r\n") for chunk in chunks] == [3, 2, 1]   # header + 2 rows, 2 rows, the last row
    assert chunks[0].startswith(BOM) and not chunks[1].startswith(BOM)


def test_a_table_without_rows_is_its_header():
    assert list(csv_chunks(COLUMNS, iter([]))) == [BOM + ",".join(COLUMNS) + "\r\n"]
