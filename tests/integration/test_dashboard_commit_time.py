"""Live counters are written once, when the transaction commits, in key order.

A flush only gathers the differences; a savepoint that rolls back drops its
own; on PostgreSQL an open transaction holds no lock on a shared counter row
until it commits, so two transactions touching the same counters in
different orders cannot deadlock.
"""
from datetime import date

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import OperationalError

from app.dashboard.counters import Filters, Key, apply_deltas, total
from app.dashboard.models import ALL, DAY, Counter
from app.dashboard.projections import EID_REGISTERED, local_day
from app.extensions import db
from app.identity.models import Account
from app.registry.models import RegistryCitizen
from tests.committed import real_sessions
from tests.dashboard_fixtures import HUNG_DIEN, account_on, citizen
from tests.factories import AccountFactory, RegistryCitizenFactory

DAY_ONE = date(2026, 3, 2)


def registered() -> int:
    return total(EID_REGISTERED, Filters())


def test_a_flush_writes_no_counter_and_the_commit_writes_them():
    account_on(DAY_ONE, citizen(HUNG_DIEN))
    db.session.flush()
    assert db.session.scalars(select(Counter)).all() == []
    db.session.commit()
    assert registered() == 1
    assert total(EID_REGISTERED, Filters(commune_code=HUNG_DIEN, start=DAY_ONE, end=DAY_ONE)) == 1


def test_differences_of_several_flushes_are_written_once_summed():
    account = account_on(DAY_ONE, citizen(HUNG_DIEN), status="pending_phone", activated_at=None)
    db.session.flush()
    account.status = "active"
    db.session.flush()
    account.status = "disabled"
    db.session.flush()
    db.session.commit()
    assert registered() == 1
    assert total("eid.activated", Filters()) == 0


def test_a_released_savepoint_counts_and_a_rolled_back_one_does_not():
    with db.session.begin_nested():
        account_on(DAY_ONE, citizen(HUNG_DIEN))
    savepoint = db.session.begin_nested()
    account_on(DAY_ONE, citizen(HUNG_DIEN))
    db.session.flush()
    savepoint.rollback()
    db.session.commit()
    assert registered() == 1


def test_a_savepoint_failing_inside_keeps_what_came_before():
    account_on(DAY_ONE, citizen(HUNG_DIEN))
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            account_on(DAY_ONE, citizen(HUNG_DIEN))
            db.session.flush()
            raise RuntimeError("refused")
    db.session.commit()
    assert registered() == 1


def test_a_rolled_back_transaction_leaves_nothing_for_the_next_one():
    account_on(DAY_ONE, citizen(HUNG_DIEN))
    db.session.flush()
    db.session.rollback()
    account_on(DAY_ONE, citizen(HUNG_DIEN))
    db.session.commit()
    assert registered() == 1


# -- PostgreSQL: real transactions on their own connections ----------------------------------
@pytest.fixture
def real_session(app, db_session):
    """A session that really commits (the test's own is rolled back), cleaned up afterwards."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL")
    made = {"accounts": [], "citizens": []}
    with real_sessions():
        try:
            yield made
        finally:
            db.session.rollback()
            for account in db.session.scalars(select(Account).where(Account.id.in_(made["accounts"]))):
                db.session.delete(account)   # through the ORM: the counters go back down
            db.session.commit()
            db.session.execute(delete(RegistryCitizen).where(RegistryCitizen.personal_id.in_(made["citizens"])))
            db.session.execute(delete(Counter).where(Counter.metric.like("eid.%"), Counter.value == 0))
            db.session.commit()


@pytest.mark.postgres
def test_an_open_transaction_holds_no_counter_row(app, real_session):
    person = RegistryCitizenFactory()
    db.session.commit()
    real_session["citizens"].append(person.personal_id)
    account = AccountFactory(citizen=person)
    db.session.flush()                       # counted, not yet written: no row is locked
    real_session["accounts"].append(account.id)
    province_wide = Key(EID_REGISTERED, local_day(account.created_at))
    before = _province_wide_value(local_day(account.created_at))
    with db.engine.connect() as other:       # another request adds to the same province-wide rows
        other.exec_driver_sql("SET lock_timeout = '2s'")
        try:
            apply_deltas({province_wide: 1}, connection=other)
            apply_deltas({province_wide: -1}, connection=other)
            other.commit()
        except OperationalError as error:    # pragma: no cover - the failure this test guards against
            pytest.fail(f"a flushed, uncommitted change locked a counter row: {error}")
    db.session.commit()
    assert _province_wide_value(local_day(account.created_at)) == before + 1


def _province_wide_value(day) -> int:
    value = db.session.scalar(select(Counter.value).where(
        Counter.metric == EID_REGISTERED, Counter.grain == DAY, Counter.commune_code == ALL,
        Counter.agency_id == ALL, Counter.procedure_code == ALL, Counter.day == day))
    return value or 0


def test_a_commit_inside_an_open_savepoint_counts_it():
    savepoint = db.session.begin_nested()
    account_on(DAY_ONE, citizen(HUNG_DIEN))
    db.session.flush()
    db.session.commit()        # SQLAlchemy releases the savepoint, then commits the transaction
    assert not savepoint.is_active
    assert registered() == 1
