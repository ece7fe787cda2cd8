"""Registration at level 1: registry match, SMS code, password; and password reset."""
import uuid
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.common.clock import utcnow
from app.extensions import db
from app.identity.models import ACTIVE, PENDING_PASSWORD, PENDING_PHONE, Account, AuthSession, OtpChallenge
from app.identity.passwords import verify_password
from app.notifications.models import OutboxMessage
from tests.factories import RegistryCitizenFactory
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    API, PASSWORD, active_citizen, fresh_rate_limits, last_code, log_in, otp_messages, wrong,
)


def _details(citizen, **changes):
    body = {"personal_id": citizen.personal_id, "full_name": citizen.full_name,
            "date_of_birth": citizen.date_of_birth.isoformat(), "phone": citizen.phone_numbers[0]}
    body.update(changes)
    return body


def _register(client, citizen, **changes):
    return client.post(f"{API}/registrations", json=_details(citizen, **changes))


def test_the_whole_registration(client):
    citizen = RegistryCitizenFactory()
    started = _register(client, citizen)
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    assert body["phone"] == citizen.phone_numbers[0][:3] + "****" + citizen.phone_numbers[0][-3:]
    account = db.session.scalar(select(Account).where(Account.personal_id == citizen.personal_id))
    assert account.status == PENDING_PHONE and account.level == 1 and account.role == "citizen"

    [message] = otp_messages(citizen.phone_numbers[0])
    assert message.channel == "sms" and message.sensitive and message.priority == 0
    assert message.params["purpose"] == "register" and len(message.params["code"]) == 6
    # the code is stored only as a keyed hash
    challenge = db.session.scalar(select(OtpChallenge).where(OtpChallenge.flow_id == uuid.UUID(body["challenge_id"])))
    assert message.params["code"] not in challenge.code_hash and len(challenge.code_hash) == 64

    verified = client.post(f"{API}/registrations/verify",
                           json={"challenge_id": body["challenge_id"], "code": message.params["code"]})
    assert verified.status_code == 200
    db.session.refresh(account)
    assert account.status == PENDING_PASSWORD

    done = client.post(f"{API}/registrations/password",
                       json={"setup_token": verified.get_json()["setup_token"], "password": PASSWORD})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "active" and done.get_json()["level"] == 1
    db.session.refresh(account)
    assert account.status == ACTIVE and account.activated_at is not None
    assert account.password_hash.startswith("$argon2id$") and verify_password(account.password_hash, PASSWORD)

    # the setup token works once
    again = client.post(f"{API}/registrations/password",
                        json={"setup_token": verified.get_json()["setup_token"], "password": PASSWORD + "x"})
    assert again.status_code == 410 and again.get_json()["code"] == "invalid_grant"
    # and the citizen can now log in
    assert log_in(client, citizen.personal_id).status_code == 200


@pytest.mark.parametrize("change", [
    {"full_name": "Nguyễn Văn Bình"},
    {"date_of_birth": "1990-04-13"},
    {"phone": "0999999999"},                 # a SIM the registry does not list for this citizen
    {"personal_id": "080090999999"},         # nobody in the registry
])
def test_any_mismatch_gets_one_generic_answer(client, change):
    citizen = RegistryCitizenFactory()
    response = _register(client, citizen, **change)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "registry_mismatch" and body["errors"] == {}
    assert db.session.scalar(select(Account).where(Account.personal_id == citizen.personal_id)) is None
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_mismatch_answers_are_identical(client):
    citizen = RegistryCitizenFactory()
    a = _register(client, citizen, full_name="Trần Văn Khác")
    b = _register(client, citizen, personal_id="080090999998")
    assert a.status_code == b.status_code and a.get_json() == b.get_json()


def test_name_matching_ignores_case_and_spacing(client):
    citizen = RegistryCitizenFactory()
    response = _register(client, citizen, full_name="  nguyễn   VĂN an ")
    assert response.status_code == 201


def test_a_deceased_citizen_cannot_register(client):
    citizen = RegistryCitizenFactory(is_alive=False, date_of_death=date(2024, 1, 1))
    response = _register(client, citizen)
    assert response.status_code == 422 and response.get_json()["code"] == "registry_mismatch"


def test_a_phone_in_plus84_form_is_accepted(client):
    citizen = RegistryCitizenFactory()
    response = _register(client, citizen, phone="+84" + citizen.phone_numbers[0][1:])
    assert response.status_code == 201
    assert len(otp_messages(citizen.phone_numbers[0])) == 1


def test_invalid_input_is_422_with_fields(client):
    response = client.post(f"{API}/registrations", json={"personal_id": "123", "phone": "abc"})
    assert response.status_code == 422
    assert {"personal_id", "full_name", "date_of_birth", "phone"} <= set(response.get_json()["errors"])


def test_one_account_per_personal_id(client):
    account = active_citizen()
    citizen_phone = account.phone
    from app.registry.models import RegistryCitizen

    citizen = db.session.get(RegistryCitizen, account.personal_id)
    response = _register(client, citizen)
    # the same answer as a new registration, but a decoy: no code is sent, nothing verifies
    assert response.status_code == 201 and set(response.get_json()) == {"challenge_id", "phone", "expires_at",
                                                                          "resend_at"}
    assert otp_messages(citizen_phone) == []
    verify = client.post(f"{API}/registrations/verify",
                         json={"challenge_id": response.get_json()["challenge_id"], "code": "000000"})
    assert verify.status_code == 422
    db.session.refresh(account)
    assert account.status == ACTIVE and db.session.scalar(
        select(func.count()).select_from(Account).where(Account.personal_id == account.personal_id)) == 1
    # the holder is told, in the app, by push and e-mail (not by SMS: strangers must not spend it)
    notices = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.account_id == account.id, OutboxMessage.event == "eid_registration_attempt")).all()
    assert {m.channel for m in notices} == {"in_app"} and all(m.channel != "sms" for m in notices)


def test_an_unfinished_registration_can_start_again(client):
    citizen = RegistryCitizenFactory()
    first = _register(client, citizen).get_json()
    with time_machine.travel(utcnow() + timedelta(seconds=61), tick=False):
        second = _register(client, citizen)
        assert second.status_code == 201
        # the first flow's code is still its own flow; the accounts are one
        assert db.session.scalar(select(Account).where(Account.personal_id == citizen.personal_id)) is not None
        assert second.get_json()["challenge_id"] != first["challenge_id"]


def _start(client, citizen):
    body = _register(client, citizen).get_json()
    return body["challenge_id"], last_code(citizen.phone_numbers[0])


def test_wrong_code_then_right_code(client):
    citizen = RegistryCitizenFactory()
    flow, code = _start(client, citizen)
    bad = client.post(f"{API}/registrations/verify", json={"challenge_id": flow, "code": wrong(code)})
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid_otp"
    assert db.session.scalar(select(OtpChallenge).where(OtpChallenge.flow_id == uuid.UUID(flow))).attempts == 1
    good = client.post(f"{API}/registrations/verify", json={"challenge_id": flow, "code": code})
    assert good.status_code == 200


def test_five_wrong_tries_kill_the_code(client):
    citizen = RegistryCitizenFactory()
    flow, code = _start(client, citizen)
    for _ in range(5):
        assert client.post(f"{API}/registrations/verify",
                           json={"challenge_id": flow, "code": wrong(code)}).status_code == 422
    response = client.post(f"{API}/registrations/verify", json={"challenge_id": flow, "code": code})
    assert response.status_code == 410 and response.get_json()["code"] == "otp_attempts_exceeded"


def test_an_expired_code_is_refused(client):
    citizen = RegistryCitizenFactory()
    flow, code = _start(client, citizen)
    with time_machine.travel(utcnow() + timedelta(minutes=5, seconds=1), tick=False):
        response = client.post(f"{API}/registrations/verify", json={"challenge_id": flow, "code": code})
    assert response.status_code == 410 and response.get_json()["code"] == "otp_expired"


def test_a_code_within_five_minutes_is_accepted(client):
    citizen = RegistryCitizenFactory()
    flow, code = _start(client, citizen)
    with time_machine.travel(utcnow() + timedelta(minutes=4, seconds=59), tick=False):
        response = client.post(f"{API}/registrations/verify", json={"challenge_id": flow, "code": code})
    assert response.status_code == 200


def test_a_used_code_is_refused(client):
    citizen = RegistryCitizenFactory()
    flow, code = _start(client, citizen)
    assert client.post(f"{API}/registrations/verify", json={"challenge_id": flow, "code": code}).status_code == 200
    again = client.post(f"{API}/registrations/verify", json={"challenge_id": flow, "code": code})
    assert again.status_code == 410 and again.get_json()["code"] == "otp_used"


def test_unknown_challenge_is_404(client):
    response = client.post(f"{API}/registrations/verify",
                           json={"challenge_id": "3f2c1e9a-8b7d-4c6e-9f1a-2b3c4d5e6f70", "code": "123456"})
    assert response.status_code == 404 and response.get_json()["code"] == "otp_not_found"


def test_resend_waits_60_seconds_and_replaces_the_code(client):
    citizen = RegistryCitizenFactory()
    flow, old = _start(client, citizen)
    too_soon = client.post(f"{API}/otp/resend", json={"challenge_id": flow})
    assert too_soon.status_code == 429 and too_soon.get_json()["code"] == "otp_resend_too_soon"
    assert 1 <= int(too_soon.headers["Retry-After"]) <= 60
    with time_machine.travel(utcnow() + timedelta(seconds=60), tick=False):
        resent = client.post(f"{API}/otp/resend", json={"challenge_id": flow})
        assert resent.status_code == 201 and resent.get_json()["challenge_id"] == flow
        new = last_code(citizen.phone_numbers[0])
        assert len(otp_messages(citizen.phone_numbers[0])) == 2
        if new != old:  # the old code no longer works once replaced
            stale = client.post(f"{API}/registrations/verify", json={"challenge_id": flow, "code": old})
            assert stale.status_code == 422
        assert client.post(f"{API}/registrations/verify",
                           json={"challenge_id": flow, "code": new}).status_code == 200


def test_at_most_five_codes_per_phone_per_hour(client):
    citizen = RegistryCitizenFactory()
    flow, _ = _start(client, citizen)
    start = utcnow()
    for minute in range(1, 5):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            assert client.post(f"{API}/otp/resend", json={"challenge_id": flow}).status_code == 201
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        refused = client.post(f"{API}/otp/resend", json={"challenge_id": flow})
        assert refused.status_code == 429 and refused.get_json()["code"] == "otp_quota_exceeded"
        assert 3000 < int(refused.headers["Retry-After"]) <= 3301
    assert len(otp_messages(citizen.phone_numbers[0])) == 5
    with time_machine.travel(start + timedelta(minutes=60, seconds=1), tick=False):
        assert client.post(f"{API}/otp/resend", json={"challenge_id": flow}).status_code == 201


@pytest.mark.parametrize("password, reason", [
    ("short1!", "A password has at least 8 characters."),
    ("password123", "This password is too common: it appears in lists of leaked passwords."),
    ("x" * 257, "A password has at most 256 characters."),
])
def test_weak_passwords_are_refused(client, password, reason):
    citizen = RegistryCitizenFactory()
    flow, code = _start(client, citizen)
    token = client.post(f"{API}/registrations/verify",
                        json={"challenge_id": flow, "code": code}).get_json()["setup_token"]
    response = client.post(f"{API}/registrations/password", json={"setup_token": token, "password": password},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.get_json()["code"] == "weak_password"
    assert response.get_json()["errors"] == {"password": [reason]}
    # the token survives a refused password
    ok = client.post(f"{API}/registrations/password", json={"setup_token": token, "password": PASSWORD})
    assert ok.status_code == 200


def test_a_64_character_password_is_kept_whole(client):
    citizen = RegistryCitizenFactory()
    flow, code = _start(client, citizen)
    token = client.post(f"{API}/registrations/verify",
                        json={"challenge_id": flow, "code": code}).get_json()["setup_token"]
    long_password = "hoa-sen-no-trong-dam-" * 3 + "x" * 10   # 73 characters
    assert client.post(f"{API}/registrations/password",
                       json={"setup_token": token, "password": long_password}).status_code == 200
    assert log_in(client, citizen.personal_id, long_password).status_code == 200
    # without truncation: only the last character differs
    assert log_in(client, citizen.personal_id, long_password[:-1] + "y").status_code == 401


def test_password_built_from_personal_data_is_refused(client):
    citizen = RegistryCitizenFactory()
    flow, code = _start(client, citizen)
    token = client.post(f"{API}/registrations/verify",
                        json={"challenge_id": flow, "code": code}).get_json()["setup_token"]
    for password in (f"id{citizen.personal_id}", f"sdt{citizen.phone_numbers[0]}", "NguyenVanAn!!",
                     "an12041990"):
        response = client.post(f"{API}/registrations/password", json={"setup_token": token, "password": password})
        assert response.status_code == 422, password
        assert response.get_json()["code"] == "weak_password"


# --- password reset --------------------------------------------------------------------

def test_password_reset_ends_every_session(client):
    account = active_citizen()
    issued = log_in(client, account.login).get_json()
    tokens = client.post(f"{API}/login/verify", json={
        "login_token": issued["login_token"], "method": "sms",
        "code": last_code(account.phone, "login")}).get_json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get(f"{API}/me", headers=headers).status_code == 200

    with time_machine.travel(utcnow() + timedelta(seconds=61), tick=False):
        started = client.post(f"{API}/password-resets", json={"personal_id": account.personal_id,
                                                               "phone": account.phone})
        assert started.status_code == 202
        code = last_code(account.phone, "reset")
        verified = client.post(f"{API}/password-resets/verify",
                               json={"challenge_id": started.get_json()["challenge_id"], "code": code})
        assert verified.status_code == 200
        done = client.post(f"{API}/password-resets/password",
                           json={"reset_token": verified.get_json()["reset_token"],
                                 "password": "mot-mat-khau-moi-2025"})
        assert done.status_code == 200
        assert client.get(f"{API}/me", headers=headers).status_code == 401
        session = db.session.get(AuthSession, uuid.UUID(tokens["session_id"]))
        assert session.revoked_at is not None and session.revoked_reason == "password_reset"
        refreshed = client.post(f"{API}/tokens/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 401
        assert log_in(client, account.login, PASSWORD).status_code == 401
        assert log_in(client, account.login, "mot-mat-khau-moi-2025").status_code == 200
        notices = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.account_id == account.id, OutboxMessage.event == "eid_password_reset")).all()
        assert notices


def test_password_reset_does_not_tell_who_exists(client):
    account = active_citizen()
    genuine = client.post(f"{API}/password-resets", json={"personal_id": account.personal_id,
                                                          "phone": account.phone})
    stranger = client.post(f"{API}/password-resets", json={"personal_id": "080090999997",
                                                           "phone": "0911111111"})
    assert genuine.status_code == stranger.status_code == 202
    assert set(genuine.get_json()) == set(stranger.get_json())
    assert otp_messages("0911111111") == []          # the decoy sends nothing
    assert len(otp_messages(account.phone)) == 1
    # a decoy code never verifies, and looks like a wrong code
    response = client.post(f"{API}/password-resets/verify",
                           json={"challenge_id": stranger.get_json()["challenge_id"], "code": "000000"})
    assert response.status_code == 422 and response.get_json()["code"] == "invalid_otp"


def test_password_reset_to_another_phone_is_a_decoy(client):
    account = active_citizen()
    response = client.post(f"{API}/password-resets", json={"personal_id": account.personal_id,
                                                           "phone": "0922222222"})
    assert response.status_code == 202
    assert otp_messages("0922222222") == [] and otp_messages(account.phone) == []
