"""Small text helpers the tests use to check what the app produces."""
from collections.abc import Iterable

from app.dashboard.exports import csv_chunks


def render_csv(columns: tuple[str, ...], rows: Iterable[dict]) -> str:
    """The whole CSV text the streamed export sends, BOM first; None is an empty cell."""
    return "".join(csv_chunks(columns, rows))


def sms_segments(text: str) -> int:
    """How many SMS segments `text` takes (GSM-7 when it can, UCS-2 otherwise)."""
    gsm = all(ord(c) < 128 for c in text)
    single, multi = (160, 153) if gsm else (70, 67)
    return 1 if len(text) <= single else -(-len(text) // multi)
