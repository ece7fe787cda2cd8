"""The dossier service below the HTTP layer: the fee contract with payments, events in the
transaction, delegation recorded on the timeline, version checks."""
import uuid

import pytest
from sqlalchemy import select

from app.common import events
from app.common.auth import Principal
from app.dossiers import service
from app.dossiers.models import Dossier, TimelineEntry
from app.errors import Conflict, NotFound
from app.extensions import db
from app.common import roles
from app.notifications.models import OutboxMessage
from tests.dossiers_fixtures import (
    AccountFactory, Api, BIRTH, Desk, JUDICIAL_RECORD, bearer, birth_dossier, citizen_account, staff,
)
from tests.dossiers_fixtures import catalog, published, storage  # noqa: F401


def principal_of(account, level=2, **overrides) -> Principal:
    values = dict(account_id=account.id, role=account.role, level=level, methods=("pwd", "otp"),
                  session_id=uuid.uuid4(), agency_id=account.agency_id, commune_code=account.commune_code)
    values.update(overrides)
    return Principal(**values)


@pytest.fixture
def judicial(client, catalog):
    """A submitted judicial-record dossier with its 200,000 VND fee unpaid."""
    api = Api(client)
    account = citizen_account()
    headers = bearer(account)
    dossier_id = api.start(headers, catalog[JUDICIAL_RECORD]).get_json()["id"]
    api.fill(headers, dossier_id, {"certificate_type": "1", "copies": 1, "purpose": "Xin việc"})
    return api, account, uuid.UUID(dossier_id)


def test_a_draft_is_not_payable_yet(judicial):
    _, account, dossier_id = judicial
    with pytest.raises(Conflict) as refused:
        service.payable_dossier(principal_of(account), dossier_id)
    assert refused.value.code == "dossier_not_payable"


def test_the_owner_pays_a_submitted_dossier(judicial):
    api, account, dossier_id = judicial
    api.submit(bearer(account), dossier_id)
    payable = service.payable_dossier(principal_of(account), dossier_id)
    dossier = db.session.get(Dossier, dossier_id)
    assert payable == service.PayableDossier(
        dossier_id=dossier_id, citizen_account_id=account.id, receipt_code=dossier.receipt_code,
        procedure_code=JUDICIAL_RECORD, procedure_name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        amount=200_000, fee_status="unpaid", agency_id=dossier.agency_id, commune_code=dossier.commune_code)
    for someone in (citizen_account(), staff(agency_code="STP-80")):
        with pytest.raises(NotFound):
            service.payable_dossier(principal_of(someone), dossier_id)
    with pytest.raises(NotFound):
        service.payable_dossier(principal_of(account), uuid.uuid4())


def test_a_helper_acting_for_the_resident_pays_and_is_recorded(judicial):
    api, account, dossier_id = judicial
    helper = AccountFactory(role=roles.ASSISTANT)
    delegated = principal_of(account, actor_id=helper.id, scopes=frozenset({"dossiers"}))
    service.submit_dossier(delegated, dossier_id)
    entry = db.session.scalars(select(TimelineEntry).where(TimelineEntry.dossier_id == dossier_id,
                                                           TimelineEntry.action == "submit")).one()
    assert entry.account_id == account.id and entry.actor_id == helper.id and entry.actor_role == "citizen"
    assert service.payable_dossier(delegated, dossier_id).citizen_account_id == account.id


def test_fee_paid_is_recorded_once_and_refused_for_another_payment(judicial):
    api, account, dossier_id = judicial
    api.submit(bearer(account), dossier_id)
    payment = uuid.uuid4()
    service.record_fee_paid(dossier_id, payment)
    service.record_fee_paid(dossier_id, payment)        # the gateway's retry: nothing more happens
    entries = db.session.scalars(select(TimelineEntry).where(TimelineEntry.dossier_id == dossier_id,
                                                             TimelineEntry.action == "fee_paid")).all()
    assert len(entries) == 1
    dossier = db.session.get(Dossier, dossier_id)
    assert (dossier.fee_status, dossier.fee_payment_id) == ("paid", payment)
    with pytest.raises(Conflict) as refused:
        service.record_fee_paid(dossier_id, uuid.uuid4())
    assert refused.value.code == "fee_already_paid"
    with pytest.raises(Conflict) as paid:
        service.payable_dossier(principal_of(account), dossier_id)
    assert paid.value.code == "fee_already_paid"


def test_a_fee_arriving_for_a_closed_dossier_is_refused_so_payments_refunds_it(judicial):
    api, account, dossier_id = judicial
    headers = bearer(account)
    api.submit(headers, dossier_id)
    api.act(headers, dossier_id, "withdraw")
    with pytest.raises(Conflict) as refused:
        service.record_fee_paid(dossier_id, uuid.uuid4())
    assert refused.value.code == "dossier_closed"
    assert db.session.get(Dossier, dossier_id).fee_status == "unpaid"


def test_refunds_are_recorded_once(judicial):
    api, account, dossier_id = judicial
    api.submit(bearer(account), dossier_id)
    payment = uuid.uuid4()
    with pytest.raises(Conflict) as unpaid:
        service.record_fee_refunded(dossier_id, payment)
    assert unpaid.value.code == "fee_not_paid"
    service.record_fee_paid(dossier_id, payment)
    service.record_fee_refunded(dossier_id, payment)
    service.record_fee_refunded(dossier_id, payment)
    assert db.session.get(Dossier, dossier_id).fee_status == "refunded"
    assert [e.action for e in db.session.scalars(select(TimelineEntry).where(
        TimelineEntry.dossier_id == dossier_id).order_by(TimelineEntry.created_at))][-2:] == ["fee_paid", "fee_refunded"]


def test_a_free_dossier_has_no_fee_due(client, catalog):
    api = Api(client)
    account = citizen_account()
    dossier_id = uuid.UUID(birth_dossier(api, bearer(account), catalog[BIRTH]))
    with pytest.raises(Conflict) as refused:
        service.payable_dossier(principal_of(account), dossier_id)
    assert refused.value.code == "no_fee_due"


def test_a_paid_dossier_rejected_or_withdrawn_tells_payments(judicial, published):
    api, account, dossier_id = judicial
    headers = bearer(account)
    api.submit(headers, dossier_id)
    service.record_fee_paid(dossier_id, uuid.uuid4())
    db.session.commit()
    api.act(headers, dossier_id, "withdraw")
    event, payload = published[-1]
    assert event == "dossier.withdrawn"
    assert payload["dossier_id"] == dossier_id and payload["fee_status"] == "paid" and payload["fee_amount"] == 200_000


def test_a_failing_listener_rolls_the_whole_transition_back(client, catalog):
    """Listeners run in the transition's transaction: all or nothing."""
    api, desk = Api(client), Desk()
    account = citizen_account()
    dossier_id = birth_dossier(api, bearer(account), catalog[BIRTH])

    def broken(**payload):
        raise RuntimeError("listener failed")

    events.subscribe("dossier.received", broken)
    try:
        response = api.act(desk.reception_h, dossier_id, "receive")
    finally:
        events._handlers["dossier.received"].remove(broken)
    assert response.status_code == 500
    db.session.expire_all()
    assert db.session.get(Dossier, uuid.UUID(dossier_id)).status == "submitted"
    assert not db.session.scalars(select(TimelineEntry).where(TimelineEntry.action == "receive")).all()
    assert not db.session.scalars(select(OutboxMessage).where(OutboxMessage.event == "dossier_received")).all()


def test_a_concurrent_change_is_caught_by_the_version_check(client, catalog):
    """Two officers read version n; the first to write wins, the second gets 409 stale_version."""
    api, desk = Api(client), Desk()
    dossier_id = birth_dossier(api, bearer(citizen_account()), catalog[BIRTH])
    version = api.get(desk.reception_h, dossier_id).get_json()["version"]
    first = api.act(desk.reception_h, dossier_id, "receive", version=version)
    second = api.act(desk.processor_h, dossier_id, "return", reason_code="wrong_agency", reason="Sai", version=version)
    assert first.status_code == 200
    assert second.status_code == 409 and second.get_json()["code"] == "stale_version"
    assert db.session.get(Dossier, uuid.UUID(dossier_id)).status == "received"


def test_the_version_grows_with_every_change(client, catalog):
    api = Api(client)
    headers = bearer(citizen_account())
    dossier_id = api.start(headers, catalog[BIRTH]).get_json()["id"]
    versions = [api.fill(headers, dossier_id, {"child_full_name": name}).get_json()["version"]
                for name in ("A", "B", "C")]
    assert versions == [2, 3, 4]
