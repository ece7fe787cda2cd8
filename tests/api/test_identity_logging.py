"""The security log: every success and failure is there, and no secret ever is."""
import json
import logging
import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.common.clock import utcnow
from app.common.logging import MaskingJsonFormatter
from app.extensions import db
from app.identity.staff import create_staff
from app.notifications.models import OutboxMessage
from tests.factories import RegistryCitizenFactory, bearer
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    API, PASSWORD, bearer_of, fresh_rate_limits, handed_activation, totp_code, wrong,
)


def _codes(phone):
    return [m.params["code"] for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.event == "otp_code", OutboxMessage.address == phone))]


def _last(phone, purpose):
    for message in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.event == "otp_code", OutboxMessage.address == phone)
            .order_by(OutboxMessage.created_at.desc())):
        if message.params["purpose"] == purpose:
            return message.params["code"]


def test_a_whole_journey_logs_events_but_no_secret(client, app_logs):
    citizen = RegistryCitizenFactory()
    phone, pid = citizen.phone_numbers[0], citizen.personal_id
    secrets = [PASSWORD]
    start = utcnow()

    # register
    flow = client.post(f"{API}/registrations", json={
        "personal_id": pid, "full_name": citizen.full_name,
        "date_of_birth": citizen.date_of_birth.isoformat(), "phone": phone}).get_json()["challenge_id"]
    client.post(f"{API}/registrations/verify", json={"challenge_id": flow, "code": wrong(_last(phone, "register"))})
    setup = client.post(f"{API}/registrations/verify",
                        json={"challenge_id": flow, "code": _last(phone, "register")}).get_json()["setup_token"]
    secrets.append(setup)
    assert client.post(f"{API}/registrations/password",
                       json={"setup_token": setup, "password": PASSWORD}).status_code == 200
    # log in with a wrong password, then with SMS
    client.post(f"{API}/login", json={"login": pid, "password": "a-wrong-password-1"})
    started = client.post(f"{API}/login", json={"login": pid, "password": PASSWORD}).get_json()
    secrets.append(started["login_token"])
    tokens = client.post(f"{API}/login/verify", json={"login_token": started["login_token"], "method": "sms",
                                                      "code": _last(phone, "login")}).get_json()
    secrets += [tokens["access_token"], tokens["refresh_token"]]
    # bind the phone
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        activation = handed_activation(pid)
        secrets.append(activation)
        binding = client.post(f"{API}/device-bindings", json={"device_name": "Phone", "in_person_code": activation},
                              headers=bearer_of(tokens)).get_json()["id"]
        enrolment = client.post(f"{API}/device-bindings/{binding}/sms", json={"code": _last(phone, "bind_device")},
                                headers=bearer_of(tokens)).get_json()
        secret = enrolment["secret"]
        secrets += [secret, enrolment["provisioning_uri"]]
        client.post(f"{API}/device-bindings/{binding}/totp", json={"code": wrong(totp_code(secret))},
                    headers=bearer_of(tokens))
        first_code = totp_code(secret)
        bound = client.post(f"{API}/device-bindings/{binding}/totp", json={"code": first_code},
                            headers=bearer_of(tokens)).get_json()
        secrets += [bound["device_secret"], bound["tokens"]["access_token"]]
        phone_headers = bearer_of(bound["tokens"])
        # QR login on the web, approved by the phone
        qr = client.post(f"{API}/qr-logins", json={"client_name": "Web"}).get_json()
        secrets += [qr["code"], qr["poll_secret"]]
        client.post(f"{API}/qr-logins/approve", json={"code": qr["code"]}, headers=phone_headers)
        web = client.get(qr["poll_url"], headers={"X-Poll-Secret": qr["poll_secret"]}).get_json()["tokens"]
        secrets += [web["access_token"], web["refresh_token"]]
        refreshed = client.post(f"{API}/tokens/refresh", json={"refresh_token": web["refresh_token"]}).get_json()
        secrets += [refreshed["access_token"], refreshed["refresh_token"]]
        # an authorisation refusal elsewhere, and a bad token
        leader = create_staff(role="leader", login="leader.log", full_name="Lãnh Đạo", password=PASSWORD)
        client.get("/_probe/auth/me", headers=bearer(leader.account))
        client.get(f"{API}/me", headers={"Authorization": "Bearer not-a-token"})
    with time_machine.travel(start + timedelta(seconds=122), tick=False):
        second_code = totp_code(secret)
        started = client.post(f"{API}/login", json={"login": pid, "password": PASSWORD}).get_json()
        secrets.append(started["login_token"])
        client.post(f"{API}/login/verify", json={"login_token": started["login_token"], "method": "totp",
                                                 "code": second_code})

    formatter = MaskingJsonFormatter("{asctime}{levelname}{name}{message}", style="{")
    lines = [formatter.format(record) for record in app_logs.records if record.name.startswith("app")]
    raw = [repr(record.__dict__) for record in app_logs.records]
    text = "\n".join(lines)
    for secret_value in secrets:
        assert secret_value not in text
        assert all(secret_value not in r for r in raw)
    numbers = _codes(phone) + [first_code, second_code]
    for number in numbers + [pid, phone]:
        assert not re.search(rf"(?<![0-9A-Za-z]){number}(?![0-9A-Za-z])", text), number
    assert pid not in "\n".join(raw) and phone not in "\n".join(raw)

    events = [json.loads(line).get("audit", {}) for line in lines]
    seen = {(e.get("event"), e.get("outcome")) for e in events}
    for wanted in [("registration.started", "success"), ("otp.sent", "success"), ("otp.failed", "failure"),
                   ("otp.verified", "success"), ("registration.completed", "success"),
                   ("login.password_failed", "failure"), ("login.password_ok", "success"),
                   ("login.succeeded", "success"), ("device.totp_failed", "failure"), ("device.bound", "success"),
                   ("qr.created", "success"), ("qr.approved", "success"), ("qr.tokens_issued", "success"),
                   ("refresh.succeeded", "success"), ("authorization.refused", "failure")]:
        assert wanted in seen, wanted
    refusals = [e for e in events if e.get("event") == "authorization.refused"]
    assert {r["code"] for r in refusals} >= {"forbidden_role", "invalid_token"}
    masked = [e["login"] for e in events if e.get("event") == "login.password_failed"]
    assert masked == [pid[:3] + "******" + pid[-3:]]
    assert all(record.levelno >= logging.INFO for record in app_logs.records if record.name == "app.identity.audit")
