"""docs/architecture.md shows the events table of the running application."""
import re
from pathlib import Path

from app.common import events

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def _rows(text: str) -> list[str]:
    return [row for row in text.splitlines() if row.startswith("|") and "`probe." not in row]


def test_the_events_table_in_the_docs_is_current(app):
    documented = re.search(r"<!-- events:begin -->\n(.*?)<!-- events:end -->", DOC.read_text(encoding="utf-8"),
                           re.S).group(1)
    assert _rows(documented) == _rows(events.table()), "paste app.common.events.table() into docs/architecture.md"
