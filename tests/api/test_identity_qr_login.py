"""QR-code login across devices: web asks, the bound phone approves, the web gets tokens once."""
import base64
import uuid
from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.common.clock import utcnow
from app.extensions import db
from app.identity import qr_login
from app.identity.models import AuthSession, QrLogin
from app.identity.tokens import decode_access_token
from app.notifications.models import OutboxMessage
from tests.api.test_identity_devices import decode_png, decode_svg
from tests.factories import bearer
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    API, active_citizen, bearer_of, bound_citizen, fresh_rate_limits,
)

WEB = {"environ_base": {"REMOTE_ADDR": "203.0.113.7"},
       "headers": {"User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/140.0"}}


def _create(client, **kwargs):
    options = {**WEB, **kwargs}
    response = client.post(f"{API}/qr-logins", json={"client_name": "Cổng dịch vụ công tỉnh"}, **options)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _poll(client, created, secret=None, **query):
    return client.get(created["poll_url"], query_string=query,
                      headers={"X-Poll-Secret": created["poll_secret"] if secret is None else secret})


def test_the_whole_qr_login(client):
    citizen = bound_citizen()
    phone = citizen.phone_headers()
    created = _create(client)
    assert created["code"].startswith("spqr1.")
    random_part = created["code"].removeprefix("spqr1.")
    assert len(base64.urlsafe_b64decode(random_part + "=" * (-len(random_part) % 4))) * 8 >= 128
    assert decode_png(created["qr_png"]) == created["code"]
    assert decode_svg(created["qr_svg"]) == created["code"]
    assert created["poll_url"] == f"{API}/qr-logins/{created['id']}"
    stored = db.session.get(QrLogin, uuid.UUID(created["id"]))
    assert created["code"] not in stored.code_hash and created["poll_secret"] not in stored.poll_secret_hash
    assert _poll(client, created).get_json()["status"] == "pending"

    scanned = client.post(f"{API}/qr-logins/scan", json={"code": created["code"]}, headers=phone)
    assert scanned.status_code == 200
    who = scanned.get_json()
    assert who["client_name"] == "Cổng dịch vụ công tỉnh" and who["ip_address"] == "203.0.113.7"
    assert "Firefox" in who["user_agent"] and who["kind"] == "login" and who["requested_at"]
    assert _poll(client, created).get_json()["status"] == "scanned"

    approved = client.post(f"{API}/qr-logins/approve", json={"code": created["code"]}, headers=phone)
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    web_session_id = approved.get_json()["session_id"]
    notice = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.account_id == citizen.account.id, OutboxMessage.event == "qr_login_approved"))
    assert notice is not None

    # the new web session is in the phone's list at once
    sessions = client.get(f"{API}/sessions", headers=phone).get_json()["items"]
    web = next(s for s in sessions if s["id"] == web_session_id)
    assert web["level"] == 2 and web["methods"] == ["qr"] and web["ip_address"] == "203.0.113.7"

    polled = _poll(client, created)
    assert polled.status_code == 200
    body = polled.get_json()
    assert body["status"] == "approved"
    tokens = body["tokens"]
    assert tokens["level"] == 2 and tokens["methods"] == ["qr"] and tokens["session_id"] == web_session_id
    claims = decode_access_token(tokens["access_token"])
    assert claims.account_id == citizen.account.id and claims.level == 2
    assert client.get("/_probe/auth/level2", headers=bearer_of(tokens)).status_code == 200
    # exactly once
    again = _poll(client, created)
    assert again.status_code == 410 and again.get_json()["code"] == "qr_login_consumed"
    # the phone ends the web session: its tokens die at once
    assert client.delete(f"{API}/sessions/{web_session_id}", headers=phone).status_code == 204
    assert client.get(f"{API}/me", headers=bearer_of(tokens)).status_code == 401
    assert client.post(f"{API}/tokens/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_polling_from_elsewhere_gets_nothing(client):
    citizen = bound_citizen()
    created = _create(client)
    client.post(f"{API}/qr-logins/approve", json={"code": created["code"]}, headers=citizen.phone_headers())
    for secret in ("", "guessed-secret"):
        response = _poll(client, created, secret=secret)
        assert response.status_code == 404 and response.get_json()["code"] == "qr_login_not_found"
    assert client.get(created["poll_url"]).status_code == 404
    # the real client still gets its tokens afterwards
    assert _poll(client, created).get_json()["tokens"]["level"] == 2


def test_a_code_expires_after_120_seconds(client):
    citizen = bound_citizen()
    created = _create(client)
    with time_machine.travel(utcnow() + timedelta(seconds=121), tick=False):
        phone = citizen.phone_headers()
        refused = client.post(f"{API}/qr-logins/approve", json={"code": created["code"]}, headers=phone)
        assert refused.status_code == 410 and refused.get_json()["code"] == "qr_login_expired"
        polled = _poll(client, created)
        assert polled.status_code == 410 and polled.get_json()["code"] == "qr_login_expired"
        # a refresh gives a new code; the old one is dead
        refreshed = client.post(f"{created['poll_url']}/refresh", headers={"X-Poll-Secret": created["poll_secret"]})
        assert refreshed.status_code == 200
        new = refreshed.get_json()
        assert new["id"] == created["id"] and new["code"] != created["code"] and "poll_secret" not in new
        assert decode_png(new["qr_png"]) == new["code"]
        old = client.post(f"{API}/qr-logins/approve", json={"code": created["code"]}, headers=phone)
        assert old.status_code == 404
        assert client.post(f"{API}/qr-logins/approve", json={"code": new["code"]}, headers=phone).status_code == 200
        assert _poll(client, created).get_json()["status"] == "approved"


def test_refresh_needs_the_poll_secret_and_an_open_request(client):
    citizen = bound_citizen()
    created = _create(client)
    assert client.post(f"{created['poll_url']}/refresh", headers={"X-Poll-Secret": "x"}).status_code == 404
    client.post(f"{API}/qr-logins/deny", json={"code": created["code"]}, headers=citizen.phone_headers())
    refused = client.post(f"{created['poll_url']}/refresh", headers={"X-Poll-Secret": created["poll_secret"]})
    assert refused.status_code == 409 and refused.get_json()["code"] == "qr_login_decided"


def test_a_request_cannot_be_refreshed_forever(client):
    created = _create(client)
    with time_machine.travel(utcnow() + timedelta(minutes=10, seconds=1), tick=False):
        response = client.post(f"{created['poll_url']}/refresh", headers={"X-Poll-Secret": created["poll_secret"]})
    assert response.status_code == 410


def test_a_level_1_session_cannot_approve(client):
    citizen = bound_citizen()
    created = _create(client)
    response = client.post(f"{API}/qr-logins/approve", json={"code": created["code"]},
                           headers=citizen.phone_headers(level=1))
    assert response.status_code == 403 and response.get_json()["code"] == "step_up_required"
    assert _poll(client, created).get_json()["status"] == "pending"


def test_only_the_bound_device_can_approve(client):
    citizen = bound_citizen()
    created = _create(client)
    elsewhere = bearer(citizen.account, level=2, methods=("pwd", "otp"))      # level 2, but no device
    response = client.post(f"{API}/qr-logins/approve", json={"code": created["code"]}, headers=elsewhere)
    assert response.status_code == 403 and response.get_json()["code"] == "bound_device_required"
    level_1_account = active_citizen()
    response = client.post(f"{API}/qr-logins/scan", json={"code": created["code"]},
                           headers=bearer(level_1_account))
    assert response.status_code == 403


def test_approve_twice_or_after_denial_is_409(client):
    citizen = bound_citizen()
    phone = citizen.phone_headers()
    created = _create(client)
    assert client.post(f"{API}/qr-logins/approve", json={"code": created["code"]}, headers=phone).status_code == 200
    twice = client.post(f"{API}/qr-logins/approve", json={"code": created["code"]}, headers=phone)
    assert twice.status_code == 409 and twice.get_json()["code"] == "qr_login_decided"

    denied = _create(client)
    response = client.post(f"{API}/qr-logins/deny", json={"code": denied["code"]}, headers=phone)
    assert response.status_code == 200 and response.get_json()["status"] == "denied"
    after = client.post(f"{API}/qr-logins/approve", json={"code": denied["code"]}, headers=phone)
    assert after.status_code == 409
    polled = _poll(client, denied).get_json()
    assert polled["status"] == "denied" and polled["tokens"] is None
    assert db.session.get(QrLogin, uuid.UUID(denied["id"])).session_id is None


def test_an_unknown_code_is_404(client):
    citizen = bound_citizen()
    response = client.post(f"{API}/qr-logins/scan", json={"code": "spqr1.made-up"}, headers=citizen.phone_headers())
    assert response.status_code == 404


def test_long_polling_returns_when_the_phone_approves(client, monkeypatch):
    citizen = bound_citizen()
    phone_principal = None
    created = _create(client)
    pauses = []

    def approve_during_the_wait(seconds):
        pauses.append(seconds)
        if len(pauses) == 2:
            from app.common.auth import Principal

            nonlocal phone_principal
            session = AuthSession(account_id=citizen.account.id, level=2, methods=["pwd", "otp"],
                                  device_id=citizen.device.id, expires_at=utcnow() + timedelta(days=1))
            db.session.add(session)
            db.session.flush()
            phone_principal = Principal(citizen.account.id, "citizen", 2, ("pwd", "otp"), session.id,
                                        device_id=citizen.device.id)
            qr_login.decide(phone_principal, created["code"], approve=True)

    monkeypatch.setattr(qr_login, "_pause", approve_during_the_wait)
    response = _poll(client, created, wait=20)
    assert response.status_code == 200 and response.get_json()["tokens"]["level"] == 2
    assert len(pauses) == 2


def test_long_polling_gives_up_after_wait(client, monkeypatch):
    created = _create(client)
    monkeypatch.setattr(qr_login, "_pause", lambda seconds: None)
    response = _poll(client, created, wait=0.05)
    assert response.status_code == 200 and response.get_json()["status"] == "pending"


def test_qr_step_up_of_a_level_1_web_session(client):
    citizen = bound_citizen()
    web = bearer(citizen.account, level=1, methods=("pwd", "sms"))
    created = _create(client, headers={**WEB["headers"], **web})
    stranger = bound_citizen()
    refused = client.post(f"{API}/qr-logins/scan", json={"code": created["code"]},
                          headers=stranger.phone_headers())
    assert refused.status_code == 403 and refused.get_json()["code"] == "qr_wrong_account"

    who = client.post(f"{API}/qr-logins/scan", json={"code": created["code"]}, headers=citizen.phone_headers())
    assert who.get_json()["kind"] == "step_up"
    client.post(f"{API}/qr-logins/approve", json={"code": created["code"]}, headers=citizen.phone_headers())
    tokens = _poll(client, created).get_json()["tokens"]
    web_session = decode_access_token(web["Authorization"].split()[1]).session_id
    assert tokens["session_id"] == str(web_session) and tokens["level"] == 2
    assert tokens["methods"] == ["pwd", "sms", "qr"] and tokens["refresh_token"] is None
    assert client.get("/_probe/auth/level2", headers=bearer_of(tokens)).status_code == 200


def test_a_level_1_account_cannot_ask_for_a_qr_step_up(client):
    account = active_citizen()
    response = client.post(f"{API}/qr-logins", json={}, headers=bearer(account))
    assert response.status_code == 403 and response.get_json()["code"] == "level_unavailable"
