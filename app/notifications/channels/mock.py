"""Development channels: record what would be sent, so it can be read back.

Every "sent" message is a `MockDelivery` row, readable through
GET /api/v1/dev/messages. Like a real provider, the mock drops duplicates by
idempotency key (it only counts them up in `received`).

Addresses that simulate failures, for demos and tests:
  SMS    numbers starting 0999 fail permanently, 0998 temporarily
  push   tokens starting "unregistered" fail permanently (token gone),
         "unavailable" temporarily
  e-mail addresses at bounce.test fail permanently, at tempfail.test temporarily
"""
import time
import uuid

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.common.clock import utcnow
from app.extensions import db
from app.notifications.channels.base import Delivery, PermanentFailure, Sent, TemporaryFailure
from app.notifications.models import DELIVERED, EMAIL, PERMANENT_FAILURE, PUSH, SMS, MockDelivery

FAILURES = {
    SMS: (("0999", False), ("0998", True)),
    PUSH: (("unregistered", False), ("unavailable", True)),
}
RECEIPT_STATUSES = {"delivered": DELIVERED, "failed": PERMANENT_FAILURE}


class MockChannel:
    name = "mock"

    def __init__(self, channel: str, delay_seconds: float = 0.0):
        self.channel = channel
        self.delay = delay_seconds

    def send(self, delivery: Delivery) -> Sent:
        if self.delay:
            time.sleep(self.delay)
        _simulate_failure(self.channel, delivery.address or "")
        dialect = db.session.get_bind().dialect.name
        if dialect == "postgresql":
            # The mock provider's own records need not wait for the disk
            db.session.execute(text("SET LOCAL synchronous_commit = off"))
        insert = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}[dialect]
        now = utcnow()
        db.session.execute(
            insert(MockDelivery).values(
                id=uuid.uuid4(), created_at=now, updated_at=now, channel=self.channel,
                address=delivery.address or "", event=delivery.event, title=delivery.title, body=delivery.body,
                idempotency_key=delivery.idempotency_key, message_id=delivery.message_id,
                account_id=delivery.account_id, received=1)
            .on_conflict_do_update(index_elements=["idempotency_key"],
                                   set_={"received": MockDelivery.received + 1, "updated_at": now}))
        # The "provider" has the message now, whatever happens to the worker next
        db.session.commit()
        return Sent(self.name, provider_ref=f"mock-{delivery.idempotency_key[:16]}", delivered=True)


def _simulate_failure(channel: str, address: str) -> None:
    if channel == EMAIL:
        domain = address.rpartition("@")[2].lower()
        if domain == "bounce.test":
            raise PermanentFailure("550 mailbox unavailable (mock)")
        if domain == "tempfail.test":
            raise TemporaryFailure("451 try again later (mock)")
        return
    for prefix, temporary in FAILURES.get(channel, ()):
        if address.startswith(prefix):
            if temporary:
                raise TemporaryFailure(f"{channel} provider unavailable (mock)")
            raise PermanentFailure(f"{channel} address does not exist (mock)", unregistered=channel == PUSH)
