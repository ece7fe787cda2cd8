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

from sqlalchemy import select

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
        record = db.session.scalar(
            select(MockDelivery).where(MockDelivery.idempotency_key == delivery.idempotency_key)
            .with_for_update())
        if record is not None:
            record.received += 1
        else:
            db.session.add(MockDelivery(
                channel=self.channel, address=delivery.address or "", event=delivery.event,
                title=delivery.title, body=delivery.body, idempotency_key=delivery.idempotency_key,
                message_id=delivery.message_id, account_id=delivery.account_id, received=1))
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
