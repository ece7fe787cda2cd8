"""In-memory fakes of the outside systems, for tests that need no database or network.

Each fake implements the same interface as the real adapter and records what
it was asked, so a test can check both the answer and the call:

- `FakeRegistry`: the population registry (`app.registry.adapter.PopulationRegistry`);
- `FakeChannel`: an SMS or push channel (`app.notifications.channels.base.Channel`);
- `MemoryStorage`: document storage (`app.storage.adapter.Storage`);
- `FakeGateway`: a payment gateway (`app.payments.gateways.base.Gateway`).
"""
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.notifications.channels.base import Delivery, PermanentFailure, Sent, TemporaryFailure
from app.payments.gateways.base import (
    Checkout, Gateway, InvalidSignature, IpnAnswer, IpnVerdict, Notification, Order, Outcome, PaymentRef,
    QueryResult, RefundResult,
)
from app.registry.records import CitizenRecord
from app.storage.adapter import StoredObject
from app.storage.errors import StorageError


class FakeRegistry:
    """A registry holding the records a test gives it."""

    def __init__(self, records: list[CitizenRecord] = ()):
        self.records = {record.personal_id: record for record in records}
        self.lookups: list[str] = []

    def find_citizen(self, personal_id: str) -> CitizenRecord | None:
        self.lookups.append(personal_id)
        return self.records.get(personal_id)

    def household_members(self, household_no: str) -> list[CitizenRecord]:
        members = [r for r in self.records.values() if r.household_no == household_no]
        return sorted(members, key=lambda r: (r.relation_to_head != "head", r.date_of_birth))


@dataclass
class FakeChannel:
    """An SMS or push channel that keeps what it sent; `fail_with` makes the next sends fail."""

    name: str = "sms"
    sent: list[Delivery] = field(default_factory=list)
    fail_with: TemporaryFailure | PermanentFailure | None = None

    def send(self, delivery: Delivery) -> Sent:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(delivery)
        return Sent(provider=f"fake-{self.name}", provider_ref=str(uuid.uuid4()))


class MemoryStorage:
    """Objects in a dict, with the same checksum rule as the real storage."""

    def __init__(self):
        self.objects: dict[str, bytes] = {}

    def put(self, key: str, data: bytes) -> StoredObject:
        self.objects[key] = bytes(data)
        return StoredObject(key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest())

    def get(self, key: str, *, sha256: str | None = None) -> bytes:
        if key not in self.objects:
            raise StorageError(f"no object {key}")
        data = self.objects[key]
        if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
            raise StorageError(f"object {key} does not match its checksum")
        return data

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)


class FakeGateway(Gateway):
    """A gateway whose answers a test sets: `outcomes[txn_ref]` for queries, `refund_result` for refunds.

    Callbacks are "signed" with `signature == "ok"`.
    """

    def __init__(self, name: str = "fake"):
        self.name = name
        self.orders: list[Order] = []
        self.outcomes: dict[str, QueryResult] = {}
        self.refund_result = RefundResult(succeeded=True, retryable=False, result_code="00", refund_no="R1")
        self.refunds: list[tuple[str, int, str]] = []

    def checkout(self, order: Order) -> Checkout:
        self.orders.append(order)
        return Checkout(redirect_url=f"https://pay.invalid/{self.name}/{order.txn_ref}", request_id=order.txn_ref)

    def parse_callback(self, params: Mapping[str, str]) -> Notification:
        if params.get("signature") != "ok":
            raise InvalidSignature(self.name)
        amount = params.get("amount")
        return Notification(txn_ref=params["txn_ref"], amount=int(amount) if amount else None,
                            outcome=Outcome(params.get("outcome", Outcome.SUCCEEDED)),
                            result_code=params.get("result_code", "00"), raw=dict(params))

    def ipn_answer(self, verdict: IpnVerdict) -> IpnAnswer:
        return IpnAnswer(200, {"verdict": verdict.value})

    def query(self, ref: PaymentRef, request_id: str) -> QueryResult:
        return self.outcomes.get(ref.txn_ref, QueryResult(outcome=Outcome.PENDING))

    def refund(self, ref: PaymentRef, *, request_id: str, amount: int, reason: str) -> RefundResult:
        self.refunds.append((ref.txn_ref, amount, reason))
        return self.refund_result
