"""The delivery worker: sending, retries and failure, leases, priorities, fallback, periodic jobs."""
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.common.clock import utcnow
from app.extensions import db
from app.notifications import delivery as deliveries
from app.common import jobs as jobs_module
from app.notifications import worker as worker_module
from app.notifications.channels import build_channels
from app.notifications.channels.base import PermanentFailure, Sent, TemporaryFailure
from app.notifications.delivery import RetryPolicy, claim_batch, record_sent
from app.notifications.models import (
    CREATED, DELIVERED, EMAIL, IN_APP, PERMANENT_FAILURE, PUSH, SENDING, SMS, TEMPORARY_FAILURE,
    MockDelivery, NotificationProfile, OutboxMessage, PeriodicJob, PushDevice,
)
from app.notifications.service import notify
from app.notifications.worker import Worker
from tests.factories import AccountFactory

RECEIPT = "H80.27727-260105-0001"
GOOD_TOKEN = "fcm-token-" + "g" * 40
DEAD_TOKEN = "unregistered-" + "d" * 40


@pytest.fixture
def worker(app):
    w = Worker(app, name="test-worker", run_jobs=False, lease_seconds=60)
    w.policy = RetryPolicy(max_attempts=3, base_seconds=10, max_seconds=100)
    return w


@pytest.fixture
def account(db_session):
    return AccountFactory()


def _otp(phone="0912000111", code="482913"):
    (message,) = notify("otp_code", phone=phone, params={"code": code, "purpose": "login"},
                        urgent=True, sensitive=True)
    db.session.commit()
    return message


def _fresh(message) -> OutboxMessage:
    return db.session.get(OutboxMessage, message.id, populate_existing=True)


def _sent(**where):
    statement = select(MockDelivery)
    for name, value in where.items():
        statement = statement.where(getattr(MockDelivery, name) == value)
    return db.session.scalars(statement).all()


def _with_devices(account, *tokens, email=None):
    db.session.add_all([PushDevice(account_id=account.id, token=t, platform="android") for t in tokens])
    if email:
        db.session.add(NotificationProfile(account_id=account.id, email=email, locale="vi", choices={}))
    db.session.commit()


# --- delivering ------------------------------------------------------------------

def test_the_worker_delivers_every_channel_through_the_mocks(worker, account):
    _with_devices(account, GOOD_TOKEN, email="an@example.vn")
    messages = notify("result_issued", account_id=account.id, params={"receipt_code": RECEIPT})
    db.session.commit()
    assert worker.drain() == 2     # push and e-mail; the inbox needs no worker
    by_channel = {m.channel: _fresh(m) for m in messages}
    for channel in (PUSH, EMAIL):
        message = by_channel[channel]
        assert (message.status, message.attempts, message.provider) == (DELIVERED, 1, "mock")
        assert message.sent_at and message.finished_at and message.worker == "test-worker"
        assert message.provider_ref == f"mock-{message.idempotency_key[:16]}"
    assert by_channel[IN_APP].status == DELIVERED
    sent = {d.channel: d for d in _sent(account_id=account.id)}
    assert set(sent) == {PUSH, EMAIL}
    assert sent[PUSH].address == GOOD_TOKEN and sent[EMAIL].address == "an@example.vn"
    assert sent[EMAIL].title == "Đã có kết quả hồ sơ" and RECEIPT in sent[EMAIL].body
    assert worker.outcomes == {DELIVERED: 2}
    assert worker.drain() == 0


def test_otp_code_is_erased_once_delivered(worker):
    message = _otp()
    worker.drain()
    stored = _fresh(message)
    assert stored.status == DELIVERED
    assert stored.params == {} and stored.body is None
    (sent,) = _sent(address="0912000111")
    assert sent.body.startswith("482913 la ma xac thuc")


def test_otp_codes_jump_the_queue(worker, account):
    for n in range(5):
        notify("dossier_approved", account_id=account.id, phone=f"09120003{n:02d}",
               params={"receipt_code": f"R{n}"}, channels=(SMS,))
    db.session.commit()
    otp = _otp(phone="0912000999")
    worker.batch_size = 1
    worker.run_batch()
    assert _fresh(otp).status == DELIVERED
    assert [d.event for d in _sent()] == ["otp_code"]


def test_urgent_only_worker_leaves_other_messages(app, account):
    notify("dossier_approved", account_id=account.id, params={"receipt_code": RECEIPT}, channels=(SMS,))
    otp = _otp()
    lane = Worker(app, name="otp-lane", urgent_only=True, run_jobs=False)
    assert lane.drain() == 1
    assert _fresh(otp).status == DELIVERED
    assert [m.status for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.event == "dossier_approved"))] == [CREATED]


def test_an_expired_otp_is_not_sent(worker):
    message = _otp()
    with time_machine.travel(utcnow() + timedelta(minutes=11)):
        worker.drain()
        stored = _fresh(message)
    assert (stored.status, stored.last_error) == (PERMANENT_FAILURE, "expired before it could be sent")
    assert stored.params == {} and stored.body is None
    assert _sent() == []


# --- retries and failures ------------------------------------------------------------

def test_temporary_failures_are_retried_with_backoff_then_marked_failed_with_the_reason(worker, account):
    (message,) = notify("dossier_approved", account_id=account.id, phone="0998000111",
                        params={"receipt_code": RECEIPT}, channels=(SMS,))
    db.session.commit()
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        worker.drain()
        first = _fresh(message)
        assert (first.status, first.attempts, first.last_error) == (SENDING, 1, "sms provider unavailable (mock)")
        assert start + timedelta(seconds=8) <= first.next_attempt_at <= start + timedelta(seconds=12)
        assert worker.drain() == 0                  # not due yet
        clock.move_to(first.next_attempt_at)
        worker.drain()
        second = _fresh(message)
        assert (second.status, second.attempts) == (SENDING, 2)
        assert second.next_attempt_at - utcnow() >= timedelta(seconds=16)   # doubled
        clock.move_to(second.next_attempt_at)
        worker.drain()
    final = _fresh(message)
    assert (final.status, final.attempts) == (TEMPORARY_FAILURE, 3)
    assert final.last_error == "gave up after 3 attempts: sms provider unavailable (mock)"
    assert final.finished_at is not None and final.next_attempt_at is None
    assert worker.outcomes == {SENDING: 2, TEMPORARY_FAILURE: 1}
    assert _sent() == []


def test_a_permanent_failure_is_not_retried(worker, account):
    (message,) = notify("dossier_approved", account_id=account.id, phone="0999000111",
                        params={"receipt_code": RECEIPT}, channels=(SMS,))
    db.session.commit()
    worker.drain()
    stored = _fresh(message)
    assert (stored.status, stored.attempts, stored.last_error) == (
        PERMANENT_FAILURE, 1, "sms address does not exist (mock)")
    with time_machine.travel(utcnow() + timedelta(days=1)):
        assert worker.drain() == 0


def test_a_crashing_adapter_is_retried_not_fatal(worker, account):
    class Broken:
        name = "broken"

        def send(self, delivery):
            raise RuntimeError("boom")

    worker.channels = {**worker.channels, SMS: Broken()}
    (message,) = notify("dossier_approved", account_id=account.id, params={"receipt_code": RECEIPT},
                        channels=(SMS,))
    db.session.commit()
    worker.drain()
    stored = _fresh(message)
    assert (stored.status, stored.last_error) == (SENDING, "unexpected error: RuntimeError")


def test_a_provider_retry_after_is_respected(worker, account):
    class Throttled:
        name = "throttled"

        def send(self, delivery):
            raise TemporaryFailure("429 quota", retry_after=600)

    worker.channels = {**worker.channels, SMS: Throttled()}
    (message,) = notify("dossier_approved", account_id=account.id, params={"receipt_code": RECEIPT}, channels=(SMS,))
    db.session.commit()
    now = utcnow()
    with time_machine.travel(now, tick=False):
        worker.drain()
    assert _fresh(message).next_attempt_at == now + timedelta(seconds=600)


# --- forward only ----------------------------------------------------------------

def test_accepted_messages_wait_for_their_receipt(worker, account):
    class Accepting:
        name = "brandname"

        def send(self, delivery):
            return Sent("brandname", provider_ref="SMS-1", delivered=False)

    worker.channels = {**worker.channels, SMS: Accepting()}
    message = _otp()
    worker.drain()
    stored = _fresh(message)
    assert (stored.status, stored.provider_ref, stored.params, stored.body) == (SENDING, "SMS-1", {}, None)
    assert stored.sent_at is not None
    assert worker.drain() == 0      # taken by the provider: never claimed again


def test_a_late_send_result_cannot_undo_a_final_status(worker, account):
    (message,) = notify("dossier_approved", account_id=account.id, params={"receipt_code": RECEIPT}, channels=(SMS,))
    db.session.commit()
    (claimed,) = claim_batch("w1", 10, 60)
    # A receipt made it final while the worker was still waiting for the provider
    db.session.get(OutboxMessage, message.id).status = PERMANENT_FAILURE
    db.session.commit()
    record_sent(claimed, Sent("brandname", provider_ref="X-9", delivered=True), "w1")
    stored = _fresh(message)
    assert (stored.status, stored.provider_ref) == (PERMANENT_FAILURE, "X-9")


# --- leases ----------------------------------------------------------------------

def test_messages_of_a_dead_worker_come_back_after_the_lease(worker, account):
    (message,) = notify("dossier_approved", account_id=account.id, params={"receipt_code": RECEIPT}, channels=(SMS,))
    db.session.commit()
    now = utcnow()
    with time_machine.travel(now, tick=False) as clock:
        (taken,) = claim_batch("dead-worker", 10, 30)     # ...and the worker dies here
        assert _fresh(message).status == SENDING
        assert worker.drain() == 0                        # still leased
        clock.move_to(now + timedelta(seconds=31))
        assert worker.drain() == 1
    stored = _fresh(message)
    assert (stored.status, stored.attempts, stored.worker) == (DELIVERED, 2, "test-worker")
    assert len(_sent()) == 1


def test_a_stopping_worker_gives_the_rest_of_its_batch_back(worker, account):
    for n in range(3):
        notify("dossier_approved", account_id=account.id, params={"receipt_code": f"R{n}"}, channels=(SMS,))
    db.session.commit()
    mock = worker.channels[SMS]

    class StopAfterOne:
        name = "mock"

        def send(self, delivery):
            worker.stop()
            return mock.send(delivery)

    worker.channels = {**worker.channels, SMS: StopAfterOne()}
    assert worker.run_batch() == 3
    statuses = sorted((m.status, m.attempts) for m in db.session.scalars(select(OutboxMessage)
                                                                         .where(OutboxMessage.channel == SMS)))
    assert statuses == [(DELIVERED, 1), (SENDING, 0), (SENDING, 0)]
    worker.stopping.clear()
    worker.channels[SMS] = mock
    assert worker.drain() == 2      # given back at once, not after the lease


def test_the_lease_is_renewed_during_a_long_batch(worker, account):
    for n in range(3):
        notify("dossier_approved", account_id=account.id, params={"receipt_code": f"R{n}"}, channels=(SMS,))
    db.session.commit()
    worker.lease = 0.000001     # every message finds the lease half gone
    renewed = []
    original = deliveries.renew_lease

    def spy(name, ids, lease):
        renewed.append(len(ids))
        return original(name, ids, lease)

    worker_module.renew_lease, saved = spy, worker_module.renew_lease
    try:
        worker.run_batch()
    finally:
        worker_module.renew_lease = saved
    assert renewed == [3, 2, 1]
    assert {m.status for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == SMS))} == {
        DELIVERED}


def test_the_loop_survives_a_failing_batch_and_stops_on_request(app, monkeypatch):
    import signal

    from sqlalchemy.exc import OperationalError

    real, calls = worker_module.claim_batch, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("UPDATE outbox_messages", {}, Exception("server closed the connection"))
        return real(*args, **kwargs)

    monkeypatch.setattr(worker_module, "claim_batch", flaky)
    message = _otp()
    before = signal.getsignal(signal.SIGTERM)
    loop = Worker(app, name="loop", run_jobs=False, poll_seconds=0.001)
    outcomes = loop.run(until_idle=True)
    assert _fresh(message).status == DELIVERED and outcomes == {DELIVERED: 1}
    assert len(calls) == 3     # failed, delivered, found nothing due
    assert signal.getsignal(signal.SIGTERM) is before      # handlers given back
    stopped = Worker(app, name="stopped", run_jobs=False)
    stopped.stop()
    assert stopped.run() == {}


# --- push: dead tokens and SMS fallback ----------------------------------------------

def test_a_dead_push_token_is_removed_and_a_message_that_matters_falls_back_to_sms(worker, account):
    _with_devices(account, DEAD_TOKEN)
    messages = notify("supplement_requested", account_id=account.id,
                      params={"receipt_code": RECEIPT, "reason": "thiếu bản sao CCCD"})
    db.session.commit()
    assert sorted(m.channel for m in messages) == [IN_APP, PUSH]
    worker.drain()
    push = _fresh(next(m for m in messages if m.channel == PUSH))
    assert (push.status, push.last_error) == (PERMANENT_FAILURE, "push address does not exist (mock)")
    assert db.session.scalars(select(PushDevice).where(PushDevice.account_id == account.id)).all() == []
    sms = db.session.scalar(select(OutboxMessage).where(OutboxMessage.fallback_of == push.id))
    assert (sms.channel, sms.address, sms.status) == (SMS, account.phone, DELIVERED)
    assert sms.notification_id == push.notification_id and sms.template_version == push.template_version
    assert sms.body.startswith(f"Ho so {RECEIPT} can bo sung giay to: thieu ban sao CCCD")
    assert [d.channel for d in _sent(account_id=account.id)] == [SMS]


def test_push_giving_up_after_retries_also_falls_back(worker, account):
    _with_devices(account, "unavailable-" + "u" * 40)
    notify("payment_failed", account_id=account.id, params={"amount": 50000})
    db.session.commit()
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(3):
            worker.drain()
            clock.shift(timedelta(seconds=200))
        worker.drain()
    rows = {m.channel: m for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.account_id == account.id))}
    assert rows[PUSH].status == TEMPORARY_FAILURE
    assert (rows[SMS].status, rows[SMS].fallback_of) == (DELIVERED, rows[PUSH].id)


def test_no_fallback_for_ordinary_messages_or_when_another_push_worked(worker, account):
    _with_devices(account, DEAD_TOKEN, GOOD_TOKEN)
    notify("dossier_approved", account_id=account.id, params={"receipt_code": RECEIPT})
    notify("result_issued", account_id=account.id, params={"receipt_code": RECEIPT})
    db.session.commit()
    worker.drain()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.account_id == account.id)).all()
    assert [m for m in rows if m.channel == SMS] == []
    assert sorted(m.status for m in rows if m.channel == PUSH) == [
        DELIVERED, DELIVERED, PERMANENT_FAILURE, PERMANENT_FAILURE]


def test_one_fallback_when_every_push_failed(worker, account):
    _with_devices(account, DEAD_TOKEN, "unregistered-" + "e" * 40)
    notify("result_issued", account_id=account.id, params={"receipt_code": RECEIPT})
    db.session.commit()
    worker.drain()
    sms = db.session.scalars(select(OutboxMessage).where(OutboxMessage.account_id == account.id,
                                                         OutboxMessage.channel == SMS)).all()
    assert len(sms) == 1 and sms[0].status == DELIVERED


def test_a_provider_refusal_for_email_is_permanent(worker, account):
    _with_devices(account, email="nobody@bounce.test")
    notify("payment_refunded", account_id=account.id, params={"amount": 1000})
    db.session.commit()
    worker.drain()
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == EMAIL))
    assert (email.status, email.last_error) == (PERMANENT_FAILURE, "550 mailbox unavailable (mock)")


def test_failure_outcomes_of_channels_are_exceptions_not_values():
    assert issubclass(PermanentFailure, Exception) and issubclass(TemporaryFailure, Exception)


# --- periodic jobs -----------------------------------------------------------------

@pytest.fixture
def no_registered_jobs(monkeypatch):
    monkeypatch.setattr(jobs_module, "_PERIODIC", {})


def test_periodic_jobs_run_once_per_period_across_workers(app, no_registered_jobs):
    calls = []
    jobs_module.register_periodic("test.tick", 60, lambda: calls.append(1) or len(calls))
    first, second = (Worker(app, name=n, channels={}) for n in ("w1", "w2"))
    now = utcnow()
    with time_machine.travel(now, tick=False) as clock:
        assert first.run_due_jobs() == ["test.tick"]
        assert second.run_due_jobs() == []          # already run this period
        clock.shift(timedelta(seconds=61))
        assert second.run_due_jobs() == ["test.tick"]
        assert first.run_due_jobs() == []
    assert calls == [1, 1]
    row = db.session.scalar(select(PeriodicJob).where(PeriodicJob.name == "test.tick"))
    assert (row.worker, row.last_result, row.last_error) == ("w2", "2", None)


def test_a_failing_periodic_job_is_recorded_and_does_not_stop_the_others(app, no_registered_jobs):
    def broken():
        raise ValueError("reconciliation gateway down")

    calls = []
    jobs_module.register_periodic("test.broken", 60, broken)
    jobs_module.register_periodic("test.fine", 60, lambda: calls.append(1))
    assert Worker(app, name="w1", channels={}).run_due_jobs() == ["test.broken", "test.fine"]
    assert calls == [1]
    row = db.session.scalar(select(PeriodicJob).where(PeriodicJob.name == "test.broken"))
    assert row.last_error == "ValueError: reconciliation gateway down" and row.last_finished_at


def test_scheduled_modules_are_discovered_and_register_their_jobs():
    loaded = jobs_module.load_scheduled_modules()
    assert {"app.notifications.scheduled", "app.common.scheduled"} <= set(loaded)
    names = {job.name for job in jobs_module.periodic_jobs()}
    assert {"notifications.expire_unconfirmed", "notifications.purge_old_messages",
            "idempotency.purge_expired_keys"} <= names


def test_messages_without_receipt_become_temporary_failures(account):
    from app.notifications.scheduled import expire_unconfirmed

    (message,) = notify("dossier_approved", account_id=account.id, params={"receipt_code": RECEIPT}, channels=(SMS,))
    db.session.flush()
    message.status, message.sent_at = SENDING, utcnow() - timedelta(hours=73)
    db.session.commit()
    assert expire_unconfirmed() == 1
    stored = _fresh(message)
    assert (stored.status, stored.last_error) == (TEMPORARY_FAILURE, "no delivery receipt within 72 hours")


def test_old_finished_messages_are_purged_but_the_inbox_is_kept(worker, account):
    from app.notifications.scheduled import purge_old_messages

    messages = notify("result_issued", account_id=account.id, params={"receipt_code": RECEIPT})
    db.session.commit()
    assert sorted(m.channel for m in messages) == [IN_APP, SMS]
    worker.drain()
    with time_machine.travel(utcnow() + timedelta(days=91)):
        assert purge_old_messages() == 1
    remaining = db.session.scalars(select(OutboxMessage).where(OutboxMessage.account_id == account.id)).all()
    assert [m.channel for m in remaining] == [IN_APP]
    assert _sent() == []


def test_build_channels_refuses_unknown_adapters(app):
    for key in ("NOTIFY_SMS_ADAPTER", "NOTIFY_PUSH_ADAPTER", "NOTIFY_EMAIL_ADAPTER"):
        config = {**app.config, key: "carrier-pigeon"}
        with pytest.raises(ValueError, match=key):
            build_channels(config)
