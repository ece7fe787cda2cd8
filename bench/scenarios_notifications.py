"""Notifications over HTTP: the inbox a citizen opens most, its badge, and a device registration.

Worker throughput (messages delivered per second) is measured separately by
bench/notifications_throughput.py.
"""
import uuid

from bench.scenario import Request, Scenario

INBOX_SIZE = 60


def _citizen(app, inbox_size: int = INBOX_SIZE) -> dict:
    """A logged-in citizen with `inbox_size` in-app messages; returns the auth headers."""
    from app.extensions import db
    from app.identity.models import ACTIVE, Account
    from app.identity.sessions import start_session
    from app.notifications.service import notify

    account = Account(login=f"bench.notify.{uuid.uuid4().hex[:10]}", full_name="Nguyễn Văn Bình",
                      role="citizen", level=1, status=ACTIVE, phone="0912000000")
    db.session.add(account)
    db.session.flush()
    for n in range(inbox_size):
        notify("dossier_received", account_id=account.id,
               params={"receipt_code": f"H80.27727-260105-{n:04d}", "due_date": "2026-01-20"})
    token = start_session(account, level=1, methods=["pwd", "otp"]).access_token
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _inbox(app):
    return [Request("GET", "/api/v1/notifications/inbox?limit=20", headers=_citizen(app))]


def _unread(app):
    return [Request("GET", "/api/v1/notifications/inbox/unread-count", headers=_citizen(app))]


def _device(app):
    headers = _citizen(app, inbox_size=0)
    body = {"token": "bench-fcm-token-" + uuid.uuid4().hex, "platform": "android", "name": "Galaxy A54"}
    return [Request("POST", "/api/v1/notifications/devices", headers=headers, json_body=body)]


SCENARIOS = [
    Scenario("notifications.inbox", setup=_inbox,
             description=f"GET the first inbox page (20 of {INBOX_SIZE} messages), logged-in citizen"),
    Scenario("notifications.unread_count", setup=_unread,
             description=f"GET the unread badge count ({INBOX_SIZE} unread), logged-in citizen"),
    Scenario("notifications.device_register", setup=_device, expect=(200, 201),
             description="POST the same push token again (an app start): lookup, update, commit"),
]
