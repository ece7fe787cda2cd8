"""Level 2: binding the phone (SMS to the registry phone, TOTP enrolment), rebinding, unbinding."""
import base64
import io
import re
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlparse

import pyotp
import time_machine
import zxingcpp
from PIL import Image
from sqlalchemy import select

from app.common.clock import utcnow
from app.extensions import db
from app.identity.models import AuthSession, Device, DeviceBinding
from app.identity.tokens import decode_access_token
from app.notifications.models import OutboxMessage
from tests.factories import bearer
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    API, active_citizen, bearer_of, bound_citizen, fresh_rate_limits, handed_activation, last_code, totp_code,
    wrong,
)


def decode_png(data_uri: str) -> str:
    assert data_uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1])))
    [result] = zxingcpp.read_barcodes(image)
    return result.text


def decode_svg(svg: str) -> str:
    """Rasterises qrcode's SVG path (one 'Mx,yH..V..H..z' square per dark module) and decodes it."""
    view = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    squares = re.findall(r"M([\d.]+),([\d.]+)H([\d.]+)", svg)
    module = float(squares[0][2]) - float(squares[0][0])
    size, scale = round(view / module), 8
    image = Image.new("L", (size * scale, size * scale), 255)
    pixels = image.load()
    for x, y, _ in squares:
        x0, y0 = round(float(x) / module) * scale, round(float(y) / module) * scale
        for dx in range(scale):
            for dy in range(scale):
                pixels[x0 + dx, y0 + dy] = 0
    [result] = zxingcpp.read_barcodes(image)
    return result.text


def _start(client, headers, name="Samsung Galaxy A55", code=None):
    body = {"device_name": name, "platform": "android"}
    if code:
        body["in_person_code"] = code
    return client.post(f"{API}/device-bindings", json=body, headers=headers)


def _start_activated(client, account, headers):
    return _start(client, headers, code=handed_activation(account.personal_id))


def test_upgrade_to_level_2_by_binding_the_phone(client):
    account = active_citizen(level=1)
    headers = bearer(account)
    started = _start_activated(client, account, headers)
    assert started.status_code == 201, started.get_json()
    assert started.get_json()["authorisation"] == "in_person" and started.get_json()["approval_code"] is None
    binding_id = started.get_json()["id"]
    code = last_code(account.phone, "bind_device")

    enrolment = client.post(f"{API}/device-bindings/{binding_id}/sms", json={"code": code}, headers=headers)
    assert enrolment.status_code == 200
    body = enrolment.get_json()
    secret = body["secret"]
    assert len(base64.b32decode(secret)) * 8 >= 160
    uri = urlparse(body["provisioning_uri"])
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert unquote(uri.path) == f"/Smart Province:{account.personal_id[:3]}******{account.personal_id[-3:]}"
    query = parse_qs(uri.query)
    assert query["secret"] == [secret] and query["issuer"] == ["Smart Province"]
    assert pyotp.parse_uri(body["provisioning_uri"]).secret == secret
    assert (body["algorithm"], body["digits"], body["period"]) == ("SHA1", 6, 30)
    assert decode_png(body["qr_png"]) == body["provisioning_uri"]
    assert decode_svg(body["qr_svg"]) == body["provisioning_uri"]

    bad = client.post(f"{API}/device-bindings/{binding_id}/totp", json={"code": wrong(totp_code(secret))},
                      headers=headers)
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid_totp"
    done = client.post(f"{API}/device-bindings/{binding_id}/totp", json={"code": totp_code(secret)},
                       headers=headers)
    assert done.status_code == 200, done.get_json()
    result = done.get_json()
    assert result["device"]["bound"] and result["device"]["name"] == "Samsung Galaxy A55"
    assert result["device_secret"] and result["tokens"]["level"] == 2
    db.session.refresh(account)
    assert account.level == 2 and account.level2_at is not None and account.totp_secret is not None
    assert secret.encode() not in account.totp_secret             # encrypted at rest
    claims = decode_access_token(result["tokens"]["access_token"])
    assert claims.level == 2 and str(claims.device_id) == result["device"]["id"]
    # every earlier access token is cut off, the new one works
    assert client.get(f"{API}/me", headers=headers).status_code == 401
    me = client.get(f"{API}/me", headers=bearer_of(result["tokens"])).get_json()
    assert me["level"] == 2 and me["totp_enabled"] and me["bound_device"]["id"] == result["device"]["id"]
    assert db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.account_id == account.id, OutboxMessage.event == "device_bound")) is not None
    # the binding is finished
    again = client.post(f"{API}/device-bindings/{binding_id}/totp", json={"code": totp_code(secret)},
                        headers=bearer_of(result["tokens"]))
    assert again.status_code == 410


def test_level_2_needs_biometric_enrolment(client):
    account = active_citizen(biometric_enrolled=False)
    response = _start(client, bearer(account))
    assert response.status_code == 403 and response.get_json()["code"] == "biometric_enrolment_required"
    assert db.session.scalars(select(DeviceBinding)).all() == []


def test_a_phone_no_longer_in_the_registry_cannot_be_bound(client):
    account = active_citizen()
    account.phone = "0933333333"
    db.session.flush()
    response = _start(client, bearer(account))
    assert response.status_code == 403 and response.get_json()["code"] == "phone_not_in_registry"


def test_totp_enrolment_needs_the_sms_code_first(client):
    account = active_citizen()
    headers = bearer(account)
    binding_id = _start_activated(client, account, headers).get_json()["id"]
    early = client.post(f"{API}/device-bindings/{binding_id}/totp", json={"code": "123456"}, headers=headers)
    assert early.status_code == 409 and early.get_json()["code"] == "device_binding_phone_not_verified"
    bad = client.post(f"{API}/device-bindings/{binding_id}/sms",
                      json={"code": wrong(last_code(account.phone, "bind_device"))}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid_otp"


def test_a_binding_expires(client):
    account = active_citizen()
    headers = bearer(account)
    binding_id = _start_activated(client, account, headers).get_json()["id"]
    code = last_code(account.phone, "bind_device")
    with time_machine.travel(utcnow() + timedelta(minutes=15, seconds=1), tick=False):
        response = client.post(f"{API}/device-bindings/{binding_id}/sms", json={"code": code},
                               headers=bearer(account))
    assert response.status_code == 410 and response.get_json()["code"] == "device_binding_expired"


def test_another_accounts_binding_is_404(client):
    owner, other = active_citizen(), active_citizen()
    binding_id = _start_activated(client, owner, bearer(owner)).get_json()["id"]
    response = client.post(f"{API}/device-bindings/{binding_id}/sms", json={"code": "123456"},
                           headers=bearer(other))
    assert response.status_code == 404


def test_binding_a_new_phone_ends_the_old_ones_sessions(client):
    citizen = bound_citizen()
    old_phone = citizen.phone_headers()
    new_phone = bearer(citizen.account, level=1, methods=("pwd", "sms"))   # logged in on the new phone
    web = bearer(citizen.account, level=1)                                 # a web session, no device
    started = _start(client, new_phone, "iPhone 16").get_json()
    binding_id = started["id"]
    secret = client.post(f"{API}/device-bindings/{binding_id}/sms",
                         json={"code": last_code(citizen.account.phone, "bind_device")},
                         headers=new_phone).get_json()["secret"]
    approved = client.post(f"{API}/device-bindings/approve", headers=old_phone, json={
        "approval_code": started["approval_code"], "device_secret": citizen.device_secret,
        "code": totp_code(citizen.totp_secret)})
    assert approved.status_code == 200, approved.get_json()
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        done = client.post(f"{API}/device-bindings/{binding_id}/totp", json={"code": totp_code(secret)},
                           headers=new_phone)
        assert done.status_code == 200
        new_tokens = done.get_json()["tokens"]
        assert client.get(f"{API}/me", headers=old_phone).status_code == 401
        assert client.get(f"{API}/me", headers=web).status_code == 401          # per-account cutoff
        assert client.get(f"{API}/me", headers=bearer_of(new_tokens)).status_code == 200
        devices = client.get(f"{API}/devices", headers=bearer_of(new_tokens)).get_json()
    assert [d["bound"] for d in devices] == [True, False]
    db.session.refresh(citizen.device)
    assert citizen.device.unbound_at is not None
    old_sessions = db.session.scalars(select(AuthSession).where(AuthSession.device_id == citizen.device.id)).all()
    assert old_sessions and all(s.revoked_reason == "device_replaced" for s in old_sessions)
    notices = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.account_id == citizen.account.id, OutboxMessage.event == "device_bound")).all()
    assert notices
    # the old phone's TOTP secret is gone: the new one is the account's
    with time_machine.travel(utcnow() + timedelta(seconds=62), tick=False):
        from tests.identity_fixtures import log_in

        body = log_in(client, citizen.account.login).get_json()
        old_code = client.post(f"{API}/login/verify", json={"login_token": body["login_token"], "method": "totp",
                                                            "code": totp_code(citizen.totp_secret)})
        assert old_code.status_code == 422
        new_code = client.post(f"{API}/login/verify", json={"login_token": body["login_token"], "method": "totp",
                                                            "code": totp_code(secret)})
        assert new_code.status_code == 200


def test_unbinding_a_device(client):
    citizen = bound_citizen()
    phone = citizen.phone_headers()
    web_level_1 = bearer(citizen.account, level=1)
    refused = client.delete(f"{API}/devices/{citizen.device.id}", headers=web_level_1)
    assert refused.status_code == 403 and refused.get_json()["code"] == "step_up_required"
    web = bearer(citizen.account, level=2, methods=("qr",))
    web_session = decode_access_token(web["Authorization"][7:]).session_id
    response = client.delete(f"{API}/devices/{citizen.device.id}", headers=web)
    assert response.status_code == 204
    assert client.get(f"{API}/me", headers=phone).status_code == 401
    assert client.get(f"{API}/me", headers=web).status_code == 401       # per-account cutoff
    db.session.refresh(citizen.account)
    assert citizen.account.totp_secret is None and citizen.account.level == 2
    # the web session rested on the device (its QR approval): it is level 1 now
    assert db.session.get(AuthSession, web_session).level == 1
    again = bearer(citizen.account, level=2, methods=("qr",))
    assert client.delete(f"{API}/devices/{citizen.device.id}", headers=again).status_code == 404
    assert client.delete(f"{API}/devices/{uuid.uuid4()}", headers=again).status_code == 404


def test_staff_cannot_bind_a_phone(client):
    from app.identity.staff import create_staff

    officer = create_staff(role="officer", login="officer.bind", full_name="Lê Văn Cán",
                           password="mua-xuan-tren-dong-song-2025").account
    response = _start(client, bearer(officer, level=2))
    assert response.status_code == 403 and response.get_json()["code"] == "forbidden_role"


def test_no_device_is_listed_for_a_new_account(client):
    account = active_citizen()
    assert client.get(f"{API}/devices", headers=bearer(account)).get_json() == []
    assert db.session.scalars(select(Device)).all() == []
