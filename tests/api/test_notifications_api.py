"""HTTP: inbox, preferences, push devices, signed receipts, development read-back, operators' view."""
import json
import uuid

import pytest
from sqlalchemy import select

from app.extensions import db
from app.common import roles
from app.notifications.models import (
    DELIVERED, IN_APP, PERMANENT_FAILURE, PUSH, SENDING, SMS, TEMPORARY_FAILURE,
    MockDelivery, NotificationProfile, OutboxMessage, PushDevice,
)
from app.notifications.delivery_receipts import sign
from app.notifications.service import notify
from app.notifications.worker import Worker
from tests.factories import AccountFactory, bearer

BASE = "/api/v1/notifications"
TOKEN = "fcm-registration-token-" + "x" * 40


@pytest.fixture
def citizen(db_session):
    account = AccountFactory()
    return account, bearer(account)


@pytest.fixture
def other(db_session):
    account = AccountFactory()
    return account, bearer(account)


def _inbox_messages(account, n):
    for i in range(n):
        notify("dossier_received", account_id=account.id, params={"receipt_code": f"H80-{i:04d}"})
    db.session.commit()


# --- inbox ----------------------------------------------------------------------

def test_inbox_lists_my_messages_newest_first_with_a_cursor(client, citizen, other):
    account, headers = citizen
    _inbox_messages(account, 5)
    _inbox_messages(other[0], 2)
    first = client.get(f"{BASE}/inbox?limit=3", headers=headers)
    assert first.status_code == 200
    page = first.get_json()
    assert [item["data"]["receipt_code"] for item in page["items"]] == ["H80-0004", "H80-0003", "H80-0002"]
    assert page["items"][0]["title"] == "Hồ sơ đã được tiếp nhận"
    assert page["items"][0]["body"] == "Hồ sơ H80-0004 đã được tiếp nhận."
    assert page["items"][0]["event"] == "dossier_received" and page["items"][0]["read_at"] is None
    # A message arriving between pages neither repeats nor shifts the next page
    _inbox_messages(account, 1)
    second = client.get(f"{BASE}/inbox?limit=3&cursor={page['next_cursor']}", headers=headers).get_json()
    assert [item["data"]["receipt_code"] for item in second["items"]] == ["H80-0001", "H80-0000"]
    assert second["next_cursor"] is None


def test_inbox_needs_a_login_and_a_valid_cursor(client, citizen):
    assert client.get(f"{BASE}/inbox").status_code == 401
    response = client.get(f"{BASE}/inbox?cursor=%%%", headers=citizen[1])
    assert response.status_code == 422 and response.get_json()["code"] == "invalid_cursor"


def test_unread_count_mark_one_and_mark_all(client, citizen, other):
    account, headers = citizen
    _inbox_messages(account, 3)
    _inbox_messages(other[0], 1)
    assert client.get(f"{BASE}/inbox/unread-count", headers=headers).get_json() == {"unread": 3}
    newest = client.get(f"{BASE}/inbox", headers=headers).get_json()["items"][0]
    read = client.post(f"{BASE}/inbox/{newest['id']}/read", headers=headers)
    assert read.status_code == 200 and read.get_json()["read_at"] is not None
    again = client.post(f"{BASE}/inbox/{newest['id']}/read", headers=headers)
    assert again.get_json()["read_at"] == read.get_json()["read_at"]     # the first reading is kept
    assert client.get(f"{BASE}/inbox/unread-count", headers=headers).get_json() == {"unread": 2}
    unread = client.get(f"{BASE}/inbox?unread=true", headers=headers).get_json()["items"]
    assert newest["id"] not in {item["id"] for item in unread} and len(unread) == 2
    marked = client.post(f"{BASE}/inbox/read-all", headers=headers)
    assert marked.status_code == 200 and marked.get_json() == {"marked": 2}
    assert client.get(f"{BASE}/inbox/unread-count", headers=headers).get_json() == {"unread": 0}
    # The other citizen's inbox is untouched
    assert client.get(f"{BASE}/inbox/unread-count", headers=other[1]).get_json() == {"unread": 1}


def test_another_citizens_message_is_not_found(client, citizen, other):
    _inbox_messages(other[0], 1)
    theirs = db.session.scalar(select(OutboxMessage).where(OutboxMessage.account_id == other[0].id))
    response = client.post(f"{BASE}/inbox/{theirs.id}/read", headers=citizen[1])
    assert response.status_code == 404 and response.get_json()["code"] == "message_not_found"
    assert db.session.get(OutboxMessage, theirs.id, populate_existing=True).read_at is None


def test_only_delivered_in_app_messages_are_in_the_inbox(client, citizen):
    account, headers = citizen
    notify("result_issued", account_id=account.id, params={"receipt_code": "H1"})   # in-app + SMS
    db.session.commit()
    items = client.get(f"{BASE}/inbox", headers=headers).get_json()["items"]
    assert len(items) == 1
    sms = db.session.scalar(select(OutboxMessage).where(OutboxMessage.account_id == account.id,
                                                        OutboxMessage.channel == SMS))
    assert client.post(f"{BASE}/inbox/{sms.id}/read", headers=headers).status_code == 404


# --- preferences ------------------------------------------------------------------

def test_preferences_default_and_change(client, citizen):
    account, headers = citizen
    current = client.get(f"{BASE}/preferences", headers=headers)
    assert current.status_code == 200
    body = current.get_json()
    assert body["locale"] == "vi" and body["email"] is None
    matrix = {(c["category"], c["channel"]): c for c in body["channels"]}
    assert matrix[("dossier", "push")]["enabled"] is True and matrix[("dossier", "sms")]["enabled"] is False
    assert matrix[("security", "sms")] == {"category": "security", "channel": "sms", "enabled": True, "locked": True}
    changed = client.patch(f"{BASE}/preferences", headers=headers, json={
        "locale": "en", "email": "An.Nguyen@Example.vn",
        "channels": [{"category": "dossier", "channel": "sms", "enabled": True},
                     {"category": "payment", "channel": "push", "enabled": False}]})
    assert changed.status_code == 200
    body = changed.get_json()
    assert body["locale"] == "en" and body["email"] == "an.nguyen@example.vn"
    matrix = {(c["category"], c["channel"]): c["enabled"] for c in body["channels"]}
    assert matrix[("dossier", "sms")] is True and matrix[("payment", "push")] is False
    profile = db.session.scalar(select(NotificationProfile).where(NotificationProfile.account_id == account.id))
    assert profile.choices == {"dossier": {"sms": True}, "payment": {"push": False}}
    # And notify() follows them
    messages = notify("dossier_approved", account_id=account.id, params={"receipt_code": "H1"})
    assert sorted((m.channel, m.locale) for m in messages) == [("email", "en"), ("in_app", "en"), ("sms", "en")]
    # The e-mail can be removed
    cleared = client.patch(f"{BASE}/preferences", headers=headers, json={"email": None})
    assert cleared.get_json()["email"] is None and cleared.get_json()["locale"] == "en"


def test_security_messages_and_the_inbox_cannot_be_switched_off(client, citizen):
    account, headers = citizen
    for category, channel in (("security", "sms"), ("otp", "sms"), ("dossier", "in_app")):
        response = client.patch(f"{BASE}/preferences", headers=headers, json={
            "channels": [{"category": category, "channel": channel, "enabled": False}]})
        assert response.status_code == 422
        assert response.get_json()["code"] == "preference_locked"
    assert db.session.scalar(select(NotificationProfile).where(NotificationProfile.account_id == account.id)) is None


@pytest.mark.parametrize("body", [
    {"locale": "fr"}, {"email": "not-an-address"},
    {"channels": [{"category": "weather", "channel": "sms", "enabled": True}]},
    {"channels": [{"category": "dossier", "channel": "fax", "enabled": True}]},
    {"channels": [{"category": "dossier", "channel": "sms"}]},
])
def test_invalid_preferences_are_refused(client, citizen, body):
    response = client.patch(f"{BASE}/preferences", headers=citizen[1], json=body)
    assert response.status_code == 422 and response.get_json()["code"] == "validation_error"


# --- devices ----------------------------------------------------------------------

def test_register_list_and_remove_push_devices(client, citizen, other):
    account, headers = citizen
    created = client.post(f"{BASE}/devices", headers=headers,
                          json={"token": TOKEN, "platform": "android", "name": "Galaxy A54"})
    assert created.status_code == 201
    device = created.get_json()
    assert device["platform"] == "android" and device["token_hint"] == "…" + TOKEN[-8:]
    assert "token" not in device
    again = client.post(f"{BASE}/devices", headers=headers, json={"token": TOKEN, "platform": "android"})
    assert again.status_code == 200 and again.get_json()["id"] == device["id"]
    assert again.get_json()["name"] == "Galaxy A54"
    listed = client.get(f"{BASE}/devices", headers=headers).get_json()
    assert [d["id"] for d in listed] == [device["id"]]
    assert client.get(f"{BASE}/devices", headers=other[1]).get_json() == []
    # The other citizen cannot remove it
    assert client.delete(f"{BASE}/devices/{device['id']}", headers=other[1]).status_code == 404
    # notify() now sends a push to it
    messages = notify("dossier_approved", account_id=account.id, params={"receipt_code": "H1"})
    assert (PUSH, TOKEN) in {(m.channel, m.address) for m in messages}
    removed = client.delete(f"{BASE}/devices/{device['id']}", headers=headers)
    assert removed.status_code == 204
    assert db.session.scalars(select(PushDevice)).all() == []
    assert client.delete(f"{BASE}/devices/{device['id']}", headers=headers).status_code == 404


def test_a_token_registered_by_another_account_moves_to_it(client, citizen, other):
    client.post(f"{BASE}/devices", headers=citizen[1], json={"token": TOKEN, "platform": "ios"})
    moved = client.post(f"{BASE}/devices", headers=other[1], json={"token": TOKEN, "platform": "ios"})
    assert moved.status_code == 200
    (device,) = db.session.scalars(select(PushDevice)).all()
    assert device.account_id == other[0].id


@pytest.mark.parametrize("body", [{"token": "short", "platform": "android"}, {"token": TOKEN, "platform": "nokia"},
                                  {"platform": "android"}])
def test_invalid_devices_are_refused(client, citizen, body):
    assert client.post(f"{BASE}/devices", headers=citizen[1], json=body).status_code == 422


def test_devices_need_a_login(client):
    assert client.post(f"{BASE}/devices", json={"token": TOKEN, "platform": "android"}).status_code == 401
    assert client.delete(f"{BASE}/devices/{uuid.uuid4()}").status_code == 401


# --- receipts -----------------------------------------------------------------------

@pytest.fixture
def sent_sms(citizen):
    (message,) = notify("dossier_approved", account_id=citizen[0].id, params={"receipt_code": "H1"}, channels=(SMS,))
    db.session.flush()
    message.status, message.provider, message.provider_ref = SENDING, "brandname", "SMS-42"
    message.sent_at = message.created_at
    db.session.commit()
    return message


def _receipt(client, app, payload, *, signature=None, provider="brandname"):
    body = json.dumps(payload).encode()
    secret = app.config["NOTIFY_CALLBACK_SECRET"]
    return client.post(f"{BASE}/receipts/{provider}", data=body, content_type="application/json",
                       headers={"X-Signature": signature if signature is not None else sign(body, secret)})


def test_a_signed_receipt_marks_the_message_delivered(client, app, sent_sms):
    response = _receipt(client, app, {"reference": "SMS-42", "status": "DELIVRD"})
    assert response.status_code == 200
    assert response.get_json() == {"id": str(sent_sms.id), "status": DELIVERED, "changed": True}
    stored = db.session.get(OutboxMessage, sent_sms.id, populate_existing=True)
    assert stored.status == DELIVERED and stored.finished_at is not None


def test_receipts_are_idempotent_and_forward_only(client, app, sent_sms):
    assert _receipt(client, app, {"reference": "SMS-42", "status": "UNDELIV", "detail": "absent subscriber"}
                    ).get_json()["status"] == PERMANENT_FAILURE
    repeat = _receipt(client, app, {"reference": "SMS-42", "status": "UNDELIV"})
    assert repeat.status_code == 200 and repeat.get_json()["changed"] is False
    late = _receipt(client, app, {"reference": "SMS-42", "status": "DELIVRD"})
    assert late.status_code == 200
    assert late.get_json() == {"id": str(sent_sms.id), "status": PERMANENT_FAILURE, "changed": False}
    stored = db.session.get(OutboxMessage, sent_sms.id, populate_existing=True)
    assert (stored.status, stored.last_error) == (PERMANENT_FAILURE, "absent subscriber")


def test_an_intermediate_receipt_changes_nothing(client, app, sent_sms):
    response = _receipt(client, app, {"reference": "SMS-42", "status": "ENROUTE"})
    assert response.get_json() == {"id": str(sent_sms.id), "status": SENDING, "changed": False}


def test_a_receipt_may_name_our_idempotency_key(client, app, sent_sms):
    response = _receipt(client, app, {"reference": sent_sms.idempotency_key, "status": "EXPIRED"})
    assert response.get_json()["status"] == TEMPORARY_FAILURE


def test_unsigned_or_badly_signed_receipts_are_refused(client, app, sent_sms):
    for signature in ("", "sha256=" + "0" * 64, sign(b"{}", app.config["NOTIFY_CALLBACK_SECRET"])):
        response = _receipt(client, app, {"reference": "SMS-42", "status": "DELIVRD"}, signature=signature)
        assert response.status_code == 401 and response.get_json()["code"] == "invalid_callback_signature"
    assert db.session.get(OutboxMessage, sent_sms.id, populate_existing=True).status == SENDING


def test_receipts_for_unknown_things(client, app, sent_sms):
    unknown = _receipt(client, app, {"reference": "nope", "status": "DELIVRD"})
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "unknown_message"
    provider = _receipt(client, app, {"reference": "SMS-42", "status": "DELIVRD"}, provider="pigeon")
    assert provider.status_code == 404 and provider.get_json()["code"] == "unknown_provider"
    status = _receipt(client, app, {"reference": "SMS-42", "status": "MAYBE"})
    assert status.status_code == 422 and status.get_json()["code"] == "unknown_receipt_status"
    # A provider_ref of another provider does not match
    other = _receipt(client, app, {"reference": "SMS-42", "status": "delivered"}, provider="mock")
    assert other.status_code == 404


# --- development read-back and operators --------------------------------------------------

def test_every_sent_message_can_be_read_back_in_development(app, client, citizen):
    account, _ = citizen
    notify("otp_code", phone="0912000111", params={"code": "246810", "purpose": "register"},
           urgent=True, sensitive=True)
    notify("result_issued", account_id=account.id, params={"receipt_code": "H1"})
    db.session.add(PushDevice(account_id=account.id, token=TOKEN, platform="android"))
    db.session.commit()
    notify("dossier_approved", account_id=account.id, params={"receipt_code": "H1"})
    db.session.commit()
    Worker(app, name="dev", run_jobs=False).drain()
    everything = client.get("/api/v1/dev/messages").get_json()
    assert sorted((m["channel"], m["event"]) for m in everything) == [
        ("push", "dossier_approved"), ("sms", "otp_code"), ("sms", "result_issued")]
    (otp,) = client.get("/api/v1/dev/messages?channel=sms&address=0912000111").get_json()
    assert otp["body"].startswith("246810 la ma xac thuc") and otp["received"] == 1
    mine = client.get(f"/api/v1/dev/messages?account_id={account.id}").get_json()
    assert {m["event"] for m in mine} == {"result_issued", "dossier_approved"}
    assert client.get("/api/v1/dev/messages?channel=fax").status_code == 422
    cleared = client.delete("/api/v1/dev/messages")
    assert cleared.get_json() == {"deleted": 3}
    assert db.session.scalars(select(MockDelivery)).all() == []


def test_the_development_endpoint_exists_only_with_dev_endpoints():
    from app import create_app
    from app.config import ProductionConfig, TestingConfig

    config = TestingConfig({"TEST_DATABASE_URL": "sqlite://"})
    config.DEV_ENDPOINTS = False   # as in production
    rules = {rule.rule for rule in create_app(config).url_map.iter_rules()}
    assert "/api/v1/dev/messages" not in rules and "/api/v1/notifications/inbox" in rules
    assert ProductionConfig({}).DEV_ENDPOINTS is False


def test_operators_see_delivery_states_without_the_text(client, citizen):
    account, headers = citizen
    admin = AccountFactory(role=roles.ADMIN, personal_id=None, login="admin.notify")
    notify("result_issued", account_id=account.id, params={"receipt_code": "H1"})
    db.session.commit()
    admin_headers = bearer(admin)
    page = client.get(f"{BASE}/messages?channel=sms", headers=admin_headers)
    assert page.status_code == 200
    (item,) = page.get_json()["items"]
    assert item["event"] == "result_issued" and item["status"] == "created" and item["attempts"] == 0
    assert item["address"] == f"{account.phone[:3]}****{account.phone[-3:]}"
    assert "body" not in item and "params" not in item
    one = client.get(f"{BASE}/messages/{item['id']}", headers=admin_headers)
    assert one.status_code == 200 and one.get_json()["id"] == item["id"]
    assert client.get(f"{BASE}/messages/{uuid.uuid4()}", headers=admin_headers).status_code == 404
    assert client.get(f"{BASE}/messages", headers=headers).status_code == 403
    assert client.get(f"{BASE}/messages?status=lost", headers=admin_headers).status_code == 422
    inbox_only = client.get(f"{BASE}/messages?channel={IN_APP}&account_id={account.id}", headers=admin_headers)
    assert [m["status"] for m in inbox_only.get_json()["items"]] == [DELIVERED]
