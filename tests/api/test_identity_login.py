"""Logging in: password then SMS or TOTP, levels, lockout, no enumeration, rate limits."""
import uuid
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select, update

from app.common.clock import utcnow
from app.extensions import db, limiter
from app.identity import totp
from app.identity.models import DISABLED, Account, AuthSession, LoginThrottle
from app.identity.staff import create_staff
from app.identity.tokens import decode_access_token
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    API, PASSWORD, active_citizen, bearer_of, bound_citizen, fresh_rate_limits, last_code, log_in,
    otp_messages, totp_code, wrong,
)


def _verify(client, login_token, method, code, **headers):
    return client.post(f"{API}/login/verify", json={"login_token": login_token, "method": method, "code": code},
                       **headers)


def test_level_1_account_logs_in_with_password_and_sms(client):
    account = active_citizen()
    started = log_in(client, account.login, client_name="Cổng DVC - Firefox")
    assert started.status_code == 200, started.get_json()
    body = started.get_json()
    assert body["second_factors"] == ["sms"] and body["sms"]["challenge_id"]
    code = last_code(account.phone, "login")
    done = _verify(client, body["login_token"], "sms", code)
    assert done.status_code == 200
    tokens = done.get_json()
    assert tokens["level"] == 1 and tokens["methods"] == ["pwd", "sms"] and tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    assert done.headers["Cache-Control"] == "no-store"
    claims = decode_access_token(tokens["access_token"])
    assert claims.level == 1 and claims.role == "citizen" and claims.account_id == account.id
    session = db.session.get(AuthSession, claims.session_id)
    assert session.client_name == "Cổng DVC - Firefox" and session.ip_address == "127.0.0.1"
    me = client.get(f"{API}/me", headers=bearer_of(tokens))
    assert me.status_code == 200 and me.get_json()["personal_id"] == account.personal_id
    assert me.get_json()["phone"].count("*") == 4


def test_level_2_account_with_totp_gets_level_2(client):
    citizen = bound_citizen()
    body = log_in(client, citizen.account.login).get_json()
    assert body["second_factors"] == ["totp", "sms"] and body["sms"] is None
    assert otp_messages(citizen.account.phone) == []     # no SMS unless asked for
    done = _verify(client, body["login_token"], "totp", totp_code(citizen.totp_secret))
    assert done.status_code == 200
    assert done.get_json()["level"] == 2 and done.get_json()["methods"] == ["pwd", "otp"]


def test_level_2_account_with_sms_gets_level_1(client):
    citizen = bound_citizen()
    body = log_in(client, citizen.account.login).get_json()
    sent = client.post(f"{API}/login/sms", json={"login_token": body["login_token"]})
    assert sent.status_code == 201
    done = _verify(client, body["login_token"], "sms", last_code(citizen.account.phone, "login"))
    assert done.status_code == 200 and done.get_json()["level"] == 1


def test_requested_level_2_offers_totp_only(client):
    citizen = bound_citizen()
    body = log_in(client, citizen.account.login, level=2).get_json()
    assert body["second_factors"] == ["totp"]
    refused = client.post(f"{API}/login/sms", json={"login_token": body["login_token"]})
    assert refused.status_code == 403 and refused.get_json()["code"] == "method_not_sufficient"
    sms = _verify(client, body["login_token"], "sms", "123456")
    assert sms.status_code == 403
    ok = _verify(client, body["login_token"], "totp", totp_code(citizen.totp_secret))
    assert ok.get_json()["level"] == 2


def test_requested_level_2_is_out_of_reach_for_a_level_1_account(client):
    account = active_citizen()
    response = log_in(client, account.login, level=2)
    assert response.status_code == 403 and response.get_json()["code"] == "level_unavailable"
    assert otp_messages(account.phone) == []


def test_the_bound_phone_proves_its_device_at_login(client):
    citizen = bound_citizen()
    body = log_in(client, citizen.account.login, device_id=str(citizen.device.id),
                  device_secret=citizen.device_secret).get_json()
    tokens = _verify(client, body["login_token"], "totp", totp_code(citizen.totp_secret)).get_json()
    assert decode_access_token(tokens["access_token"]).device_id == citizen.device.id
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        forged = log_in(client, citizen.account.login, device_id=str(citizen.device.id),
                        device_secret="guessed").get_json()
        tokens = _verify(client, forged["login_token"], "totp", totp_code(citizen.totp_secret)).get_json()
        assert decode_access_token(tokens["access_token"]).device_id is None


def test_wrong_totp_is_refused(client):
    citizen = bound_citizen()
    body = log_in(client, citizen.account.login).get_json()
    response = _verify(client, body["login_token"], "totp", wrong(totp_code(citizen.totp_secret)))
    assert response.status_code == 422 and response.get_json()["code"] == "invalid_totp"
    db.session.refresh(citizen.account)
    assert citizen.account.failed_logins == 1


def test_a_totp_code_is_accepted_once_per_time_step(client, app_logs):
    citizen = bound_citizen()
    with time_machine.travel(utcnow(), tick=False):
        code = totp_code(citizen.totp_secret)
        first = log_in(client, citizen.account.login).get_json()
        assert _verify(client, first["login_token"], "totp", code).status_code == 200
        second = log_in(client, citizen.account.login).get_json()
        replay = _verify(client, second["login_token"], "totp", code)
        assert replay.status_code == 422 and replay.get_json()["code"] == "invalid_totp"
    assert any(getattr(r, "audit", {}).get("event") == "totp.replay_refused" for r in app_logs.records)
    # the next step's code works
    with time_machine.travel(utcnow() + timedelta(seconds=30), tick=False):
        assert _verify(client, second["login_token"], "totp", totp_code(citizen.totp_secret)).status_code == 200


def test_a_code_from_the_previous_step_is_accepted_but_not_older(client):
    citizen = bound_citizen()
    now = utcnow()
    body = log_in(client, citizen.account.login).get_json()
    with time_machine.travel(now, tick=False):
        old = totp_code(citizen.totp_secret, now - timedelta(seconds=90))
        assert _verify(client, body["login_token"], "totp", old).status_code == 422
        previous = totp_code(citizen.totp_secret, now - timedelta(seconds=30))
        assert _verify(client, body["login_token"], "totp", previous).status_code == 200


def test_wrong_expired_and_reused_sms_codes(client):
    account = active_citizen()
    body = log_in(client, account.login).get_json()
    code = last_code(account.phone, "login")
    bad = _verify(client, body["login_token"], "sms", wrong(code))
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid_otp"
    with time_machine.travel(utcnow() + timedelta(minutes=5, seconds=1), tick=False):
        expired = _verify(client, body["login_token"], "sms", code)
        assert expired.status_code == 410          # the login token and the code are both gone
    body = log_in(client, account.login)
    assert body.status_code == 429                 # same phone, same purpose: wait a minute
    with time_machine.travel(utcnow() + timedelta(seconds=61), tick=False):
        body = log_in(client, account.login).get_json()
        code = last_code(account.phone, "login")
        assert _verify(client, body["login_token"], "sms", code).status_code == 200
        reused = _verify(client, body["login_token"], "sms", code)
        assert reused.status_code == 410 and reused.get_json()["code"] == "login_expired"


def test_the_login_token_expires(client):
    citizen = bound_citizen()
    body = log_in(client, citizen.account.login).get_json()
    with time_machine.travel(utcnow() + timedelta(minutes=5, seconds=1), tick=False):
        response = _verify(client, body["login_token"], "totp", totp_code(citizen.totp_secret))
    assert response.status_code == 410 and response.get_json()["code"] == "login_expired"


# --- no enumeration ------------------------------------------------------------------------

def test_unknown_login_and_wrong_password_look_the_same(client):
    account = active_citizen()
    unknown = log_in(client, "080090999996", "whatever-password")
    wrong_password = log_in(client, account.login, "whatever-password")
    assert unknown.status_code == wrong_password.status_code == 401
    assert unknown.get_json() == wrong_password.get_json()
    assert unknown.get_json()["code"] == "invalid_credentials"
    ignored = {"X-Request-ID", "Date", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Limit",
               "Retry-After"}
    assert ({k: v for k, v in unknown.headers.items() if k not in ignored}
            == {k: v for k, v in wrong_password.headers.items() if k not in ignored})


def test_unknown_login_and_wrong_password_do_the_same_argon2_work(client, app, monkeypatch):
    """An unknown login verifies a dummy hash made with the same parameters as a real one.

    The same work, not a stopwatch: each refusal runs exactly one argon2
    verification, and both hashes carry the same cost parameters (memory,
    time, parallelism), so neither answer is faster.
    """
    from app.identity import passwords

    account = active_citizen()
    app.config.update(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=2048, ARGON2_PARALLELISM=1)
    verified = []
    real_verify = passwords._verify
    monkeypatch.setattr(passwords, "_verify", lambda hasher, password_hash, password: (
        verified.append(password_hash.split("$")[3]), real_verify(hasher, password_hash, password))[1])
    try:
        account.password_hash = passwords.hash_password(PASSWORD)
        db.session.flush()
        limiter.reset()
        assert log_in(client, "080090900001", "not-the-password").status_code == 401
        limiter.reset()
        assert log_in(client, account.login, "not-the-password").status_code == 401
        assert verified == ["m=2048,t=2,p=1", "m=2048,t=2,p=1"]
    finally:
        app.config.update(ARGON2_TIME_COST=1, ARGON2_MEMORY_COST=1024, ARGON2_PARALLELISM=1)


# --- lockout -------------------------------------------------------------------------------

def test_five_wrong_passwords_lock_for_15_minutes_then_longer(client):
    account = active_citizen()
    for _ in range(4):
        assert log_in(client, account.login, "wrong-password-1").status_code == 401
    fifth = log_in(client, account.login, "wrong-password-1")
    assert fifth.status_code == 423 and fifth.get_json()["code"] == "account_locked"
    assert fifth.headers["Retry-After"] in ("899", "900")
    locked = log_in(client, account.login)                      # even the right password
    assert locked.status_code == 423 and 1 <= int(locked.headers["Retry-After"]) <= 900
    db.session.refresh(account)
    assert account.lockouts == 1 and account.locked_until is not None

    with time_machine.travel(utcnow() + timedelta(minutes=15, seconds=1), tick=False):
        for _ in range(4):
            assert log_in(client, account.login, "wrong-password-1").status_code == 401
        again = log_in(client, account.login, "wrong-password-1")
        assert again.status_code == 423 and again.headers["Retry-After"] in ("1799", "1800")   # doubled

    with time_machine.travel(utcnow() + timedelta(minutes=46), tick=False):
        body = log_in(client, account.login).get_json()
        assert "login_token" in body
        assert _verify(client, body["login_token"], "sms", last_code(account.phone, "login")).status_code == 200
        db.session.refresh(account)
        assert account.failed_logins == 0 and account.lockouts == 0


def test_unknown_logins_lock_the_same_way(client):
    account = active_citizen()
    ghost = "080090999995"
    answers = []
    for login in (account.login, ghost):
        for _ in range(5):
            response = log_in(client, login, "wrong-password-1")
        answers.append((response.status_code, response.get_json(), int(response.headers["Retry-After"])))
    assert answers[0][:2] == answers[1][:2] and abs(answers[0][2] - answers[1][2]) <= 1
    assert answers[0][0] == 423
    throttle = db.session.scalar(select(LoginThrottle))
    assert throttle.lockouts == 1 and ghost not in throttle.key_hash


def test_wrong_second_factors_count_towards_the_lock(client):
    citizen = bound_citizen()
    body = log_in(client, citizen.account.login).get_json()
    code = totp_code(citizen.totp_secret)
    for _ in range(4):
        assert _verify(client, body["login_token"], "totp", wrong(code)).status_code == 422
    locked = _verify(client, body["login_token"], "totp", wrong(code))
    assert locked.status_code == 423 and locked.headers["Retry-After"] in ("899", "900")
    assert _verify(client, body["login_token"], "totp", code).status_code == 423


def test_a_disabled_account_cannot_log_in(client):
    account = active_citizen()
    account.status = DISABLED
    db.session.flush()
    assert log_in(client, account.login, "wrong-password").status_code == 401
    response = log_in(client, account.login)
    assert response.status_code == 403 and response.get_json()["code"] == "account_disabled"


# --- staff ---------------------------------------------------------------------------------

def test_staff_must_use_totp(client):
    created = create_staff(role="officer", login="officer.test", full_name="Lê Thị Hoa",
                           password=PASSWORD, commune_code="27727")
    body = log_in(client, "Officer.Test").get_json()
    assert body["second_factors"] == ["totp"] and body["sms"] is None
    assert client.post(f"{API}/login/sms", json={"login_token": body["login_token"]}).status_code == 403
    assert _verify(client, body["login_token"], "sms", "123456").status_code == 403
    done = _verify(client, body["login_token"], "totp", totp_code(created.totp_secret))
    assert done.status_code == 200 and done.get_json()["level"] == 2
    claims = decode_access_token(done.get_json()["access_token"])
    assert claims.role == "officer"
    db.session.refresh(created.account)
    assert created.account.totp_confirmed_at is not None
    assert created.provisioning_uri.startswith("otpauth://totp/Smart%20Province:officer.test?secret=")


def test_staff_without_totp_cannot_log_in(client):
    created = create_staff(role="leader", login="leader.test", full_name="Phạm Văn Lãnh", password=PASSWORD)
    created.account.totp_secret = None
    db.session.flush()
    response = log_in(client, "leader.test")
    assert response.status_code == 403 and response.get_json()["code"] == "totp_required"


# --- step-up -------------------------------------------------------------------------------

def test_step_up_with_totp(client):
    citizen = bound_citizen()
    body = log_in(client, citizen.account.login).get_json()
    client.post(f"{API}/login/sms", json={"login_token": body["login_token"]})
    tokens = _verify(client, body["login_token"], "sms", last_code(citizen.account.phone, "login")).get_json()
    headers = bearer_of(tokens)
    needs = client.get("/_probe/auth/level2", headers=headers)
    assert needs.status_code == 403 and needs.get_json()["code"] == "step_up_required"

    bad = client.post(f"{API}/step-up", json={"code": wrong(totp_code(citizen.totp_secret))}, headers=headers)
    assert bad.status_code == 422
    stepped = client.post(f"{API}/step-up", json={"code": totp_code(citizen.totp_secret)}, headers=headers)
    assert stepped.status_code == 200 and stepped.get_json()["level"] == 2
    assert stepped.get_json()["methods"] == ["pwd", "sms", "otp"] and stepped.get_json()["refresh_token"] is None
    assert client.get("/_probe/auth/level2", headers=bearer_of(stepped.get_json())).status_code == 200
    # the refresh token of the session now yields level-2 access tokens
    refreshed = client.post(f"{API}/tokens/refresh", json={"refresh_token": tokens["refresh_token"]}).get_json()
    assert refreshed["level"] == 2


def test_a_level_1_account_cannot_step_up(client):
    account = active_citizen()
    from tests.factories import bearer

    response = client.post(f"{API}/step-up", json={"code": "123456"}, headers=bearer(account))
    assert response.status_code == 403 and response.get_json()["code"] == "level_unavailable"


# --- per-address rate limits ----------------------------------------------------------------

def test_login_attempts_per_address_are_limited(client):
    for _ in range(10):
        assert log_in(client, "080090999994", "whatever-pass").status_code in (401, 423)
    limited = log_in(client, "080090999994", "whatever-pass")
    assert limited.status_code == 429 and limited.get_json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    other = client.post(f"{API}/login", json={"login": "080090999994", "password": "x"},
                        environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert other.status_code in (401, 423)
    with time_machine.travel(utcnow() + timedelta(seconds=61), tick=False):
        assert log_in(client, "080090999994", "whatever-pass").status_code in (401, 423)


def test_otp_sending_per_address_is_limited(client):
    for i in range(5):
        response = client.post(f"{API}/password-resets", json={"personal_id": "080090999993",
                                                               "phone": f"09100000{i:02d}"})
        assert response.status_code == 202
    limited = client.post(f"{API}/password-resets", json={"personal_id": "080090999993", "phone": "0910000099"})
    assert limited.status_code == 429 and "Retry-After" in limited.headers


def test_otp_verification_per_address_is_limited(client):
    flow = str(uuid.uuid4())
    for _ in range(20):
        assert client.post(f"{API}/registrations/verify",
                           json={"challenge_id": flow, "code": "123456"}).status_code == 404
    limited = client.post(f"{API}/registrations/verify", json={"challenge_id": flow, "code": "123456"})
    assert limited.status_code == 429 and "Retry-After" in limited.headers


def test_totp_secret_is_encrypted_at_rest():
    citizen = bound_citizen()
    stored = db.session.scalar(select(Account.totp_secret).where(Account.id == citizen.account.id))
    assert citizen.totp_secret.encode() not in stored
    assert totp.decrypt_secret(stored) == citizen.totp_secret


@pytest.mark.parametrize("field", ["login", "password"])
def test_missing_fields_are_422(client, field):
    body = {"login": "080090999992", "password": "x"}
    del body[field]
    response = client.post(f"{API}/login", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
