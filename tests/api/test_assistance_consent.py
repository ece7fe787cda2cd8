"""Starting a session and the resident's consent: by SMS code read aloud, or in the app."""
import uuid
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from app.assistance.models import ACTIVE, Delegation
from app.common.clock import utcnow
from app.extensions import db
from app.identity.models import DISABLED, PENDING_PASSWORD
from app.notifications.models import IN_APP, SMS, OutboxMessage
from tests.assistance_fixtures import (  # noqa: F401
    API, COMMUNE, OTHER_COMMUNE, PROCEDURE, Visit, acts_of, assistant, bearer, catalog, delegated, fresh_rate_limits,
    make_team, outbox, resident, sms_code, storage,
)


def _row(session_id) -> Delegation:
    db.session.expire_all()
    return db.session.get(Delegation, uuid.UUID(str(session_id)))


def test_a_member_starts_a_session_and_sees_only_who_the_resident_is(client, catalog):
    visit = Visit(client)
    citizen, account = resident(phones=["0912345678", "0987654321"])
    response = visit.start(citizen.personal_id, ["submit_dossier", "pay_fee"], procedure_code=PROCEDURE)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending_consent" and body["scopes"] == ["submit_dossier", "pay_fee"]
    assert body["resident"] == {"full_name": citizen.full_name, "personal_id": citizen.personal_id[:3] + "******"
                                + citizen.personal_id[-3:], "has_account": True,
                                "phones": ["091****678", "098****321"], "consent_methods": ["sms", "app"]}
    assert citizen.personal_id not in response.get_data(as_text=True)
    assert "0912345678" not in response.get_data(as_text=True)
    # nothing was sent, nothing is usable yet
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    token = visit.token(body["id"])
    assert token.status_code == 409 and token.get_json()["code"] == "delegation_not_active"
    assert acts_of(body["id"]) == [("session_started", "done")]


def test_consent_by_sms_code_read_aloud_starts_the_delegation(client, catalog):
    visit = Visit(client)
    citizen, account = resident(phones=["0912345678", "0987654321"])
    session_id = visit.start(citizen.personal_id, ["read_status"], duration_minutes=90).get_json()["id"]
    asked = visit.ask(session_id, phone_index=1)
    assert asked.status_code == 200
    assert asked.get_json()["consent"]["method"] == "sms" and asked.get_json()["consent"]["sent_to"] == "098****321"
    [sms] = outbox("assistance_consent_code")
    assert sms.channel == SMS and sms.address == "0987654321" and sms.sensitive and sms.account_id == account.id
    code = sms.params["code"]
    # brandname SMS go unaccented: "Le Thi Hoa ... xin phep giup ban: xem tinh trang ho so cua ban, trong 1 gio 30 phut"
    assert "Le Thi Hoa" in sms.body and "xem tinh trang ho so cua ban, trong 1 gio 30 phut" in sms.body
    assert f"doc ma {sms.params['code']} cho nguoi giup" in sms.body
    assert code not in asked.get_data(as_text=True)
    verified = visit.verify(session_id, code)
    assert verified.status_code == 200, verified.get_json()
    body = verified.get_json()
    assert body["token_type"] == "Bearer" and body["scope"] == "read_status" and body["expires_in"] == 900
    assert body["session"]["status"] == "active"
    row = _row(session_id)
    assert row.status == ACTIVE and row.consent_code_hash is None
    assert row.expires_at - row.consented_at == timedelta(minutes=90)
    assert acts_of(session_id) == [("session_started", "done"), ("consent_requested", "done"),
                                   ("consent_given", "done")]
    # the code works once
    again = visit.verify(session_id, code)
    assert again.status_code == 409 and again.get_json()["code"] == "consent_not_pending"
    me = client.get(f"{API}/delegation", headers=delegated(body["access_token"]))
    assert me.status_code == 200 and me.get_json()["id"] == session_id


def test_wrong_codes_are_counted_and_the_sixth_try_is_refused(client, catalog):
    visit = Visit(client)
    citizen, _ = resident()
    session_id = visit.start(citizen.personal_id, ["read_status"]).get_json()["id"]
    visit.ask(session_id)
    code = sms_code(citizen.phone_numbers[0])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        response = visit.verify(session_id, wrong)
        assert response.status_code == 422 and response.get_json()["code"] == "invalid_consent_code"
    assert _row(session_id).consent_attempts == 5
    last = visit.verify(session_id, code)
    assert last.status_code == 410 and last.get_json()["code"] == "consent_attempts_exceeded"
    assert _row(session_id).status == "pending_consent"


def test_an_expired_code_is_refused_and_a_new_one_replaces_it(client, catalog):
    visit = Visit(client)
    citizen, _ = resident()
    session_id = visit.start(citizen.personal_id, ["read_status"]).get_json()["id"]
    visit.ask(session_id)
    first = sms_code(citizen.phone_numbers[0])
    too_soon = visit.ask(session_id)
    assert too_soon.status_code == 429 and too_soon.get_json()["code"] == "consent_resend_too_soon"
    assert "Retry-After" in too_soon.headers
    with time_machine.travel(utcnow() + timedelta(minutes=6), tick=False):
        late = visit.verify(session_id, first)
        assert late.status_code == 410 and late.get_json()["code"] == "consent_code_expired"
        assert visit.ask(session_id).status_code == 200
        second = sms_code(citizen.phone_numbers[0])
        if second != first:
            stale = visit.verify(session_id, first)
            assert stale.status_code == 422
        assert visit.verify(session_id, second).status_code == 200


def test_a_request_nobody_consents_to_lapses(client, catalog):
    visit = Visit(client)
    citizen, _ = resident()
    session_id = visit.start(citizen.personal_id, ["read_status"]).get_json()["id"]
    visit.ask(session_id)
    code = sms_code(citizen.phone_numbers[0])
    with time_machine.travel(utcnow() + timedelta(minutes=16), tick=False):
        response = visit.verify(session_id, code)
        assert response.status_code == 409 and response.get_json()["code"] == "consent_not_pending"
        assert client.get(f"{API}/sessions/{session_id}", headers=visit.headers).get_json()["status"] == "expired"


def test_consent_in_the_app_by_the_resident_then_a_token(client, catalog):
    visit = Visit(client)
    citizen, account = resident()
    session_id = visit.start(citizen.personal_id, ["read_status"]).get_json()["id"]
    asked = visit.ask(session_id, method="app")
    assert asked.status_code == 200 and asked.get_json()["consent"]["method"] == "app"
    [inbox] = [m for m in outbox("consent_requested") if m.channel == IN_APP]
    assert inbox.account_id == account.id and "Lê Thị Hoa" in inbox.body
    assert outbox("assistance_consent_code") == []
    mine = bearer(account)
    listed = client.get(f"{API}/me/delegations", headers=mine).get_json()["items"]
    assert [(d["id"], d["status"], d["helper_name"]) for d in listed] == [(session_id, "pending_consent", "Lê Thị Hoa")]
    # the member cannot give the consent in the resident's place
    assert visit.verify(session_id, "000000").get_json()["code"] == "consent_code_not_sent"
    assert visit.token(session_id).status_code == 409
    approved = client.post(f"{API}/me/delegations/{session_id}/approve", headers=mine)
    assert approved.status_code == 200 and approved.get_json()["status"] == "active"
    token = visit.token(session_id)
    assert token.status_code == 200 and token.get_json()["session"]["status"] == "active"
    assert acts_of(session_id)[-1] == ("consent_given", "done")
    assert _row(session_id).consent_method == "app"


def test_the_resident_can_decline(client, catalog):
    visit = Visit(client)
    citizen, account = resident()
    session_id = visit.start(citizen.personal_id, ["read_status"]).get_json()["id"]
    visit.ask(session_id, method="app")
    declined = client.post(f"{API}/me/delegations/{session_id}/decline", headers=bearer(account))
    assert declined.status_code == 200 and declined.get_json()["status"] == "declined"
    assert visit.token(session_id).status_code == 409
    assert client.post(f"{API}/me/delegations/{session_id}/approve", headers=bearer(account)).status_code == 409


def test_app_consent_needs_an_active_account(client, catalog):
    visit = Visit(client)
    citizen, _ = resident(account=False)
    session_id = visit.start(citizen.personal_id, ["register_account"]).get_json()["id"]
    response = visit.ask(session_id, method="app")
    assert response.status_code == 409 and response.get_json()["code"] == "app_consent_unavailable"
    bad_index = visit.ask(session_id, phone_index=3)
    assert bad_index.status_code == 422 and bad_index.get_json()["code"] == "no_such_phone"


def test_another_residents_request_is_not_theirs_to_approve(client, catalog):
    visit = Visit(client)
    citizen, _ = resident()
    _, stranger = resident()
    session_id = visit.start(citizen.personal_id, ["read_status"]).get_json()["id"]
    visit.ask(session_id, method="app")
    response = client.post(f"{API}/me/delegations/{session_id}/approve", headers=bearer(stranger))
    assert response.status_code == 404 and response.get_json()["code"] == "assistance_session_not_found"


# -- who may start what ---------------------------------------------------------------------

def test_a_resident_of_another_commune_is_refused(client, catalog):
    visit = Visit(client)
    citizen, _ = resident(current_commune_code=OTHER_COMMUNE, permanent_commune_code=OTHER_COMMUNE)
    response = visit.start(citizen.personal_id, ["read_status"])
    assert response.status_code == 403 and response.get_json()["code"] == "resident_outside_commune"
    assert db.session.scalar(select(func.count()).select_from(Delegation)) == 0


def test_a_member_of_the_other_communes_team_may_help_there(client, catalog):
    member = assistant(commune_code=OTHER_COMMUNE)
    visit = Visit(client, member=member, team=make_team(OTHER_COMMUNE, member))
    citizen, _ = resident(current_commune_code=OTHER_COMMUNE)
    assert visit.start(citizen.personal_id, ["read_status"]).status_code == 201


def test_only_members_of_an_active_team_start_sessions(client, catalog):
    loner = assistant()
    citizen, _ = resident()
    headers = bearer(loner)
    response = client.post(f"{API}/sessions", json={"personal_id": citizen.personal_id, "scopes": ["read_status"]},
                           headers=headers)
    assert response.status_code == 403 and response.get_json()["code"] == "not_in_team"
    team = make_team(COMMUNE, loner)
    team.active = False
    db.session.flush()
    response = client.post(f"{API}/sessions", json={"personal_id": citizen.personal_id, "scopes": ["read_status"]},
                           headers=headers)
    assert response.status_code == 403 and response.get_json()["code"] == "not_in_team"
    as_citizen = client.post(f"{API}/sessions", json={"personal_id": citizen.personal_id,
                                                       "scopes": ["read_status"]}, headers=bearer(_))
    assert as_citizen.status_code == 403 and as_citizen.get_json()["code"] == "forbidden_role"


def test_the_scopes_must_fit_the_residents_account(client, catalog):
    visit = Visit(client)
    with_account, _ = resident()
    without, _ = resident(account=False)
    disabled, _ = resident(status=DISABLED)
    refusals = [
        (with_account, ["register_account"], "resident_has_account"),
        (without, ["read_status"], "resident_has_no_account"),
        (disabled, ["read_status"], "resident_account_disabled"),
    ]
    for citizen, scopes, code in refusals:
        response = visit.start(citizen.personal_id, scopes)
        assert response.status_code == 409 and response.get_json()["code"] == code
    pending, _ = resident(status=PENDING_PASSWORD)
    assert visit.start(pending.personal_id, ["read_status"]).status_code == 201
    assert visit.start(without.personal_id, ["register_account", "submit_dossier"],
                       procedure_code=PROCEDURE).status_code == 201


def test_submission_needs_an_open_level_1_procedure(client, catalog):
    visit = Visit(client)
    citizen, _ = resident()
    missing = visit.start(citizen.personal_id, ["submit_dossier"])
    assert missing.status_code == 422 and "procedure_code" in missing.get_json()["errors"]
    unknown = visit.start(citizen.personal_id, ["submit_dossier"], procedure_code="9.999999")
    assert unknown.status_code == 422 and unknown.get_json()["code"] == "unknown_procedure"
    level2 = visit.start(citizen.personal_id, ["submit_dossier"], procedure_code="1.004873")
    assert level2.status_code == 422 and level2.get_json()["code"] == "procedure_needs_level2"


def test_unknown_or_dead_residents_get_one_answer(client, catalog):
    visit = Visit(client)
    dead, _ = resident(account=False, is_alive=False)
    for personal_id in (dead.personal_id, "080190999999"):
        response = visit.start(personal_id, ["read_status"])
        assert response.status_code == 404 and response.get_json()["code"] == "resident_not_found"


def test_durations_are_bounded_to_a_few_hours(client, catalog):
    visit = Visit(client)
    citizen, _ = resident()
    for minutes in (5, 241):
        response = visit.start(citizen.personal_id, ["read_status"], duration_minutes=minutes)
        assert response.status_code == 422 and "duration_minutes" in response.get_json()["errors"]


def test_a_new_session_replaces_a_pending_one_but_not_an_active_one(client, catalog):
    visit = Visit(client)
    citizen, _ = resident()
    first = visit.start(citizen.personal_id, ["read_status"]).get_json()["id"]
    second = visit.start(citizen.personal_id, ["read_status"]).get_json()["id"]
    assert _row(first).status == "ended" and _row(first).end_reason == "superseded"
    visit.ask(second)
    visit.verify(second, sms_code(citizen.phone_numbers[0]))
    third = visit.start(citizen.personal_id, ["read_status"])
    assert third.status_code == 409 and third.get_json()["code"] == "delegation_exists"


def test_lookups_are_limited_per_member_and_hour(client, catalog, monkeypatch):
    from app.assistance import service

    monkeypatch.setattr(service, "LOOKUPS_PER_HOUR", 2)
    visit = Visit(client)
    for _ in range(2):
        citizen, _ = resident()
        assert visit.start(citizen.personal_id, ["read_status"]).status_code == 201
    citizen, _ = resident()
    response = visit.start(citizen.personal_id, ["read_status"])
    assert response.status_code == 429 and response.get_json()["code"] == "too_many_lookups"


def test_consent_sends_are_limited_per_session(client, catalog):
    visit = Visit(client)
    citizen, _ = resident()
    session_id = visit.start(citizen.personal_id, ["read_status"]).get_json()["id"]
    moment = utcnow()
    for minute in range(5):
        with time_machine.travel(moment + timedelta(minutes=minute * 2), tick=False):
            assert visit.ask(session_id).status_code == 200
    with time_machine.travel(moment + timedelta(minutes=11), tick=False):
        response = visit.ask(session_id)
        assert response.status_code == 429 and response.get_json()["code"] == "consent_send_limit"


def test_a_code_is_never_sent_to_the_helpers_own_phone(client, catalog):
    """A resident whose registry lists the member's phone (family, or a made-up visit) cannot consent there."""
    member = assistant(phone="0977000111")
    visit = Visit(client, member=member)
    citizen, _ = resident(phones=["0977000111", "0912000222"])
    session_id = visit.start(citizen.personal_id, ["read_status"]).get_json()["id"]
    refused = visit.ask(session_id, phone_index=0)
    assert refused.status_code == 409 and refused.get_json()["code"] == "phone_is_helpers"
    assert outbox("assistance_consent_code") == []
    assert visit.ask(session_id, phone_index=1).status_code == 200
    assert [m.address for m in outbox("assistance_consent_code")] == ["0912000222"]
