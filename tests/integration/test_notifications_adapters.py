"""Channel adapters against real local servers: HTTP for SMS and FCM, SMTP (aiosmtpd) for e-mail."""
import json
import socket
import threading
import uuid
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from app.extensions import db
from app.notifications.channels.base import Delivery, PermanentFailure, TemporaryFailure
from app.notifications.channels.email import SmtpEmail
from app.notifications.channels.push import FcmPush, ServiceAccountToken
from app.notifications.channels.sms import BrandnameSms
from app.notifications.models import DELIVERED, EMAIL, PERMANENT_FAILURE, SENDING, NotificationProfile, OutboxMessage
from app.notifications.service import notify
from app.notifications.worker import Worker
from tests.factories import AccountFactory


def _delivery(channel="sms", address="0912345678", body="Ho so H1 da duoc tiep nhan.", **kw):
    return Delivery(message_id=uuid.uuid4(), notification_id=uuid.uuid4(), event="dossier_received",
                    channel=channel, address=address, title="Hồ sơ đã được tiếp nhận", body=body,
                    idempotency_key=uuid.uuid4().hex, **kw)


class FakeProvider:
    """A local HTTP server answering each path with queued (status, json, headers)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: dict[str, list] = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                provider.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                queue = provider.answers.get(self.path) or [(200, {}, {})]
                status, payload, headers = queue.pop(0) if len(queue) > 1 else queue[0]
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def answer(self, path, *answers):
        self.answers[path] = [(a[0], a[1], a[2] if len(a) > 2 else {}) for a in answers]

    def json(self, index=-1):
        return json.loads(self.requests[index]["body"])


@pytest.fixture
def provider():
    fake = FakeProvider()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


# --- brandname SMS -----------------------------------------------------------------

def _sms(provider, callback_url=""):
    return BrandnameSms(url=f"{provider.url}/send", api_key="KEY", secret_key="SECRET", brandname="TAYNINH",
                        callback_url=callback_url, timeout=2)


def test_brandname_sms_request_and_accepted_answer(provider):
    provider.answer("/send", (200, {"CodeResult": "100", "SMSID": "d533459ee42b"}))
    delivery = _delivery()
    sent = _sms(provider, callback_url="https://api.example/receipts").send(delivery)
    assert (sent.provider, sent.provider_ref, sent.delivered) == ("brandname", "d533459ee42b", False)
    assert provider.json() == {
        "ApiKey": "KEY", "SecretKey": "SECRET", "Phone": "0912345678", "Content": "Ho so H1 da duoc tiep nhan.",
        "Brandname": "TAYNINH", "SmsType": "2", "IsUnicode": "0", "RequestId": delivery.idempotency_key,
        "CallbackUrl": "https://api.example/receipts",
    }


def test_brandname_sms_without_callback_counts_acceptance_as_delivery(provider):
    provider.answer("/send", (200, {"CodeResult": "100", "SMSID": "x1"}))
    sent = _sms(provider).send(_delivery(body="Hồ sơ đã nộp"))
    assert sent.delivered is True
    assert provider.json()["IsUnicode"] == "1" and "CallbackUrl" not in provider.json()


def test_brandname_duplicate_request_id_means_already_accepted(provider):
    provider.answer("/send", (200, {"CodeResult": "124", "ErrorMessage": "Duplicate RequestId"}))
    assert _sms(provider).send(_delivery()).provider_ref is None


@pytest.mark.parametrize("status, payload, kind, reason", [
    (200, {"CodeResult": "108", "ErrorMessage": "Phone invalid"}, PermanentFailure,
     "SMS provider code 108: the phone number is not valid"),
    (200, {"CodeResult": "99"}, PermanentFailure, "SMS provider code 99: the phone number is blocked by the provider"),
    (200, {"CodeResult": "103", "ErrorMessage": "Not enough balance"}, TemporaryFailure,
     "SMS provider code 103: Not enough balance"),
    (503, {}, TemporaryFailure, "SMS provider answered HTTP 503"),
    (401, {}, TemporaryFailure, "SMS provider refused the request (HTTP 401)"),
])
def test_brandname_errors_are_temporary_or_permanent(provider, status, payload, kind, reason):
    provider.answer("/send", (status, payload))
    with pytest.raises(kind) as caught:
        _sms(provider).send(_delivery())
    assert caught.value.reason == reason


def test_an_unreachable_provider_is_a_temporary_failure():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sms = BrandnameSms(url=f"http://127.0.0.1:{port}/send", api_key="k", secret_key="s", brandname="B", timeout=1)
    with pytest.raises(TemporaryFailure, match="no answer from 127.0.0.1"):
        sms.send(_delivery())


# --- FCM HTTP v1 -------------------------------------------------------------------

@pytest.fixture(scope="module")
def service_account():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return key.public_key(), {"client_email": "push@smart-province.iam.gserviceaccount.com",
                              "private_key": pem, "private_key_id": "k1"}


def _fcm(provider, info):
    credentials = ServiceAccountToken({**info, "token_uri": f"{provider.url}/token"}, timeout=2)
    return FcmPush(project_id="smart-province", credentials=credentials, endpoint=provider.url, timeout=2)


def test_fcm_message_format():
    push = FcmPush(project_id="p", credentials=None)
    delivery = _delivery(channel="push", address="tok-1", priority=2,
                         data={"receipt_code": "H1", "amount": 5000, "from": "x", "google.x": "y", "none": None})
    message = push.message(delivery)
    assert message == {
        "token": "tok-1",
        "notification": {"title": "Hồ sơ đã được tiếp nhận", "body": "Ho so H1 da duoc tiep nhan."},
        "data": {"receipt_code": "H1", "amount": "5000", "event": "dossier_received",
                 "message_id": delivery.idempotency_key, "notification_id": str(delivery.notification_id)},
        "android": {"priority": "HIGH", "ttl": "86400s", "notification": {"tag": delivery.idempotency_key}},
        "apns": {"headers": {"apns-priority": "10", "apns-collapse-id": delivery.idempotency_key},
                 "payload": {"aps": {"sound": "default"}}},
    }
    assert push.message(_delivery(channel="push", priority=5))["android"]["priority"] == "NORMAL"


def test_fcm_gets_an_access_token_once_and_sends(provider, service_account):
    public_key, info = service_account
    provider.answer("/token", (200, {"access_token": "ya29.token", "expires_in": 3599}))
    provider.answer("/v1/projects/smart-province/messages:send",
                    (200, {"name": "projects/smart-province/messages/0:1500415314455276%31bd1c96"}))
    push = _fcm(provider, info)
    first = push.send(_delivery(channel="push", address="tok-1"))
    push.send(_delivery(channel="push", address="tok-2"))
    assert first.provider_ref == "projects/smart-province/messages/0:1500415314455276%31bd1c96"
    paths = [r["path"] for r in provider.requests]
    assert paths == ["/token", "/v1/projects/smart-province/messages:send", "/v1/projects/smart-province/messages:send"]
    grant = parse_qs(provider.requests[0]["body"].decode())
    assert grant["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    claims = jwt.decode(grant["assertion"][0], public_key, algorithms=["RS256"], audience=f"{provider.url}/token")
    assert claims["iss"] == info["client_email"]
    assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"
    assert provider.requests[1]["headers"]["Authorization"] == "Bearer ya29.token"
    assert provider.json(1)["message"]["token"] == "tok-1"


def _fcm_error(status, code, fcm_code=None):
    details = [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcm_code}] if fcm_code else []
    return {"error": {"code": status, "status": code, "message": "m", "details": details}}


@pytest.mark.parametrize("status, body, headers, kind, unregistered, retry_after", [
    (404, _fcm_error(404, "NOT_FOUND", "UNREGISTERED"), {}, PermanentFailure, True, None),
    (403, _fcm_error(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"), {}, PermanentFailure, True, None),
    (400, _fcm_error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"), {}, PermanentFailure, False, None),
    (429, _fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"), {"Retry-After": "30"}, TemporaryFailure, None, 30),
    (503, _fcm_error(503, "UNAVAILABLE", "UNAVAILABLE"), {}, TemporaryFailure, None, None),
    (401, _fcm_error(401, "UNAUTHENTICATED"), {}, TemporaryFailure, None, None),
])
def test_fcm_errors(provider, service_account, status, body, headers, kind, unregistered, retry_after):
    provider.answer("/token", (200, {"access_token": "t", "expires_in": 3600}))
    provider.answer("/v1/projects/smart-province/messages:send", (status, body, headers))
    with pytest.raises(kind) as caught:
        _fcm(provider, service_account[1]).send(_delivery(channel="push", address="tok"))
    if kind is PermanentFailure:
        assert caught.value.unregistered is unregistered
    else:
        assert caught.value.retry_after == retry_after
    assert caught.value.reason.startswith("FCM ")


def test_fcm_refused_credentials_are_a_temporary_failure(provider, service_account):
    provider.answer("/token", (400, {"error": "invalid_grant"}))
    with pytest.raises(TemporaryFailure, match="FCM credentials refused"):
        _fcm(provider, service_account[1]).send(_delivery(channel="push", address="tok"))


# --- SMTP (a real local server) --------------------------------------------------------

class Mailbox:
    def __init__(self, refuse: dict[str, str] | None = None):
        self.messages: list = []
        self.refuse = refuse or {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    mailbox = Mailbox(refuse={"nobody@example.vn": "550 5.1.1 No such user",
                              "full@example.vn": "452 4.2.2 Mailbox full"})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


def _smtp(port):
    return SmtpEmail(host="127.0.0.1", port=port, sender="Smart Province <no-reply@smartprovince.vn>", timeout=5)


def test_smtp_delivers_a_mail_with_the_idempotency_key_as_message_id(smtp_server):
    mailbox, port = smtp_server
    delivery = _delivery(channel="email", address="an@example.vn", body="Hồ sơ H1 đã được tiếp nhận.")
    sent = _smtp(port).send(delivery)
    assert sent.provider == "smtp" and sent.delivered
    assert sent.provider_ref == f"<{delivery.idempotency_key}@smartprovince.vn>"
    (mail_from, recipients, raw), = mailbox.messages
    assert (mail_from, recipients) == ("no-reply@smartprovince.vn", ["an@example.vn"])
    mail = message_from_bytes(raw)
    assert str(make_header(decode_header(mail["Subject"]))) == "Hồ sơ đã được tiếp nhận"
    assert mail["Message-ID"] == sent.provider_ref and mail["Auto-Submitted"] == "auto-generated"
    text = mail.get_payload(decode=True).decode(mail.get_content_charset())
    assert text.startswith("Hồ sơ H1 đã được tiếp nhận.") and "vui lòng không trả lời" in text


def test_smtp_refusals_are_permanent_or_temporary_by_code(smtp_server):
    _, port = smtp_server
    with pytest.raises(PermanentFailure, match="recipient refused: 550"):
        _smtp(port).send(_delivery(channel="email", address="nobody@example.vn"))
    with pytest.raises(TemporaryFailure, match="recipient refused: 452"):
        _smtp(port).send(_delivery(channel="email", address="full@example.vn"))


def test_smtp_server_down_is_temporary():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TemporaryFailure, match="SMTP server unreachable"):
        _smtp(port).send(_delivery(channel="email", address="an@example.vn"))


def test_the_worker_sends_e_mail_through_a_real_smtp_server(app, db_session, smtp_server):
    mailbox, port = smtp_server
    account = AccountFactory()
    db.session.add(NotificationProfile(account_id=account.id, email="an@example.vn", locale="en", choices={}))
    db.session.commit()
    notify("payment_succeeded", account_id=account.id, params={"amount": 250000, "receipt_code": "H80-1"})
    notify("payment_refunded", account_id=account.id, params={"amount": 1000})
    db.session.commit()
    worker = Worker(app, name="smtp-worker", run_jobs=False)
    worker.channels = {**worker.channels, EMAIL: _smtp(port)}
    worker.drain()
    emails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == EMAIL)
                                .order_by(OutboxMessage.created_at)).all()
    assert [(m.status, m.provider) for m in emails] == [(DELIVERED, "smtp"), (DELIVERED, "smtp")]
    subjects = sorted(str(make_header(decode_header(message_from_bytes(raw)["Subject"])))
                      for _, _, raw in mailbox.messages)
    assert subjects == ["Payment received", "Payment refunded"]
    assert [m.provider_ref for m in emails] == [f"<{m.idempotency_key}@smartprovince.vn>" for m in emails]
    assert sorted(message_from_bytes(raw)["Message-ID"] for _, _, raw in mailbox.messages) == sorted(
        m.provider_ref for m in emails)


def test_the_worker_records_a_refused_recipient_as_permanent(app, db_session, smtp_server):
    _, port = smtp_server
    account = AccountFactory()
    db.session.add(NotificationProfile(account_id=account.id, email="nobody@example.vn", locale="vi", choices={}))
    db.session.commit()
    notify("payment_refunded", account_id=account.id, params={"amount": 1000})
    db.session.commit()
    worker = Worker(app, name="smtp-worker", run_jobs=False)
    worker.channels = {**worker.channels, EMAIL: _smtp(port)}
    worker.drain()
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == EMAIL))
    assert email.status == PERMANENT_FAILURE and email.last_error.startswith("recipient refused: 550")


def test_the_worker_with_the_brandname_adapter_waits_for_the_receipt(app, db_session, provider):
    provider.answer("/send", (200, {"CodeResult": "100", "SMSID": "SMS-77"}))
    (message,) = notify("otp_code", phone="0912000111", params={"code": "135790", "purpose": "register"},
                        urgent=True, sensitive=True)
    db.session.commit()
    worker = Worker(app, name="sms-worker", run_jobs=False)
    worker.channels = {**worker.channels, "sms": _sms(provider, callback_url="https://x/receipts")}
    worker.drain()
    stored = db.session.get(OutboxMessage, message.id, populate_existing=True)
    assert (stored.status, stored.provider, stored.provider_ref) == (SENDING, "brandname", "SMS-77")
    assert stored.params == {} and stored.body is None
    assert provider.json()["Content"].startswith("135790 la ma xac thuc dang ky tai khoan")
    assert provider.json()["RequestId"] == stored.idempotency_key
