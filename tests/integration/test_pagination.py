from datetime import timedelta

import pytest
from sqlalchemy import select

from app.catalog.models import Agency
from app.common.clock import utcnow
from app.common.pagination import paginate
from app.errors import ValidationFailed
from app.extensions import db


def _agencies(n):
    base = utcnow()
    rows = [Agency(code=f"PG-{i}", name="x", kind="probe", province_code="80",
                   created_at=base + timedelta(seconds=i)) for i in range(n)]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def test_pages_walk_newest_first_without_gaps_or_repeats():
    rows = _agencies(7)
    statement = select(Agency).where(Agency.kind == "probe")
    seen, cursor = [], None
    while True:
        page = paginate(db.session, statement, Agency, cursor=cursor, limit=3)
        seen += [a.code for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [r.code for r in reversed(rows)]


def test_inserts_between_pages_do_not_shift_the_next_page():
    _agencies(4)
    statement = select(Agency).where(Agency.kind == "probe")
    first = paginate(db.session, statement, Agency, cursor=None, limit=2)
    db.session.add(Agency(code="PG-new", name="x", kind="probe", province_code="80",
                          created_at=utcnow() + timedelta(hours=1)))
    db.session.flush()
    second = paginate(db.session, statement, Agency, cursor=first["next_cursor"], limit=2)
    assert [a.code for a in second["items"]] == ["PG-1", "PG-0"]


def test_a_forged_cursor_is_a_clear_422():
    with pytest.raises(ValidationFailed) as caught:
        paginate(db.session, select(Agency), Agency, cursor="!!not-a-cursor", limit=2)
    assert caught.value.code == "invalid_cursor"
