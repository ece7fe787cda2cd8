"""The authorisation helpers every domain uses, exercised through real tokens."""
import uuid
from datetime import timedelta

import jwt
import pytest

from app.common.auth import OutOfScope, ensure_staff_scope
from app.common.clock import utcnow
from app.extensions import db
from app.common import roles
from app.identity.models import DISABLED
from app.common.token_keys import token_keys
from app.identity.tokens import decode_access_token
from tests.factories import AccountFactory, bearer


def test_valid_token_gives_the_principal(client):
    account = AccountFactory()
    response = client.get("/_probe/auth/me", headers=bearer(account))
    assert response.status_code == 200
    assert response.get_json() == {"id": str(account.id), "role": "citizen", "level": 1}


def test_no_token_is_401(client):
    response = client.get("/_probe/auth/me")
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"


def test_wrong_role_is_403(client):
    admin = AccountFactory(role=roles.ADMIN)
    response = client.get("/_probe/auth/me", headers=bearer(admin))
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden_role"


def test_level_1_session_must_step_up(client):
    account = AccountFactory(level=2)
    response = client.get("/_probe/auth/level2", headers=bearer(account, level=1))
    assert response.status_code == 403
    assert response.get_json()["code"] == "step_up_required"
    assert client.get("/_probe/auth/level2", headers=bearer(account, level=2)).status_code == 200


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: "not.a.token",
    lambda t: jwt.encode({**jwt.decode(t, options={"verify_signature": False})}, "", algorithm="none"),
    lambda t: jwt.encode({**jwt.decode(t, options={"verify_signature": False})}, "other-key-" + "x" * 32, algorithm="HS256"),
])
def test_tampered_or_unsigned_tokens_are_refused(client, mangle):
    token = bearer(AccountFactory())["Authorization"].split()[1]
    response = client.get("/_probe/auth/me", headers={"Authorization": f"Bearer {mangle(token)}"})
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_token"


def test_expired_token_is_refused(client, app):
    import time_machine

    headers = bearer(AccountFactory())
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        response = client.get("/_probe/auth/me", headers=headers)
    assert response.status_code == 401


def test_wrong_audience_or_type_is_refused(app):
    from app.identity.tokens import InvalidToken, issue_access_token

    token = issue_access_token(account_id=uuid.uuid4(), role="citizen", level=1, methods=["pwd"],
                               session_id=uuid.uuid4(), token_type="refresh")
    with pytest.raises(InvalidToken):
        decode_access_token(token)
    claims = jwt.decode(bearer(AccountFactory())["Authorization"].split()[1], options={"verify_signature": False})
    keys = token_keys()
    forged = jwt.encode({**claims, "aud": "someone-else"}, keys.signing_key, algorithm="EdDSA",
                        headers={"kid": keys.signing_kid})
    with pytest.raises(InvalidToken):
        decode_access_token(forged)


def test_revoked_session_and_disabled_account_are_refused_at_once(client):
    account = AccountFactory()
    headers = bearer(account)
    claims = decode_access_token(headers["Authorization"].split()[1])
    from app.identity.models import AuthSession

    db.session.get(AuthSession, claims.session_id).revoked_at = utcnow()
    db.session.flush()
    assert client.get("/_probe/auth/me", headers=headers).status_code == 401

    other = bearer(account)
    account.status = DISABLED
    db.session.flush()
    assert client.get("/_probe/auth/me", headers=other).status_code == 401


def test_tokens_issued_before_the_cutoff_are_refused(client):
    account = AccountFactory()
    headers = bearer(account)
    account.tokens_valid_after = utcnow() + timedelta(seconds=2)
    db.session.flush()
    assert client.get("/_probe/auth/me", headers=headers).status_code == 401


def test_staff_scope():
    from app.common.auth import Principal

    agency = uuid.uuid4()
    officer = Principal(uuid.uuid4(), roles.OFFICER, 2, ("pwd", "otp"), uuid.uuid4(),
                        agency_id=agency, commune_code="27727")
    ensure_staff_scope(officer, agency_id=agency, commune_code="27727")
    with pytest.raises(OutOfScope):
        ensure_staff_scope(officer, agency_id=uuid.uuid4())
    with pytest.raises(OutOfScope):
        ensure_staff_scope(officer, commune_code="27736")
    leader = Principal(uuid.uuid4(), roles.LEADER, 2, ("pwd", "otp"), uuid.uuid4())
    ensure_staff_scope(leader, agency_id=agency, commune_code="99999")
