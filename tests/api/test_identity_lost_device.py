"""A lost phone: frozen at once from the web, a desk or a helper; unfrozen only by the phone itself.
Freezing or unbinding cuts every level-2 session resting on the device; refresh cannot bring it back."""
import uuid

from sqlalchemy import select

from app.extensions import db
from app.identity.models import AuthSession, Device
from app.identity.tokens import decode_access_token
from app.identity.sessions import start_session
from tests.eid_fixtures import EVERY_CHANNEL, OTHER_COMMUNE, channels_of, desk_officer, helper, reachable
from tests.factories import bearer
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    API, PASSWORD, bearer_of, bound_citizen, fresh_rate_limits, log_in, next_step, totp_code, wrong,
)


def _session_with_tokens(citizen, level, methods, device=None):
    issued = start_session(citizen.account, level=level, methods=list(methods),
                           device_id=device.id if device else None)
    db.session.flush()
    return {"access_token": issued.access_token, "refresh_token": issued.refresh_token,
            "session_id": issued.session_id}


def _report(client, citizen, headers=None, password=PASSWORD):
    headers = headers or bearer(citizen.account, level=1, methods=("pwd", "sms"))
    return client.post(f"{API}/devices/{citizen.device.id}/lost", json={"password": password}, headers=headers)


def _frozen(citizen) -> bool:
    db.session.expire_all()
    return db.session.get(Device, citizen.device.id).frozen_at is not None


def test_reporting_from_the_web_freezes_and_cuts_every_level_2_session(client):
    citizen = bound_citizen()
    reachable(citizen.account)
    phone = _session_with_tokens(citizen, 2, ("pwd", "otp"), citizen.device)
    web_qr = _session_with_tokens(citizen, 2, ("qr",))
    web_totp = _session_with_tokens(citizen, 2, ("pwd", "otp"))
    response = _report(client, citizen)
    assert response.status_code == 200 and response.get_json()["frozen_at"]
    assert _frozen(citizen)
    # access tokens refused at once
    for tokens in (phone, web_qr, web_totp):
        assert client.get(f"{API}/me", headers=bearer_of(tokens)).status_code == 401
    # the phone's own session ended; the web sessions dropped to level 1 and refresh keeps them there
    assert db.session.get(AuthSession, phone["session_id"]).revoked_reason == "device_lost"
    for tokens in (web_qr, web_totp):
        refreshed = client.post(f"{API}/tokens/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 200 and refreshed.get_json()["level"] == 1
        assert decode_access_token(refreshed.get_json()["access_token"]).level == 1
    assert client.post(f"{API}/tokens/refresh", json={"refresh_token": phone["refresh_token"]}).status_code == 401
    assert channels_of(citizen.account, "eid_device_frozen") == EVERY_CHANNEL
    # level 2 is suspended: TOTP proves nothing, neither at login nor for a step-up
    with next_step():
        started = log_in(client, citizen.account.login).get_json()
        refused = client.post(f"{API}/login/verify", json={"login_token": started["login_token"], "method": "totp",
                                                           "code": totp_code(citizen.totp_secret)})
        assert refused.status_code == 403 and refused.get_json()["code"] == "device_frozen"
        level_2 = log_in(client, citizen.account.login, level=2)
        assert level_2.status_code == 403 and level_2.get_json()["code"] == "level_unavailable"
        device_login = client.post(f"{API}/login/device", json={
            "login": citizen.account.login, "device_id": str(citizen.device.id),
            "device_secret": citizen.device_secret, "code": totp_code(citizen.totp_secret)})
        assert device_login.status_code == 403 and device_login.get_json()["code"] == "device_frozen"


def test_a_frozen_phone_cannot_approve_a_qr_login(client):
    citizen = bound_citizen()
    _report(client, citizen)
    phone = citizen.phone_headers()       # even a session that still claims the device
    created = client.post(f"{API}/qr-logins", json={"client_name": "Web"}).get_json()
    refused = client.post(f"{API}/qr-logins/approve", json={"code": created["code"]}, headers=phone)
    assert refused.status_code == 403 and refused.get_json()["code"] == "device_frozen"


def test_web_report_refusals(client):
    citizen = bound_citizen()
    no_sms = _report(client, citizen, headers=bearer(citizen.account, level=1, methods=("pwd",)))
    assert no_sms.status_code == 403 and no_sms.get_json()["code"] == "method_not_sufficient"
    bad = _report(client, citizen, password="not-the-password-at-all")
    assert bad.status_code == 401 and bad.get_json()["code"] == "invalid_credentials"
    db.session.refresh(citizen.account)
    assert citizen.account.failed_logins == 1
    other = client.post(f"{API}/devices/{uuid.uuid4()}/lost", json={"password": PASSWORD},
                        headers=bearer(citizen.account, level=1, methods=("pwd", "sms")))
    assert other.status_code == 404
    assert not _frozen(citizen)


def test_an_officer_freezes_at_the_desk_after_checking_the_person(client):
    citizen = bound_citizen()
    body = {"personal_id": citizen.account.personal_id, "method": "face_match", "evidence": "someone else"}
    failed = client.post(f"{API}/desk/lost-devices", json=body, headers=desk_officer())
    assert failed.status_code == 422 and failed.get_json()["code"] == "identity_verification_failed"
    out = client.post(f"{API}/desk/lost-devices", json={**body, "evidence": citizen.account.personal_id},
                      headers=desk_officer(OTHER_COMMUNE))
    assert out.status_code == 403 and out.get_json()["code"] == "out_of_scope"
    assert not _frozen(citizen)
    done = client.post(f"{API}/desk/lost-devices", json={**body, "evidence": citizen.account.personal_id},
                       headers=desk_officer())
    assert done.status_code == 200 and _frozen(citizen)
    assert db.session.get(Device, citizen.device.id).frozen_reason == "desk"


def test_a_helper_freezes_with_the_residents_consent(client):
    citizen = bound_citizen()
    body = {"personal_id": citizen.account.personal_id, "resident_consent": False}
    refused = client.post(f"{API}/assist/lost-devices", json=body, headers=helper())
    assert refused.status_code == 422 and refused.get_json()["code"] == "resident_consent_required"
    elsewhere = client.post(f"{API}/assist/lost-devices", json={**body, "resident_consent": True},
                            headers=helper(OTHER_COMMUNE))
    assert elsewhere.status_code == 403
    done = client.post(f"{API}/assist/lost-devices", json={**body, "resident_consent": True}, headers=helper())
    assert done.status_code == 200 and _frozen(citizen)


def test_a_found_phone_unfreezes_with_its_secret_totp_and_the_password(client):
    citizen = bound_citizen()
    reachable(citizen.account)
    proof = {"login": citizen.account.login, "device_id": str(citizen.device.id),
             "device_secret": citizen.device_secret, "password": PASSWORD}
    not_frozen = client.post(f"{API}/devices/unfreeze", json={**proof, "code": totp_code(citizen.totp_secret)})
    assert not_frozen.status_code == 409 and not_frozen.get_json()["code"] == "device_not_frozen"
    _report(client, citizen)
    with next_step():
        code = totp_code(citizen.totp_secret)
        for wrong_part in ({"device_secret": "x" * 43}, {"password": "sai-mat-khau-roi-nhe"},
                           {"device_id": str(uuid.uuid4())}, {"login": "079000000000"}):
            refused = client.post(f"{API}/devices/unfreeze", json={**proof, **wrong_part, "code": code})
            assert refused.status_code == 401 and refused.get_json()["code"] == "invalid_device_proof"
        bad_totp = client.post(f"{API}/devices/unfreeze", json={**proof, "code": wrong(code)})
        assert bad_totp.status_code == 422
        done = client.post(f"{API}/devices/unfreeze", json={**proof, "code": code})
    assert done.status_code == 200 and done.get_json()["frozen_at"] is None
    assert not _frozen(citizen)
    assert channels_of(citizen.account, "eid_device_unfrozen") == EVERY_CHANNEL


def test_refresh_after_unbinding_gives_level_1(client):
    citizen = bound_citizen()
    web = _session_with_tokens(citizen, 2, ("qr",))
    assert client.delete(f"{API}/devices/{citizen.device.id}", headers=bearer_of(web)).status_code == 204
    assert client.get(f"{API}/me", headers=bearer_of(web)).status_code == 401
    refreshed = client.post(f"{API}/tokens/refresh", json={"refresh_token": web["refresh_token"]})
    assert refreshed.status_code == 200 and refreshed.get_json()["level"] == 1
    level2 = client.get("/_probe/auth/level2", headers=bearer_of(refreshed.get_json()))
    assert level2.status_code == 403 and level2.get_json()["code"] == "step_up_required"
    assert db.session.scalars(select(AuthSession).where(AuthSession.account_id == citizen.account.id,
                                                        AuthSession.level == 2,
                                                        AuthSession.revoked_at.is_(None))).all() == []
