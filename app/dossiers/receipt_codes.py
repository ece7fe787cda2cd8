"""Receipt codes and due dates.

A receipt code names the agency, the day and a sequence: `UBND-27727-261121-0042`
(People's Committee of commune 27727, 21 Nov 2026, 42nd dossier that day). It
is unique, short and easy to read over the phone. Sequences come from one
counter row per agency and day, bumped with one atomic INSERT ... ON CONFLICT
DO UPDATE ... RETURNING, so concurrent submissions never share a number.
"""
import functools
from datetime import date, timedelta

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite

from app.common.workdays import add_working_days, working_days_between
from app.dossiers.models import ReceiptCounter
from app.extensions import db


def next_receipt_code(prefix: str, day: date) -> str:
    """The next receipt code for `prefix` (an agency code) on `day`."""
    return f"{prefix}-{day:%y%m%d}-{_next_number(prefix, day):04d}"


def _next_number(prefix: str, day: date) -> int:
    statement = _take_number(db.session.get_bind().dialect.name)
    # the counter needs nothing pending: no flush here, so a submitted dossier is written in one UPDATE
    with db.session.no_autoflush:
        return db.session.execute(statement, {"counter_prefix": prefix, "counter_day": day}).scalar_one()


@functools.cache
def _take_number(dialect: str):
    """Built once per dialect (building and cache-keying it cost more than its round trip)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ReceiptCounter.__table__
    return (insert(table).values(prefix=bindparam("counter_prefix"), day=bindparam("counter_day"), last=1)
            .on_conflict_do_update(index_elements=["prefix", "day"], set_={"last": table.c.last + 1})
            .returning(table.c.last))


def due_date(start: date, working_days: int) -> date:
    """The due date: `working_days` working days after `start` (weekends and holidays skipped)."""
    return add_working_days(start, working_days)


def paused_working_days(paused_on: date | None, resumed_on: date) -> int:
    """Working days the clock stood still: those strictly between the request and the answer.

    The day the supplement was asked for and the day it came back both still
    count as processing days (the officer works on the dossier on both).
    """
    if paused_on is None:
        return 0
    return working_days_between(paused_on, resumed_on - timedelta(days=1))
