"""A helper's visit from start to finish: registration, a dossier, its fee; then the figures."""
import uuid
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.assistance.models import AssistedRegistration
from app.common.clock import utcnow
from app.extensions import db
from app.identity.models import ACTIVE, PENDING_PASSWORD, Account
from app.payments.models import Payment
from tests.assistance_fixtures import (  # noqa: F401
    API, EXTRACT_VALUES, PASSWORD, PROCEDURE, Visit, assistant, bearer, catalog, fresh_rate_limits, officer,
    outbox, resident, sms_code, storage,
)
from tests.payments_fixtures import Pay, hub, network  # noqa: F401

DOSSIERS = "/api/v1/dossiers"
PHONE = "0912345678"


def _figures(client, headers, **query):
    response = client.get(f"{API}/figures", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["rows"]


def _only(rows, **match) -> dict:
    [row] = [r for r in rows if all(r[k] == v for k, v in match.items())]
    return row


@pytest.fixture
def visit(client, catalog):
    return Visit(client)


def test_a_visit_from_start_to_finish(client, visit, catalog, network):
    citizen, _ = resident(account=False, phones=[PHONE])

    # 1. the member starts a session and the resident consents by reading the SMS code aloud
    session, headers = visit.consented(citizen, ["register_account", "submit_dossier", "pay_fee"],
                                       procedure_code=PROCEDURE)

    # 2. assisted registration: the code goes to the resident's own registry phone
    started = client.post(f"{API}/delegation/registration", headers=headers)
    assert started.status_code == 201, started.get_json()
    assert started.get_json()["sent_to"] == "091****678"
    code = sms_code(PHONE, "otp_code")
    assert code not in started.get_data(as_text=True)
    wrong = client.post(f"{API}/delegation/registration/verify", json={"code": f"{(int(code) + 1) % 10**6:06d}"},
                        headers=headers)
    assert wrong.status_code == 422 and wrong.get_json()["code"] == "invalid_otp"
    verified = client.post(f"{API}/delegation/registration/verify", json={"code": code}, headers=headers)
    assert verified.status_code == 200, verified.get_json()
    body = verified.get_json()
    assert body["account_status"] == PENDING_PASSWORD and body["activation_sent_to"] == "091****678"
    assert set(body) == {"account_id", "account_status", "activation_sent_to"}      # no setup token, no password
    account = db.session.get(Account, uuid.UUID(body["account_id"]))
    assert account.personal_id == citizen.personal_id and account.password_hash is None
    [activation_sms] = outbox("assistance_account_registered", PHONE)
    assert "tu dat mat khau" in activation_sms.body

    # 3. the same token now acts for the new account: a dossier of the named procedure
    dossier = client.post(DOSSIERS, json={"procedure_id": str(catalog[PROCEDURE].id)}, headers=headers)
    assert dossier.status_code == 201, dossier.get_json()
    dossier_id = dossier.get_json()["id"]
    assert client.patch(f"{DOSSIERS}/{dossier_id}/form", json={"values": EXTRACT_VALUES},
                        headers=headers).status_code == 200
    submitted = client.post(f"{DOSSIERS}/{dossier_id}/submit", headers=headers)
    assert submitted.status_code == 200 and submitted.get_json()["fee"] == {"amount": 8000, "status": "unpaid"}

    # 4. the fee: the link goes to the resident's phone, never to the member
    paid = client.post(f"{API}/delegation/payments", json={"dossier_id": dossier_id, "gateway": "vnpay"},
                       headers=headers)
    assert paid.status_code == 201, paid.get_json()
    answer = paid.get_json()
    assert answer["link_sent_to"] == "091****678" and answer["payment"]["amount"] == 8000
    assert "http" not in paid.get_data(as_text=True) and "redirect_url" not in answer["payment"]
    payment = db.session.get(Payment, uuid.UUID(answer["payment"]["id"]))
    assert payment.account_id == account.id and payment.actor_id == visit.member.id
    [link_sms] = outbox("assistance_payment_link", PHONE)
    assert link_sms.params["url"] == payment.redirect_url and link_sms.sensitive
    assert "Khong dua tien mat cho nguoi ho tro" in link_sms.body
    followed = client.get(f"{API}/delegation/payments/{payment.id}", headers=headers)
    assert followed.status_code == 200 and "http" not in followed.get_data(as_text=True)

    # 5. the resident pays on their own phone; the gateway notifies us
    resident_pays = Pay(client, {})
    resident_pays.at_gateway({"gateway": "vnpay", "redirect_url": link_sms.params["url"]})
    assert resident_pays.deliver()["delivered"] == 1
    assert client.get(f"{API}/delegation/payments/{payment.id}", headers=headers).get_json()["status"] == "succeeded"

    # 6. the member ends the visit
    ended = client.post(f"{API}/sessions/{session['id']}/end", headers=visit.headers)
    assert ended.status_code == 200 and ended.get_json()["status"] == "ended"
    assert client.get(f"{API}/delegation", headers=headers).status_code == 401

    # 7. later, the resident activates the account with their own password
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        _resident_activates(client, citizen)
    db.session.expire_all()
    assert db.session.get(Account, account.id).status == ACTIVE
    registration = db.session.scalar(select(AssistedRegistration).where(AssistedRegistration.account_id == account.id))
    assert registration.member_id == visit.member.id and registration.activated_at is not None

    # the resident's history, in both names
    mine = bearer(db.session.get(Account, account.id))
    history = [h["action"] for h in client.get(f"{API}/me/history", headers=mine).get_json()["items"]]
    assert history[::-1] == ["session_started", "consent_requested", "consent_given", "registration_started",
                             "account_registered", "dossier_started", "dossier_form_filled", "dossier_submitted",
                             "payment_started", "payment_completed", "session_ended", "request_refused"]

    # the figures: one resident helped, one of each
    expected = {"residents_helped": 1, "accounts_registered": 1, "accounts_activated": 1,
                "dossiers_submitted": 1, "payments_completed": 1}
    boss = bearer(officer())
    for period in ("day", "month"):
        member_row = _only(_figures(client, boss, period=period, by="member"), member_id=str(visit.member.id))
        team_row = _only(_figures(client, boss, period=period, by="team"), team_id=str(visit.team.id))
        assert {k: member_row[k] for k in expected} == expected
        assert {k: team_row[k] for k in expected} == expected
        assert member_row["member_name"] == "Lê Thị Hoa" and team_row["member_id"] is None


def _resident_activates(client, citizen):
    identity = "/api/v1/identity"
    started = client.post(f"{identity}/registrations", json={
        "personal_id": citizen.personal_id, "full_name": citizen.full_name,
        "date_of_birth": citizen.date_of_birth.isoformat(), "phone": PHONE})
    assert started.status_code == 201, started.get_json()
    setup = client.post(f"{identity}/registrations/verify", json={
        "challenge_id": started.get_json()["challenge_id"], "code": sms_code(PHONE, "otp_code")})
    assert setup.status_code == 200, setup.get_json()
    done = client.post(f"{identity}/registrations/password", json={
        "setup_token": setup.get_json()["setup_token"], "password": PASSWORD})
    assert done.status_code == 200, done.get_json()


def test_the_member_cannot_set_the_password_or_read_the_code(client, visit, catalog):
    citizen, _ = resident(account=False, phones=[PHONE])
    _, headers = visit.consented(citizen, ["register_account"])
    client.post(f"{API}/delegation/registration", headers=headers)
    code = sms_code(PHONE, "otp_code")
    for method, path, body in [("GET", f"/api/v1/dev/sms?phone={PHONE}", None),
                               ("POST", "/api/v1/identity/registrations/verify", {"challenge_id": str(uuid.uuid4()),
                                                                                  "code": code}),
                               ("POST", "/api/v1/identity/registrations/password",
                                {"setup_token": "x", "password": PASSWORD})]:
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code == 403 and response.get_json()["code"] == "delegation_scope"
    verified = client.post(f"{API}/delegation/registration/verify", json={"code": code}, headers=headers)
    assert "setup_token" not in verified.get_json()


def test_registration_needs_consent_by_sms_and_a_started_flow(client, visit, catalog):
    citizen, _ = resident(account=False, phones=[PHONE])
    _, headers = visit.consented(citizen, ["register_account"])
    early = client.post(f"{API}/delegation/registration/verify", json={"code": "123456"}, headers=headers)
    assert early.status_code == 409 and early.get_json()["code"] == "registration_not_started"
    resend = client.post(f"{API}/delegation/registration/resend", headers=headers)
    assert resend.status_code == 409 and resend.get_json()["code"] == "registration_not_started"
    assert client.post(f"{API}/delegation/registration", headers=headers).status_code == 201
    with time_machine.travel(utcnow() + timedelta(seconds=61), tick=False):
        again = client.post(f"{API}/delegation/registration/resend", headers=headers)
        assert again.status_code == 201 and again.get_json()["sent_to"] == "091****678"


def test_a_fee_outside_the_consent_is_refused(client, visit, catalog, network):
    citizen, account = resident(phones=[PHONE])
    mine = bearer(account)
    own = client.post(DOSSIERS, json={"procedure_id": str(catalog[PROCEDURE].id)}, headers=mine).get_json()["id"]
    client.patch(f"{DOSSIERS}/{own}/form", json={"values": EXTRACT_VALUES}, headers=mine)
    assert client.post(f"{DOSSIERS}/{own}/submit", headers=mine).status_code == 200
    # pay_fee without a named dossier covers only dossiers handled in this session
    first, headers = visit.consented(citizen, ["pay_fee"])
    response = client.post(f"{API}/delegation/payments", json={"dossier_id": own, "gateway": "vnpay"},
                           headers=headers)
    assert response.status_code == 403 and response.get_json()["code"] == "dossier_outside_consent"
    assert db.session.scalar(select(Payment.id)) is None
    # naming the dossier in the consent opens it
    assert client.post(f"{API}/sessions/{first['id']}/end", headers=visit.headers).status_code == 200
    _, named = visit.consented(citizen, ["pay_fee"], dossier_id=own)
    ok = client.post(f"{API}/delegation/payments", json={"dossier_id": own, "gateway": "vnpay"}, headers=named)
    assert ok.status_code == 201, ok.get_json()
    # and the real payments endpoint stays closed to the delegated token
    real = client.post("/api/v1/payments", json={"dossier_id": own, "gateway": "vnpay"}, headers=named)
    assert real.status_code == 403 and real.get_json()["code"] == "delegation_scope"
    another = client.get(f"{API}/delegation/payments/{uuid.uuid4()}", headers=named)
    assert another.status_code == 404 and another.get_json()["code"] == "payment_not_found"


def test_a_payment_link_never_goes_to_the_helpers_phone(client, catalog, network):
    from app.assistance.models import Delegation

    citizen, account = resident(phones=[PHONE, "0977000111"])
    member = assistant(phone="0977000111")
    visit = Visit(client, member=member)
    session, headers = visit.consented(citizen, ["submit_dossier", "pay_fee"], procedure_code=PROCEDURE)
    dossier = client.post(DOSSIERS, json={"procedure_id": str(catalog[PROCEDURE].id)}, headers=headers)
    dossier_id = dossier.get_json()["id"]
    client.patch(f"{DOSSIERS}/{dossier_id}/form", json={"values": EXTRACT_VALUES}, headers=headers)
    assert client.post(f"{DOSSIERS}/{dossier_id}/submit", headers=headers).status_code == 200
    # the account's phone is the member's (the consent was given by the app, say)
    account.phone = "0977000111"
    db.session.get(Delegation, uuid.UUID(session["id"])).consent_phone = None
    db.session.flush()
    response = client.post(f"{API}/delegation/payments", json={"dossier_id": dossier_id, "gateway": "vnpay"},
                           headers=headers)
    assert response.status_code == 409 and response.get_json()["code"] == "phone_is_helpers"
    assert db.session.scalar(select(Payment.id)) is None and outbox("assistance_payment_link") == []
