"""Two officers acting on one report at once on PostgreSQL: one wins, the other gets 409, one timeline entry."""
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete, func, select

from app.catalog.models import Agency
from app.common.auth import Principal
from app.common.clock import local_today
from app.errors import AppError
from app.extensions import db
from app.common import roles
from app.identity.models import Account
from app.notifications.models import OutboxMessage
from app.registry.models import RegistryCitizen
from app.reports import service
from app.reports.models import Report, ReportCategory, ReportFollower, ReportTimelineEntry
from tests.committed import real_sessions
from tests.factories import COMMUNE, AccountFactory, RegistryCitizenFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def committed(app, db_session):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL")
    with real_sessions(expire_on_commit=False):
        suffix = uuid.uuid4().hex[:8].upper()
        with app.app_context():
            agency = Agency(code=f"R-{suffix}", name="Cơ quan thử", kind="commune_committee", province_code="80",
                            commune_code=COMMUNE)
            category = ReportCategory(code=f"t_{suffix.lower()}", name="Thử", name_en="Test", deadline_days=3,
                                      handled_at="commune", agency_kinds={}, public=True, photo_rule="optional",
                                      attributes=[], description="", group="")
            db.session.add_all([agency, category])
            db.session.commit()
            setup = {"agency_id": agency.id, "category_id": category.id, "accounts": [], "citizens": []}
        try:
            yield setup
        finally:
            with app.app_context():
                ids = select(Report.id).where(Report.category_id == setup["category_id"])
                for model in (ReportTimelineEntry, ReportFollower):
                    db.session.execute(delete(model).where(model.report_id.in_(ids)))
                db.session.execute(delete(Report).where(Report.category_id == setup["category_id"]))
                db.session.execute(delete(OutboxMessage).where(OutboxMessage.account_id.in_(setup["accounts"])))
                db.session.execute(delete(Account).where(Account.id.in_(setup["accounts"])))
                db.session.execute(delete(RegistryCitizen).where(RegistryCitizen.personal_id.in_(setup["citizens"])))
                db.session.execute(delete(ReportCategory).where(ReportCategory.id == setup["category_id"]))
                db.session.execute(delete(Agency).where(Agency.id == setup["agency_id"]))
                db.session.commit()


def _account(app, setup, **kwargs) -> Account:
    with app.app_context():
        citizen = RegistryCitizenFactory()
        account = AccountFactory(citizen=citizen, **kwargs)
        db.session.commit()
        setup["accounts"].append(account.id)
        setup["citizens"].append(citizen.personal_id)
        return account


def _principal(account: Account) -> Principal:
    return Principal(account_id=account.id, role=account.role, level=2, methods=("pwd",), session_id=uuid.uuid4(),
                     agency_id=account.agency_id, commune_code=account.commune_code)


def _report(app, setup, citizen, status) -> uuid.UUID:
    with app.app_context():
        report = Report(category_id=setup["category_id"], reporter_account_id=citizen.id, description="Thử",
                        latitude=11.0, longitude=106.2, commune_code=COMMUNE, status=status,
                        agency_id=setup["agency_id"], filed_on=local_today(), due_date=local_today())
        db.session.add(report)
        db.session.flush()
        db.session.add(ReportFollower(report_id=report.id, account_id=citizen.id))
        db.session.commit()
        return report.id


def _race(app, calls):
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


def _count(model, **where):
    statement = select(func.count()).select_from(model)
    for name, value in where.items():
        statement = statement.where(getattr(model, name) == value)
    return db.session.scalar(statement)


def test_two_officers_acknowledging_at_once_make_one_transition(app, committed):
    citizen = _account(app, committed)
    officers = [_account(app, committed, role=roles.OFFICER, agency_id=committed["agency_id"], commune_code=COMMUNE)
                for _ in range(2)]
    report_id = _report(app, committed, citizen, "assigned")
    outcomes = _race(app, [lambda o=o: service.act(_principal(o), report_id, "acknowledge") for o in officers])
    assert sorted(outcomes) == ["ok", "transition_not_allowed"]
    with app.app_context():
        assert db.session.get(Report, report_id).status == "in_progress"
        assert _count(ReportTimelineEntry, report_id=report_id, action="acknowledge") == 1
        assert _count(OutboxMessage, account_id=citizen.id, event="report_in_progress", channel="in_app") == 1
        db.session.remove()


def test_resolving_and_transferring_at_once_leave_one_outcome(app, committed):
    citizen = _account(app, committed)
    officers = [_account(app, committed, role=roles.OFFICER, agency_id=committed["agency_id"], commune_code=COMMUNE)
                for _ in range(2)]
    report_id = _report(app, committed, citizen, "in_progress")
    outcomes = _race(app, [
        lambda: service.resolve(_principal(officers[0]), report_id, "Đã sửa xong.", []),
        lambda: service.act(_principal(officers[1]), report_id, "transfer", reason="Không thuộc thẩm quyền",
                            agency_id=committed["agency_id"]),
    ])
    assert sorted(outcomes) in (["ok", "transition_not_allowed"], ["ok", "out_of_scope"])
    with app.app_context():
        assert _count(ReportTimelineEntry, report_id=report_id) == 1
        db.session.remove()
