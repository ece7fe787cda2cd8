"""The in-app inbox as the API shows it: rows to JSON without marshmallow.

The inbox and its unread badge are polled by every open app; through
`InboxItemSchema` the dump of a page was a large part of their CPU. These
functions emit exactly what the schemas dump
(tests/api/test_notifications_light_inbox.py holds the two side by side, and
the keys against the OpenAPI document); the routes keep the schemas as the
documented contract. Marking a message read still answers through the schema.
"""
from flask import Response, jsonify


def inbox_page_json(page: dict) -> Response:
    """A page of rows (`inbox.ITEM_COLUMNS`) as `InboxPageSchema` dumps it."""
    return jsonify({"items": [inbox_item_json(row) for row in page["items"]], "next_cursor": page["next_cursor"]})


def inbox_item_json(row) -> dict:
    return {
        "id": str(row.id), "event": row.event, "title": row.title, "body": row.body,
        "data": None if row.params is None else dict(row.params),
        "created_at": _iso(row.created_at), "read_at": _iso(row.read_at),
    }


def unread_count_json(unread: int) -> Response:
    """`InboxUnreadCountSchema`'s dump of the count."""
    return jsonify({"unread": unread})


def _iso(value):
    return None if value is None else value.isoformat()
