"""The counters' arithmetic: an event payload in, counter differences out (no database)."""
import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime

from app.common.roles import CITIZEN, OFFICER
from app.dashboard.counters import Key
from app.dashboard.projections import (
    DOSSIERS_CHANNEL, DOSSIERS_PROCESSING_DAYS, DOSSIERS_RESOLVED, DOSSIERS_STATUS, EID_ACTIVATED, EID_LEVEL2,
    EID_REGISTERED, PAYMENTS_COLLECTED, PAYMENTS_COUNT, PAYMENTS_REFUNDED, PAYMENTS_REFUNDS, account_contributions,
    account_states, difference, dossier_contributions, dossier_states, is_open, moved_states, payment_contributions,
    refund_contributions,
)
from app.dossiers.events import DossierTransitioned
from app.identity.events import AccountChanged
from app.payments.events import PaymentMoved, RefundMoved

AGENCY = uuid.uuid4()
MON, WED, FRI = (datetime(2026, 3, day, 3, tzinfo=UTC) for day in (2, 4, 6))   # 10:00 in Vietnam


def transition(from_status, to_status, **fields) -> dict:
    values = dict(dossier_id=uuid.uuid4(), action="x", from_status=from_status, to_status=to_status, at=MON,
                  actor_id=None, citizen_account_id=uuid.uuid4(), agency_id=AGENCY, commune_code="27727",
                  procedure_code="1.004873", receipt_code="R-1", channel="online", assignee_id=None,
                  submitted_at=MON, received_at=None, completed_at=None, due_date=date(2026, 3, 5), paused_days=0,
                  supplement_count=0, fee_amount=0, fee_status="not_required", paid_online=False)
    return asdict(DossierTransitioned(**{**values, **fields}))


def dossier_delta(payload) -> dict:
    return {k: v for k, v in difference(dossier_contributions, *dossier_states(payload)).items() if v}


SCOPE = {"commune_code": "27727", "agency_id": str(AGENCY), "procedure_code": "1.004873"}


def test_a_submission_counts_its_status_and_channel():
    delta = dossier_delta(transition("draft", "submitted"))
    assert delta == {Key(DOSSIERS_STATUS, date(2026, 3, 2), status="submitted", **SCOPE): 1,
                     Key(DOSSIERS_CHANNEL, date(2026, 3, 2), bucket="online", **SCOPE): 1}


def test_a_transition_moves_the_count_from_the_old_status_to_the_new_one():
    delta = dossier_delta(transition("submitted", "received", received_at=MON))
    assert delta == {Key(DOSSIERS_STATUS, date(2026, 3, 2), status="submitted", **SCOPE): -1,
                     Key(DOSSIERS_STATUS, date(2026, 3, 2), status="received", **SCOPE): 1}


def test_a_decision_counts_timeliness_and_processing_days():
    delta = dossier_delta(transition("pending_approval", "rejected", received_at=MON, completed_at=FRI,
                                     due_date=date(2026, 3, 5)))
    assert delta[Key(DOSSIERS_RESOLVED, date(2026, 3, 6), status="late", **SCOPE)] == 1
    assert delta[Key(DOSSIERS_PROCESSING_DAYS, date(2026, 3, 6), bucket="4", **SCOPE)] == 1


def test_a_draft_withdrawn_counts_nothing_and_open_means_the_clock_runs():
    assert dossier_delta(transition("draft", "cancelled", submitted_at=None)) == {}
    before, after = dossier_states(transition("in_processing", "supplement_requested"))
    assert is_open(before) and not is_open(after)


def account(**fields) -> dict:
    values = dict(account_id=uuid.uuid4(), role=CITIZEN, level=1, status="active", commune_code="27727",
                  created_at=MON, activated_at=WED, level2_at=None)
    return asdict(AccountChanged(**{**values, **fields}))


def account_delta(payload) -> dict:
    return {k: v for k, v in difference(account_contributions, *account_states(payload)).items() if v}


def test_account_registration_activation_and_level_2():
    assert account_delta(account(status="pending_phone", activated_at=None)) == {
        Key(EID_REGISTERED, date(2026, 3, 2), commune_code="27727"): 1}
    assert account_delta(account(previous_status="pending_password", previous_level=1)) == {
        Key(EID_ACTIVATED, date(2026, 3, 4), commune_code="27727"): 1}
    assert account_delta(account(level=2, level2_at=FRI, previous_status="active", previous_level=1)) == {
        Key(EID_LEVEL2, date(2026, 3, 6), commune_code="27727"): 1}
    assert account_delta(account(level=2, level2_at=FRI, status="disabled", previous_status="active",
                                 previous_level=2)) == {Key(EID_ACTIVATED, date(2026, 3, 4), commune_code="27727"): -1,
                                                        Key(EID_LEVEL2, date(2026, 3, 6), commune_code="27727"): -1}
    assert account_delta(account(role=OFFICER)) == {}


def payment(**fields) -> dict:
    values = dict(payment_id=uuid.uuid4(), dossier_id=uuid.uuid4(), account_id=uuid.uuid4(), actor_id=None,
                  gateway="vnpay", amount=7_000, status="succeeded", duplicate=False, previous_status="pending",
                  procedure_code="1.004873", paid_at=MON, agency_id=AGENCY, commune_code="27727")
    return asdict(PaymentMoved(**{**values, **fields}))


def test_a_settled_payment_counts_its_money_once_and_a_refund_moves_its_status():
    delta = difference(payment_contributions, *moved_states(payment()))
    assert delta == {Key(PAYMENTS_COLLECTED, date(2026, 3, 2), gateway="vnpay", **SCOPE): 7_000,
                     Key(PAYMENTS_COUNT, date(2026, 3, 2), gateway="vnpay", **SCOPE): 1}
    # the money was taken: a refund later does not change what was collected
    assert not any(difference(payment_contributions, *moved_states(payment(status="refunded",
                                                                            previous_status="succeeded"))).values())
    refund = asdict(RefundMoved(refund_id=uuid.uuid4(), payment_id=uuid.uuid4(), dossier_id=uuid.uuid4(),
                                gateway="vnpay", amount=7_000, status="succeeded", previous_status="requested",
                                requested_at=WED, procedure_code="1.004873", agency_id=AGENCY, commune_code="27727"))
    delta = {k: v for k, v in difference(refund_contributions, *moved_states(refund)).items() if v}
    day = date(2026, 3, 4)
    assert delta == {Key(PAYMENTS_REFUNDED, day, gateway="vnpay", status="requested", **SCOPE): -7_000,
                     Key(PAYMENTS_REFUNDS, day, gateway="vnpay", status="requested", **SCOPE): -1,
                     Key(PAYMENTS_REFUNDED, day, gateway="vnpay", status="succeeded", **SCOPE): 7_000,
                     Key(PAYMENTS_REFUNDS, day, gateway="vnpay", status="succeeded", **SCOPE): 1}
