"""Receipt codes and due dates.

A receipt code names the agency, the day and a sequence: `UBND-27727-261121-0042`
(People's Committee of commune 27727, 21 Nov 2026, 42nd dossier that day). It
is unique, short and easy to read over the phone. Sequences come from one
counter row per agency and day, bumped with one atomic INSERT ... ON CONFLICT
DO UPDATE ... RETURNING, so concurrent submissions never share a number.
"""
from datetime import date

from sqlalchemy.dialects import postgresql, sqlite

from app.common.workdays import add_working_days
from app.dossiers.models import ReceiptCounter
from app.extensions import db


def next_receipt_code(prefix: str, day: date) -> str:
    """The next receipt code for `prefix` (an agency code) on `day`."""
    return f"{prefix}-{day:%y%m%d}-{_next_number(prefix, day):04d}"


def _next_number(prefix: str, day: date) -> int:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ReceiptCounter.__table__
    statement = (
        insert(table).values(prefix=prefix, day=day, last=1)
        .on_conflict_do_update(index_elements=["prefix", "day"], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )
    return db.session.execute(statement).scalar_one()


def due_date(start: date, working_days: int) -> date:
    """The due date: `working_days` working days after `start` (weekends and holidays skipped)."""
    return add_working_days(start, working_days)
