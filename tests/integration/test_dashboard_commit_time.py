"""Live counters are written once, when the transaction commits, in key order.

Publishing an event only gathers the differences (`app.common.at_commit`);
a savepoint that rolls back drops its own; on PostgreSQL an open transaction
holds no lock on a shared counter row until it commits, so two transactions
touching the same counters in different orders cannot deadlock.
"""
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import OperationalError

from app.common import events
from app.common.roles import CITIZEN
from app.dashboard.counters import Filters, Key, apply_deltas, total
from app.dashboard.models import ALL, DAY, Counter
from app.dashboard.projections import EID_REGISTERED, local_day
from app.extensions import db
from app.identity import account_events
from app.identity.events import ACCOUNT_DISABLED, ACCOUNT_REGISTERED, AccountChanged
from app.identity.models import Account
from app.registry.models import RegistryCitizen
from tests.committed import real_sessions
from tests.dashboard_fixtures import HUNG_DIEN
from tests.factories import AccountFactory, RegistryCitizenFactory

DAY_ONE = date(2026, 3, 2)


def register(status="active") -> uuid.UUID:
    """Publishes a citizen account's registration on DAY_ONE, as identity does."""
    account_id = uuid.uuid4()
    events.publish(ACCOUNT_REGISTERED, AccountChanged(
        account_id=account_id, role=CITIZEN, level=1, status=status, commune_code=HUNG_DIEN,
        created_at=datetime(2026, 3, 2, 3, tzinfo=UTC), activated_at=None))
    return account_id


def registered() -> int:
    return total(EID_REGISTERED, Filters())


def test_publishing_writes_no_counter_and_the_commit_writes_them():
    register()
    db.session.flush()
    assert db.session.scalars(select(Counter)).all() == []
    db.session.commit()
    assert registered() == 1
    assert total(EID_REGISTERED, Filters(commune_code=HUNG_DIEN, start=DAY_ONE, end=DAY_ONE)) == 1


def test_differences_of_several_events_are_written_once_summed():
    account_id = register()
    db.session.flush()
    events.publish(ACCOUNT_DISABLED, AccountChanged(
        account_id=account_id, role=CITIZEN, level=1, status="disabled", previous_status="active",
        previous_level=1, commune_code=HUNG_DIEN, created_at=datetime(2026, 3, 2, 3, tzinfo=UTC)))
    db.session.commit()
    assert registered() == 1
    assert total("eid.activated", Filters()) == 0


def test_a_released_savepoint_counts_and_a_rolled_back_one_does_not():
    with db.session.begin_nested():
        register()
    savepoint = db.session.begin_nested()
    register()
    db.session.flush()
    savepoint.rollback()
    db.session.commit()
    assert registered() == 1


def test_a_savepoint_failing_inside_keeps_what_came_before():
    register()
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            register()
            db.session.flush()
            raise RuntimeError("refused")
    db.session.commit()
    assert registered() == 1


def test_a_rolled_back_transaction_leaves_nothing_for_the_next_one():
    register()
    db.session.flush()
    db.session.rollback()
    register()
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
            db.session.execute(delete(Account).where(Account.id.in_(made["accounts"])))
            db.session.commit()
            db.session.execute(delete(RegistryCitizen).where(RegistryCitizen.personal_id.in_(made["citizens"])))
            db.session.execute(delete(Counter).where(Counter.metric.like("eid.%")))
            db.session.commit()


@pytest.mark.postgres
def test_an_open_transaction_holds_no_counter_row(app, real_session):
    person = RegistryCitizenFactory()
    db.session.commit()
    real_session["citizens"].append(person.personal_id)
    account = AccountFactory(citizen=person)
    db.session.flush()
    account_events.registered(account)      # counted, not yet written: no row is locked
    real_session["accounts"].append(account.id)
    province_wide = Key(EID_REGISTERED, local_day(account.created_at))
    before = _province_wide_value(local_day(account.created_at))
    with db.engine.connect() as other:       # another request adds to the same province-wide rows
        other.exec_driver_sql("SET LOCAL lock_timeout = '2s'")   # this transaction only: the connection goes back to the pool
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
    register()
    db.session.flush()
    db.session.commit()        # SQLAlchemy releases the savepoint, then commits the transaction
    assert not savepoint.is_active
    assert registered() == 1
