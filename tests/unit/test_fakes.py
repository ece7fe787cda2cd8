"""The fakes of tests/fakes.py keep the contracts of the adapters they stand for."""
import uuid
from datetime import UTC, datetime

import pytest

from app.notifications.channels.base import Delivery, TemporaryFailure
from app.payments.gateways.base import Gateway, IpnVerdict, Order, Outcome, PaymentRef, QueryResult
from app.storage.errors import StorageError
from tests.fakes import FakeChannel, FakeGateway, FakeRegistry, MemoryStorage

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def test_memory_storage_refuses_bytes_that_do_not_match_their_checksum():
    storage = MemoryStorage()
    stored = storage.put("a/b.pdf", b"%PDF-1.7")
    assert storage.get("a/b.pdf", sha256=stored.sha256) == b"%PDF-1.7"
    with pytest.raises(StorageError):
        storage.get("a/b.pdf", sha256="0" * 64)
    storage.delete("a/b.pdf")
    storage.delete("a/b.pdf")   # removing a missing key is not an error
    with pytest.raises(StorageError):
        storage.get("a/b.pdf")


def test_fake_channel_records_sends_and_fails_on_demand():
    channel = FakeChannel("sms")
    delivery = Delivery(message_id=uuid.uuid4(), notification_id=None, event="otp_code",
                        channel="sms", address="0912345678", title=None, body="123456", idempotency_key="k")
    assert channel.send(delivery).provider == "fake-sms" and channel.sent == [delivery]
    channel.fail_with = TemporaryFailure("quota")
    with pytest.raises(TemporaryFailure):
        channel.send(delivery)


def test_fake_gateway_is_a_gateway_with_settable_answers():
    gateway = FakeGateway()
    assert isinstance(gateway, Gateway)
    order = Order(txn_ref="T1", amount=50000, order_info="Lệ phí", created_at=NOW, expires_at=NOW,
                  client_ip="127.0.0.1", locale="vi", return_url="https://r", ipn_url="https://i")
    assert gateway.checkout(order).redirect_url.endswith("/T1") and gateway.orders == [order]
    ref = PaymentRef(txn_ref="T1", amount=50000, created_at=NOW, order_info="Lệ phí")
    assert gateway.query(ref, "r1").outcome == Outcome.PENDING
    gateway.outcomes["T1"] = QueryResult(outcome=Outcome.SUCCEEDED, amount=50000)
    assert gateway.query(ref, "r2").outcome == Outcome.SUCCEEDED
    assert gateway.refund(ref, request_id="r3", amount=50000, reason="dossier_rejected").succeeded
    assert gateway.ipn_answer(IpnVerdict.CONFIRMED).status == 200


def test_fake_registry_answers_from_its_records():
    registry = FakeRegistry([])
    assert registry.find_citizen("080090001234") is None and registry.lookups == ["080090001234"]
    assert registry.household_members("H1") == []
