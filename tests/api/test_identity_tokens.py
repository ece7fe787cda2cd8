"""Access and refresh tokens, sessions, logout and the per-account cutoff."""
import hashlib
import json
import uuid
from datetime import timedelta

import jwt
import pytest
import time_machine
from sqlalchemy import select

from app.common.clock import utcnow
from app.extensions import db
from app.identity.models import AuthSession, RefreshToken
from app.identity.staff import create_staff
from app.common.token_keys import token_keys
from app.identity.tokens import decode_access_token
from tests.factories import bearer
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    API, PASSWORD, active_citizen, bearer_of, bound_citizen, fresh_rate_limits, last_code, log_in,
    totp_code,
)


def _login(client, account) -> dict:
    body = log_in(client, account.login).get_json()
    response = client.post(f"{API}/login/verify", json={
        "login_token": body["login_token"], "method": "sms", "code": last_code(account.phone, "login")})
    assert response.status_code == 200
    return response.get_json()


def test_access_token_claims(client, app):
    citizen = bound_citizen()
    body = log_in(client, citizen.account.login, device_id=str(citizen.device.id),
                  device_secret=citizen.device_secret).get_json()
    tokens = client.post(f"{API}/login/verify", json={
        "login_token": body["login_token"], "method": "totp", "code": totp_code(citizen.totp_secret)}).get_json()
    header = jwt.get_unverified_header(tokens["access_token"])
    keys = token_keys()
    assert header["alg"] == "EdDSA" and header["typ"] == "at+jwt" and header["kid"] == keys.signing_kid
    claims = jwt.decode(tokens["access_token"], keys.signing_key.public_key(), algorithms=["EdDSA"],
                        audience="smart-province-api")
    assert claims["iss"] == "smart-province" and claims["typ"] == "access"
    assert claims["sub"] == str(citizen.account.id) and claims["role"] == "citizen"
    assert claims["acr"] == "2" and claims["amr"] == ["pwd", "otp"]
    assert claims["sid"] == tokens["session_id"] and claims["did"] == str(citizen.device.id)
    assert 0 < claims["exp"] - claims["iat"] <= 15 * 60
    # the refresh token is opaque and stored only as a hash
    stored = db.session.scalars(select(RefreshToken.token_hash)).all()
    assert tokens["refresh_token"] not in stored and len(stored[0]) == 64


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")   # the forged HS512 token
def test_only_the_configured_algorithm_is_accepted(client, app):
    account = active_citizen()
    token = bearer(account)["Authorization"].split()[1]
    claims = jwt.decode(token, options={"verify_signature": False})
    for forged in (jwt.encode(claims, None, algorithm="none"),
                   jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS512")):
        response = client.get(f"{API}/me", headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401 and response.get_json()["code"] == "invalid_token"


def test_tokens_of_another_type_or_issuer_are_refused(client, app):
    account = active_citizen()
    claims = jwt.decode(bearer(account)["Authorization"].split()[1], options={"verify_signature": False})
    for change in ({"typ": "refresh"}, {"iss": "someone-else"}, {"aud": "other-api"}):
        keys = token_keys()
        forged = jwt.encode({**claims, **change}, keys.signing_key, algorithm="EdDSA", headers={"kid": keys.signing_kid})
        assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_an_access_token_expires_after_15_minutes(client):
    account = active_citizen()
    headers = bearer(account)
    with time_machine.travel(utcnow() + timedelta(minutes=14, seconds=50), tick=False):
        assert client.get(f"{API}/me", headers=headers).status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=15, seconds=1), tick=False):
        assert client.get(f"{API}/me", headers=headers).status_code == 401


def test_a_token_is_verified_once_per_process_and_only_a_valid_one_is_kept(client, monkeypatch):
    from app.identity import tokens

    keys = token_keys()
    keys.verified_claims.clear()
    token = bearer(active_citizen())["Authorization"].split()[1]
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert keys.verified_claims[token]["sub"] == jwt.decode(token, options={"verify_signature": False})["sub"]

    header, payload, signature = token.split(".")
    other = jwt.decode(bearer(active_citizen())["Authorization"].split()[1], options={"verify_signature": False})
    forged_payload = jwt.utils.base64url_encode(json.dumps(other).encode()).decode()
    for forged in (f"{header}.{forged_payload}.{signature}", f"{header}.{payload}.{signature[:-4]}AAAA"):
        response = client.get(f"{API}/me", headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401 and response.get_json()["code"] == "invalid_token"
        assert forged not in keys.verified_claims

    monkeypatch.setattr(tokens, "VERIFIED_TOKENS_KEPT", 2)
    for _ in range(3):
        fresh = bearer(active_citizen())
        assert client.get(f"{API}/me", headers=fresh).status_code == 200
        assert len(keys.verified_claims) <= 2       # bounded: past the limit, the kept claims are dropped


def test_refresh_rotates_and_reuse_revokes_the_family(client):
    account = active_citizen()
    first = _login(client, account)
    second = client.post(f"{API}/tokens/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    second = second.get_json()
    assert second["refresh_token"] != first["refresh_token"] and second["session_id"] == first["session_id"]
    assert client.get(f"{API}/me", headers=bearer_of(second)).status_code == 200

    reused = client.post(f"{API}/tokens/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401 and reused.get_json()["code"] == "refresh_token_reused"
    session = db.session.get(AuthSession, uuid.UUID(first["session_id"]))
    assert session.revoked_reason == "refresh_token_reused"
    # the whole family is gone: the newest refresh token and the access tokens
    assert client.post(f"{API}/tokens/refresh", json={"refresh_token": second["refresh_token"]}).status_code == 401
    assert client.get(f"{API}/me", headers=bearer_of(second)).status_code == 401


def test_a_refresh_records_the_sessions_last_use_and_stores_only_the_new_tokens_hash(client):
    account = active_citizen()
    first = _login(client, account)
    later = utcnow() + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        second = client.post(f"{API}/tokens/refresh", json={"refresh_token": first["refresh_token"]}).get_json()
    db.session.expire_all()
    session = db.session.get(AuthSession, uuid.UUID(second["session_id"]))
    assert session.last_seen_at == later.replace(microsecond=session.last_seen_at.microsecond)
    stored = db.session.scalars(select(RefreshToken).where(RefreshToken.session_id == session.id)
                                .order_by(RefreshToken.created_at)).all()
    assert len(stored) == 2 and stored[0].used_at is not None and stored[1].used_at is None
    assert stored[1].token_hash == hashlib.sha256(second["refresh_token"].encode()).hexdigest()
    assert second["refresh_token"] not in {row.token_hash for row in stored}
    assert abs((stored[1].expires_at - (later + timedelta(days=14))).total_seconds()) < 1
    with time_machine.travel(later, tick=False):
        claims = decode_access_token(second["access_token"])
    assert (claims.session_id, claims.level, list(claims.methods)) == (session.id, second["level"], second["methods"])


def test_a_disabled_accounts_refresh_token_is_refused_and_spent(client):
    account = active_citizen()
    tokens = _login(client, account)
    account.status = "disabled"
    db.session.flush()
    response = client.post(f"{API}/tokens/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 401 and response.get_json()["code"] == "invalid_refresh_token"
    db.session.expire_all()
    stored = db.session.scalars(select(RefreshToken).where(RefreshToken.session_id == uuid.UUID(tokens["session_id"])))
    assert [row.used_at is not None for row in stored] == [True]      # spent, and no new one


def test_unknown_refresh_token_is_refused(client):
    response = client.post(f"{API}/tokens/refresh", json={"refresh_token": "made-up"})
    assert response.status_code == 401 and response.get_json()["code"] == "invalid_refresh_token"


def test_refresh_token_idle_expiry(client):
    account = active_citizen()
    tokens = _login(client, account)
    with time_machine.travel(utcnow() + timedelta(days=14, seconds=1), tick=False):
        response = client.post(f"{API}/tokens/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 401 and response.get_json()["code"] == "invalid_refresh_token"


def test_refresh_token_absolute_expiry(client):
    account = active_citizen()
    tokens = _login(client, account)
    start = utcnow()
    for days in (13, 26, 39, 52):
        with time_machine.travel(start + timedelta(days=days), tick=False):
            tokens = client.post(f"{API}/tokens/refresh", json={"refresh_token": tokens["refresh_token"]}).get_json()
            assert "access_token" in tokens
    with time_machine.travel(start + timedelta(days=60, seconds=1), tick=False):
        response = client.post(f"{API}/tokens/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 401


def test_logout_rejects_the_access_token_at_once(client):
    account = active_citizen()
    tokens = _login(client, account)
    assert client.post(f"{API}/logout", json={}, headers=bearer_of(tokens)).status_code == 204
    assert client.get(f"{API}/me", headers=bearer_of(tokens)).status_code == 401
    assert client.post(f"{API}/tokens/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_logout_everywhere(client):
    account = active_citizen()
    one, two = bearer(account), bearer(account)
    assert client.post(f"{API}/logout", json={"everywhere": True}, headers=one).status_code == 204
    assert client.get(f"{API}/me", headers=two).status_code == 401
    assert all(s.revoked_at for s in db.session.scalars(select(AuthSession).where(
        AuthSession.account_id == account.id)))


def test_password_change_cuts_off_every_earlier_access_token(client):
    account = active_citizen()
    here, elsewhere = _login(client, account), bearer(account)
    changed = client.post(f"{API}/password", headers=bearer_of(here), json={
        "current_password": PASSWORD, "new_password": "mat-khau-moi-that-dai-2025"})
    assert changed.status_code == 200
    assert client.get(f"{API}/me", headers=elsewhere).status_code == 401
    assert client.get(f"{API}/me", headers=bearer_of(here)).status_code == 401        # cutoff
    assert client.get(f"{API}/me", headers=bearer_of(changed.get_json())).status_code == 200
    # this session continues: its refresh token still works
    assert client.post(f"{API}/tokens/refresh", json={"refresh_token": here["refresh_token"]}).status_code == 200


def test_password_change_needs_the_current_password(client):
    account = active_citizen()
    response = client.post(f"{API}/password", headers=bearer(account), json={
        "current_password": "not-it-at-all", "new_password": "mat-khau-moi-that-dai-2025"})
    assert response.status_code == 401 and response.get_json()["code"] == "invalid_credentials"


def test_disabling_an_account_rejects_its_tokens_at_once(client):
    admin = create_staff(role="admin", login="admin.test", full_name="Quản Trị", password=PASSWORD).account
    account = active_citizen()
    tokens = _login(client, account)
    response = client.post(f"{API}/accounts/{account.id}/disable", headers=bearer(admin, level=2))
    assert response.status_code == 200 and response.get_json()["status"] == "disabled"
    assert client.get(f"{API}/me", headers=bearer_of(tokens)).status_code == 401
    assert client.post(f"{API}/tokens/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert client.post(f"{API}/accounts/{account.id}/enable", headers=bearer(admin, level=2)).status_code == 200
    # a citizen cannot disable anyone
    refused = client.post(f"{API}/accounts/{admin.id}/disable", headers=bearer(account))
    assert refused.status_code == 403 and refused.get_json()["code"] == "forbidden_role"


def test_list_and_revoke_sessions(client):
    account = active_citizen()
    mine, other = _login(client, account), bearer(account)
    listed = client.get(f"{API}/sessions", headers=bearer_of(mine))
    assert listed.status_code == 200
    items = listed.get_json()["items"]
    assert len(items) == 2 and [i["current"] for i in items].count(True) == 1
    current = next(i for i in items if i["current"])
    assert current["id"] == mine["session_id"] and current["methods"] == ["pwd", "sms"]
    victim = next(i for i in items if not i["current"])
    assert client.delete(f"{API}/sessions/{victim['id']}", headers=bearer_of(mine)).status_code == 204
    assert client.get(f"{API}/me", headers=other).status_code == 401
    assert len(client.get(f"{API}/sessions", headers=bearer_of(mine)).get_json()["items"]) == 1


def test_another_accounts_session_is_404(client):
    mine, theirs = active_citizen(), active_citizen()
    their_session = decode_access_token(bearer(theirs)["Authorization"].split()[1]).session_id
    response = client.delete(f"{API}/sessions/{their_session}", headers=bearer(mine))
    assert response.status_code == 404 and response.get_json()["code"] == "session_not_found"


def test_sessions_need_a_token(client):
    assert client.get(f"{API}/sessions").status_code == 401
    assert client.get(f"{API}/me").status_code == 401
