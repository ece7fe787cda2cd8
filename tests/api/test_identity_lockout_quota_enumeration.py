"""Defences a stranger cannot turn against the citizen: SMS quotas, password lockouts, enumeration;
and a password reset by SMS that leaves level 2 where it was."""
from datetime import timedelta

import pytest
import time_machine

from app.common.auth import Principal
from app.common.clock import utcnow
from app.common.personal_id import MALE, compose_personal_id
from app.extensions import db, limiter
from app.identity import qr_login
from app.identity.errors import AccountDisabled
from app.identity.models import DISABLED, AuthSession, Device
from app.identity.sessions import open_session, start_session
from app.identity.tokens import decode_access_token
from tests.eid_fixtures import EVERY_CHANNEL, channels_of, reachable
from tests.factories import RegistryCitizenFactory, bearer
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    API, PASSWORD, active_citizen, bearer_of, bound_citizen, fresh_rate_limits, last_code, log_in, otp_messages,
    totp_code,
)


def _decoy_id(n: int) -> str:
    return compose_personal_id("080", MALE, 1970, 900_000 + n)


# --- SMS quota ---------------------------------------------------------------------------

def test_decoy_resets_do_not_burn_the_citizens_sms_quota(client):
    victim = active_citizen()
    start = utcnow()
    for minute in range(5):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            limiter.reset()
            decoy = client.post(f"{API}/password-resets", json={"personal_id": _decoy_id(minute),
                                                                 "phone": victim.phone})
            assert decoy.status_code == 202
    assert otp_messages(victim.phone) == []            # decoys send nothing
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        limiter.reset()
        # a sixth decoy is limited among decoys...
        sixth = client.post(f"{API}/password-resets", json={"personal_id": _decoy_id(9), "phone": victim.phone})
        assert sixth.status_code == 429 and sixth.get_json()["code"] == "otp_quota_exceeded"
        # ...but the citizen's own reset and SMS login still work
        own = client.post(f"{API}/password-resets", json={"personal_id": victim.personal_id, "phone": victim.phone})
        assert own.status_code == 202, own.get_json()
        started = log_in(client, victim.login)
        assert started.status_code == 200 and started.get_json()["sms"] is not None
    assert len(otp_messages(victim.phone)) == 2


# --- lockout -----------------------------------------------------------------------------

def _change(client, headers, current):
    return client.post(f"{API}/password", headers=headers,
                       json={"current_password": current, "new_password": "mot-mat-khau-moi-2026"})


def test_wrong_current_passwords_lock_as_login_does(client):
    citizen = bound_citizen()
    web = bearer(citizen.account, level=1, methods=("pwd", "sms"))
    for _ in range(4):
        limiter.reset()
        wrong_try = _change(client, web, "khong-phai-mat-khau")
        assert wrong_try.status_code == 401 and wrong_try.get_json()["code"] == "invalid_credentials"
    locked = _change(client, web, "khong-phai-mat-khau")
    assert locked.status_code == 423 and locked.get_json()["code"] == "account_locked"
    assert 890 <= int(locked.headers["Retry-After"]) <= 900, (locked.headers, locked.get_json())
    limiter.reset()
    right = _change(client, web, PASSWORD)
    assert right.status_code == 423 and int(right.headers["Retry-After"]) > 0
    assert log_in(client, citizen.account.login).status_code == 423
    # the bound phone still logs in on its own (device secret + TOTP), and approves a QR login
    device_login = client.post(f"{API}/login/device", json={
        "login": citizen.account.login, "device_id": str(citizen.device.id),
        "device_secret": citizen.device_secret, "code": totp_code(citizen.totp_secret)})
    assert device_login.status_code == 200, device_login.get_json()
    tokens = device_login.get_json()
    assert tokens["level"] == 2 and tokens["methods"] == ["swk", "otp"]
    assert str(decode_access_token(tokens["access_token"]).device_id) == str(citizen.device.id)
    created = client.post(f"{API}/qr-logins", json={"client_name": "Web"}).get_json()
    approved = client.post(f"{API}/qr-logins/approve", json={"code": created["code"]}, headers=bearer_of(tokens))
    assert approved.status_code == 200
    polled = client.get(created["poll_url"], headers={"X-Poll-Secret": created["poll_secret"]}).get_json()
    assert polled["tokens"]["level"] == 2


def test_device_login_refusals(client):
    citizen = bound_citizen()
    body = {"login": citizen.account.login, "device_id": str(citizen.device.id),
            "device_secret": citizen.device_secret, "code": totp_code(citizen.totp_secret)}
    for wrong_part in ({"device_secret": "nope"}, {"login": "079000000000"}):
        refused = client.post(f"{API}/login/device", json={**body, **wrong_part})
        assert refused.status_code == 401 and refused.get_json()["code"] == "invalid_device_proof"
    first = client.post(f"{API}/login/device", json=body)
    assert first.status_code == 200
    replay = client.post(f"{API}/login/device", json=body)        # the same TOTP code twice
    assert replay.status_code == 422 and replay.get_json()["code"] == "invalid_totp"


def test_qr_approval_checks_the_account_state(client):
    citizen = bound_citizen()
    created = qr_login.create_qr_login(qr_login.ClientInfo(name="Web"))
    session = open_session(citizen.account, level=2, methods=["pwd", "otp"], device_id=citizen.device.id)
    citizen.account.status = DISABLED
    db.session.flush()
    principal = Principal(account_id=citizen.account.id, role="citizen", level=2, methods=("otp",),
                          session_id=session.id, device_id=citizen.device.id)
    with pytest.raises(AccountDisabled):
        qr_login.decide(principal, created.code, approve=True)


# --- enumeration -----------------------------------------------------------------------------

def _shape(response) -> tuple:
    body = response.get_json()
    return response.status_code, sorted(body), body["phone"], response.headers.get("Content-Type")


def test_reset_answers_alike_whether_or_not_the_account_exists(client):
    citizen = active_citizen()
    genuine = client.post(f"{API}/password-resets", json={"personal_id": citizen.personal_id, "phone": citizen.phone})
    limiter.reset()
    unknown = client.post(f"{API}/password-resets", json={"personal_id": _decoy_id(1), "phone": "0987654321"})
    same_phone = client.post(f"{API}/password-resets", json={"personal_id": _decoy_id(2), "phone": citizen.phone})
    assert _shape(genuine)[:2] == _shape(unknown)[:2] == _shape(same_phone)[:2]
    assert _shape(genuine)[2:] == _shape(same_phone)[2:]


def test_registration_answers_alike_whether_or_not_an_account_exists(client):
    existing = active_citizen()
    reachable(existing)
    new = RegistryCitizenFactory()

    def register(citizen):
        return client.post(f"{API}/registrations", json={
            "personal_id": citizen.personal_id, "full_name": citizen.full_name,
            "date_of_birth": citizen.date_of_birth.isoformat(), "phone": citizen.phone_numbers[0]})

    from app.registry.models import RegistryCitizen

    taken = register(db.session.get(RegistryCitizen, existing.personal_id))
    fresh = register(new)
    assert _shape(taken)[:2] == _shape(fresh)[:2] == (201, ["challenge_id", "expires_at", "phone", "resend_at"])
    assert otp_messages(existing.phone) == []                    # no code reaches the existing holder
    assert channels_of(existing, "eid_registration_attempt") == {"in_app", "push", "email"}


# --- password reset by SMS ---------------------------------------------------------------------

def test_a_reset_by_sms_keeps_the_device_and_tells_it(client):
    citizen = bound_citizen()
    reachable(citizen.account)
    issued = start_session(citizen.account, level=2, methods=["pwd", "otp"], device_id=citizen.device.id)
    web = start_session(citizen.account, level=2, methods=["qr"])
    db.session.flush()
    start = client.post(f"{API}/password-resets", json={"personal_id": citizen.account.personal_id,
                                                        "phone": citizen.account.phone})
    verified = client.post(f"{API}/password-resets/verify", json={
        "challenge_id": start.get_json()["challenge_id"], "code": last_code(citizen.account.phone, "reset")})
    done = client.post(f"{API}/password-resets/password", json={
        "reset_token": verified.get_json()["reset_token"], "password": "mot-mat-khau-moi-2026"})
    assert done.status_code == 200
    db.session.expire_all()
    assert db.session.get(Device, citizen.device.id).unbound_at is None
    assert db.session.get(AuthSession, issued.session_id).revoked_at is None       # the phone stays signed in
    assert db.session.get(AuthSession, web.session_id).revoked_reason == "password_reset"
    refreshed = client.post(f"{API}/tokens/refresh", json={"refresh_token": issued.refresh_token})
    assert refreshed.status_code == 200 and refreshed.get_json()["level"] == 2
    assert channels_of(citizen.account, "eid_password_reset") == EVERY_CHANNEL


def test_reset_and_registration_are_padded_to_the_same_time(client, monkeypatch):
    """Both answers wait out the floor (measured in bench/identity_enumeration.py); no clock here."""
    from app.identity import accounts
    from tests.eid_fixtures import policy

    pauses = []
    monkeypatch.setattr(accounts, "_pause", pauses.append)
    citizen = active_citizen()
    with policy(answer_floor_ms=10_000):
        client.post(f"{API}/password-resets", json={"personal_id": citizen.personal_id, "phone": citizen.phone})
        client.post(f"{API}/password-resets", json={"personal_id": _decoy_id(5), "phone": "0987650000"})
        client.post(f"{API}/registrations", json={"personal_id": _decoy_id(6), "full_name": "Ai Đó",
                                                  "date_of_birth": "1970-01-01", "phone": "0987650001"})
    assert len(pauses) == 3 and all(9 < p <= 10 for p in pauses)
