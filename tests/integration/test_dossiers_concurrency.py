"""Real concurrency on PostgreSQL: threads with their own connections and real commits.

Two officers acting on one dossier at once: one wins, the other gets 409, never a
double transition. Many submissions at one agency at once: distinct receipt numbers.
"""
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete, func, select

from app.catalog.models import Agency, Procedure
from app.common.auth import Principal
from app.dossiers import service
from app.dossiers.models import Dossier, ReceiptCounter, TimelineEntry
from app.errors import AppError
from app.extensions import db
from app.common import roles
from app.identity.models import Account
from app.notifications.models import OutboxMessage
from app.registry.models import RegistryCitizen
from tests.committed import real_sessions
from tests.factories import COMMUNE, AccountFactory, RegistryCitizenFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def committed(app, db_session):
    """Swaps the test's rolled-back session for real ones, and removes what was committed."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL")
    with real_sessions(expire_on_commit=False):
        created = {"accounts": [], "citizens": []}
        suffix = uuid.uuid4().hex[:8].upper()
        agency = Agency(code=f"T-{suffix}", name="Cơ quan thử", kind="commune_committee", province_code="80",
                        commune_code=COMMUNE)
        procedure = Procedure(code=f"T.{suffix}", name="Thủ tục thử", search_text="thu tuc thu",
                              agency_kind="commune_committee", fee=0, processing_days=3, service_level="full",
                              min_level=1, form_fields=[], required_documents=[], result_name="Kết quả")
        with app.app_context():
            db.session.add_all([agency, procedure])
            db.session.commit()
        setup = {"agency_id": agency.id, "agency_code": agency.code, "procedure_id": procedure.id, **created}
        try:
            yield setup
        finally:
            with app.app_context():
                _clean(setup)


def _clean(setup) -> None:
    dossier_ids = select(Dossier.id).where(Dossier.agency_id == setup["agency_id"])
    db.session.execute(delete(TimelineEntry).where(TimelineEntry.dossier_id.in_(dossier_ids)))
    db.session.execute(delete(Dossier).where(Dossier.agency_id == setup["agency_id"]))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.account_id.in_(setup["accounts"])))
    db.session.execute(delete(Account).where(Account.id.in_(setup["accounts"])))
    db.session.execute(delete(RegistryCitizen).where(RegistryCitizen.personal_id.in_(setup["citizens"])))
    db.session.execute(delete(ReceiptCounter).where(ReceiptCounter.prefix == setup["agency_code"]))
    db.session.execute(delete(Procedure).where(Procedure.id == setup["procedure_id"]))
    db.session.execute(delete(Agency).where(Agency.id == setup["agency_id"]))
    db.session.commit()


def _account(app, setup, **kwargs) -> Account:
    with app.app_context():
        citizen = RegistryCitizenFactory()   # staff accounts get a registry person too
        account = AccountFactory(citizen=citizen, **kwargs)
        db.session.commit()
        setup["accounts"].append(account.id)
        setup["citizens"].append(citizen.personal_id)
        return account


def _principal(account: Account) -> Principal:
    return Principal(account_id=account.id, role=account.role, level=2, methods=("pwd",), session_id=uuid.uuid4(),
                     agency_id=account.agency_id, commune_code=account.commune_code)


def _dossiers(app, setup, citizen: Account, count: int, status: str) -> list[uuid.UUID]:
    with app.app_context():
        dossiers = [Dossier(procedure_id=setup["procedure_id"], citizen_account_id=citizen.id,
                            applicant_name=citizen.full_name, agency_id=setup["agency_id"], commune_code=COMMUNE,
                            status=status, form_data={}, prefill={},
                            receipt_code=f"{setup['agency_code']}-X-{i}" if status != "draft" else None)
                    for i in range(count)]
        db.session.add_all(dossiers)
        db.session.commit()
        return [d.id for d in dossiers]


def _race(app, calls):
    """Runs the calls at the same moment, each in its own app context (own session, own connection)."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        with app.app_context():
            barrier.wait()
            try:
                call()
                return "ok"
            except AppError as error:
                return error.code
            finally:
                db.session.remove()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_officers_receiving_one_dossier_at_once_make_one_transition(app, committed):
    citizen = _account(app, committed)
    officers = [_account(app, committed, role=roles.OFFICER, agency_id=committed["agency_id"], commune_code=COMMUNE)
                for _ in range(2)]
    [dossier_id] = _dossiers(app, committed, citizen, 1, "submitted")
    outcomes = _race(app, [lambda o=o: service.apply_transition(_principal(o), dossier_id, "receive")
                           for o in officers])
    assert sorted(outcomes) == ["ok", "transition_not_allowed"]
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).status == "received"
        assert db.session.scalar(select(func.count()).select_from(TimelineEntry).where(
            TimelineEntry.dossier_id == dossier_id, TimelineEntry.action == "receive")) == 1
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.account_id == citizen.id, OutboxMessage.event == "dossier_received",
            OutboxMessage.channel == "in_app")) == 1
        db.session.remove()


def test_receiving_and_returning_at_once_leave_one_outcome(app, committed):
    citizen = _account(app, committed)
    officers = [_account(app, committed, role=roles.OFFICER, agency_id=committed["agency_id"], commune_code=COMMUNE)
                for _ in range(2)]
    [dossier_id] = _dossiers(app, committed, citizen, 1, "submitted")
    outcomes = _race(app, [
        lambda: service.apply_transition(_principal(officers[0]), dossier_id, "receive"),
        lambda: service.apply_transition(_principal(officers[1]), dossier_id, "return", reason_code="wrong_agency", reason="Sai thẩm quyền"),
    ])
    assert sorted(outcomes) == ["ok", "transition_not_allowed"]
    with app.app_context():
        status = db.session.get(Dossier, dossier_id).status
        actions = db.session.scalars(select(TimelineEntry.action).where(TimelineEntry.dossier_id == dossier_id)).all()
        assert (status, actions) in [("received", ["receive"]), ("returned", ["return"])]
        db.session.remove()


def test_a_citizen_withdrawing_while_the_officer_receives(app, committed):
    citizen = _account(app, committed)
    officer = _account(app, committed, role=roles.OFFICER, agency_id=committed["agency_id"], commune_code=COMMUNE)
    [dossier_id] = _dossiers(app, committed, citizen, 1, "submitted")
    outcomes = _race(app, [
        lambda: service.apply_transition(_principal(officer), dossier_id, "receive"),
        lambda: service.apply_transition(_principal(citizen), dossier_id, "withdraw"),
    ])
    assert sorted(outcomes) == ["ok", "transition_not_allowed"]


def test_simultaneous_submissions_get_distinct_consecutive_receipt_numbers(app, committed):
    citizen = _account(app, committed)
    drafts = _dossiers(app, committed, citizen, 8, "draft")
    principal = _principal(citizen)
    outcomes = _race(app, [lambda d=d: service.submit_dossier(principal, d) for d in drafts])
    assert outcomes == ["ok"] * 8
    with app.app_context():
        codes = db.session.scalars(select(Dossier.receipt_code).where(Dossier.id.in_(drafts))).all()
        numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
        assert numbers == list(range(1, 9))
        db.session.remove()
