"""The SIM-only attacks: a personal id and control of the SIM must never reach level 2.

Each test plays the attacker end to end over HTTP, with nothing but the
victim's personal id and the SMS codes reaching the phone number, and checks
that no answer carries a level-2 token and that the real phone stays bound.
"""
from sqlalchemy import select

from app.extensions import db
from app.identity.models import Account, Device
from app.identity.tokens import decode_access_token
from tests.factories import RegistryCitizenFactory
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    API, bearer_of, bound_citizen, fresh_rate_limits, last_code, log_in, next_step, totp_code,
)

NEW_PASSWORD = "sim-rac-chiem-tai-khoan-2026"


def _levels_in(body) -> list[int]:
    """The assurance level of every access token found anywhere in a response body."""
    found = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key == "access_token" and isinstance(value, str) and value:
                found.append(decode_access_token(value).level)
            else:
                found += _levels_in(value)
    elif isinstance(body, list):
        for value in body:
            found += _levels_in(value)
    return found


def _sms_login(client, login: str, phone: str) -> dict:
    started = log_in(client, login, NEW_PASSWORD)
    assert started.status_code == 200, started.get_json()
    body = started.get_json()
    if "sms" not in [f for f in body["second_factors"]] or not body.get("sms"):
        with next_step():
            assert client.post(f"{API}/login/sms", json={"login_token": body["login_token"]}).status_code == 201
    done = client.post(f"{API}/login/verify", json={"login_token": body["login_token"], "method": "sms",
                                                    "code": last_code(phone, "login")})
    assert done.status_code == 200, done.get_json()
    return done.get_json()


def _try_to_bind(client, tokens: dict, phone: str, seen: list) -> None:
    """Device binding with only the SIM and a fresh authenticator; stops at the first refusal."""
    headers = bearer_of(tokens)
    started = client.post(f"{API}/device-bindings", json={"device_name": "Attacker phone", "platform": "android"},
                          headers=headers)
    seen.append(started.get_json())
    if started.status_code != 201:
        return
    binding_id = started.get_json()["id"]
    enrolment = client.post(f"{API}/device-bindings/{binding_id}/sms",
                            json={"code": last_code(phone, "bind_device")}, headers=headers)
    seen.append(enrolment.get_json())
    if enrolment.status_code != 200:
        return
    confirmed = client.post(f"{API}/device-bindings/{binding_id}/totp",
                            json={"code": totp_code(enrolment.get_json()["secret"])}, headers=headers)
    seen.append(confirmed.get_json())
    if confirmed.status_code == 200 and confirmed.get_json().get("tokens"):
        refreshed = client.post(f"{API}/tokens/refresh",
                                json={"refresh_token": tokens["refresh_token"]})
        seen.append(refreshed.get_json())


def test_a_sim_alone_never_takes_over_a_level_2_account(client):
    victim = bound_citizen()
    phone, login = victim.account.phone, victim.account.login
    seen = []
    # 1. password reset by SMS
    reset = client.post(f"{API}/password-resets", json={"personal_id": login, "phone": phone})
    assert reset.status_code == 202
    verified = client.post(f"{API}/password-resets/verify",
                           json={"challenge_id": reset.get_json()["challenge_id"], "code": last_code(phone, "reset")})
    assert verified.status_code == 200
    assert client.post(f"{API}/password-resets/password",
                       json={"reset_token": verified.get_json()["reset_token"], "password": NEW_PASSWORD}
                       ).status_code == 200
    # 2. log in with the password and an SMS code: level 1
    tokens = _sms_login(client, login, phone)
    seen.append(tokens)
    assert tokens["level"] == 1
    # 3. bind a fresh phone with SMS + a new authenticator
    with next_step():
        _try_to_bind(client, tokens, phone, seen)
        # also try to unbind the real phone from the level-1 session
        unbind = client.delete(f"{API}/devices/{victim.device.id}", headers=bearer_of(tokens))
        seen.append(unbind.get_json())
        assert unbind.status_code == 403
    assert 2 not in _levels_in(seen)
    db.session.expire_all()
    real = db.session.get(Device, victim.device.id)
    assert real.unbound_at is None and real.frozen_at is None
    account = db.session.get(Account, victim.account.id)
    assert account.totp_secret is not None and account.level == 2
    # the real phone still signs in with its own authenticator
    assert client.get(f"{API}/me", headers=victim.phone_headers()).status_code == 200


def test_a_sim_alone_never_gives_level_2_to_a_never_registered_enrolled_citizen(client):
    citizen = RegistryCitizenFactory(biometric_enrolled=True)
    phone = citizen.phone_numbers[0]
    seen = []
    started = client.post(f"{API}/registrations", json={
        "personal_id": citizen.personal_id, "full_name": citizen.full_name,
        "date_of_birth": citizen.date_of_birth.isoformat(), "phone": phone})
    assert started.status_code == 201
    verified = client.post(f"{API}/registrations/verify", json={
        "challenge_id": started.get_json()["challenge_id"], "code": last_code(phone, "register")})
    assert client.post(f"{API}/registrations/password", json={
        "setup_token": verified.get_json()["setup_token"], "password": NEW_PASSWORD}).status_code == 200
    tokens = _sms_login(client, citizen.personal_id, phone)
    assert tokens["level"] == 1
    _try_to_bind(client, tokens, phone, seen)
    assert 2 not in _levels_in(seen)
    account = db.session.scalar(select(Account).where(Account.personal_id == citizen.personal_id))
    assert account.level == 1
    assert db.session.scalars(select(Device).where(Device.account_id == account.id,
                                                   Device.bound_at.is_not(None))).all() == []
    assert seen[0]["code"] == "in_person_activation_required"
