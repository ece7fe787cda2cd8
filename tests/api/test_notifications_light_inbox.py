"""The inbox and its unread badge read rows and skip marshmallow: their answers must be byte for
byte what `InboxPageSchema` / `InboxUnreadCountSchema` dump for the same messages as ORM objects,
with the documented keys."""
import json
import uuid
from pathlib import Path

from flask import jsonify
from sqlalchemy import update

from app.extensions import db
from app.notifications.models import OutboxMessage
from app.notifications.schemas import InboxPageSchema, InboxUnreadCountSchema
from app.notifications.service import notify
from tests.factories import AccountFactory, bearer

BASE = "/api/v1/notifications"
OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def _inbox(client):
    """An inbox of varied messages: two events, read and unread, one in English, odd params, no title."""
    account = AccountFactory()
    headers = bearer(account)
    for n in range(6):
        notify("dossier_received", account_id=account.id, params={"receipt_code": f"H80-{n:04d}"})
    notify("dossier_received", account_id=account.id, locale="en",
           params={"receipt_code": "H80-«đặc biệt»", "nested": {"a": [1, 2]}, "none": None})
    db.session.commit()
    messages = client.get(f"{BASE}/inbox?limit=50", headers=headers).get_json()["items"]
    assert len(messages) == 7
    for message in messages[1:4]:
        assert client.post(f"{BASE}/inbox/{message['id']}/read", headers=headers).status_code == 200
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == uuid.UUID(messages[4]["id"]))
                       .values(title=None))
    db.session.commit()
    return headers


def _pages(client, headers, query: str) -> list:
    pages, cursor = [], None
    while True:
        response = client.get(f"{BASE}/inbox?{query}" + (f"&cursor={cursor}" if cursor else ""), headers=headers)
        assert response.status_code == 200
        pages.append(response)
        cursor = response.get_json()["next_cursor"]
        if not cursor:
            return pages


def _schema_bytes(app, answer: dict) -> bytes:
    messages = [db.session.get(OutboxMessage, uuid.UUID(item["id"]), populate_existing=True)
                for item in answer["items"]]
    with app.test_request_context():
        return jsonify(InboxPageSchema().dump({"items": messages, "next_cursor": answer["next_cursor"]})).get_data()


def test_every_inbox_page_is_byte_for_byte_the_schemas_dump(client, app):
    headers = _inbox(client)
    answers = [page.get_json() for page in _pages(client, headers, "limit=3")]
    items = [item for answer in answers for item in answer["items"]]
    assert len(answers) == 3 and len(items) == 7
    assert {item["read_at"] is None for item in items} == {True, False}
    assert any(item["title"] is None for item in items) and any(item["data"].get("nested") for item in items)
    for query in ("limit=3", "limit=20", "limit=2&unread=true"):
        for response in _pages(client, headers, query):
            assert response.data == _schema_bytes(app, response.get_json())


def test_the_unread_count_is_byte_for_byte_the_schemas_dump(client, app):
    headers = _inbox(client)
    response = client.get(f"{BASE}/inbox/unread-count", headers=headers)
    with app.test_request_context():
        assert response.data == jsonify(InboxUnreadCountSchema().dump({"unread": 4})).get_data()


def test_the_inbox_items_have_exactly_the_documented_properties(client):
    headers = _inbox(client)
    documented = json.loads(OPENAPI.read_text())["components"]["schemas"]
    for response in _pages(client, headers, "limit=4"):
        page = response.get_json()
        assert set(page) == set(documented["InboxPage"]["properties"])
        for item in page["items"]:
            assert set(item) == set(documented["InboxItem"]["properties"])
    count = client.get(f"{BASE}/inbox/unread-count", headers=headers).get_json()
    assert set(count) == set(documented["InboxUnreadCount"]["properties"])
