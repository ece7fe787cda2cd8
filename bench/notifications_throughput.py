"""Notification delivery throughput: messages per second for 1 and 2 worker processes.

    .venv/bin/python bench/notifications_throughput.py                 # fresh SQLite database
    DATABASE_URL=postgresql+psycopg://smart:smart@127.0.0.1:5432/bench \\
        .venv/bin/python bench/notifications_throughput.py --messages 5000
    .venv/bin/python bench/notifications_throughput.py --delay-ms 20   # a provider answering in 20 ms

For each worker count it starts that many `flask worker run` processes on
the mock channels, waits until each is ready, then commits N outbox messages
at once and times how long the workers take to deliver all of them (status
`delivered`, counted by polling the database). It also checks that nothing
was sent twice (the mock provider counts repeats) and reports each worker's
share and the p50/p99 time from queueing to delivery. Results go to
bench/results/notifications-throughput-<UTC time>.json.

The seeded rows carry a run prefix in their idempotency key and are deleted
afterwards, so an existing database (DATABASE_URL) is left as it was.
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402


def main(argv=None) -> int:
    args = _arguments(argv)
    env = harness.bench_environment()
    env.update(LOG_LEVEL="WARNING", NOTIFY_MOCK_DELAY_MS=str(args.delay_ms),
               WORKER_BATCH_SIZE=str(args.batch_size), WORKER_POLL_SECONDS="0.05")
    app = _migrated_app(env)
    kind = harness.database_kind(env)
    load_before = [round(x, 2) for x in os.getloadavg()]
    print(f"database: {kind}; {args.messages} SMS messages per run, batch {args.batch_size}, "
          f"mock provider delay {args.delay_ms} ms; load average {load_before}")
    runs = []
    for workers in args.workers:
        result = _run(app, env, workers=workers, messages=args.messages)
        runs.append(result)
        print(f"  {workers} worker(s): {result['messages_per_second']:8.1f} messages/s "
              f"({result['seconds']:.2f} s; queue-to-delivered p50 {result['latency_p50_ms']:.0f} ms, "
              f"p99 {result['latency_p99_ms']:.0f} ms; shares {result['per_worker']}; "
              f"sent twice: {result['sent_twice']})")
    if len(runs) > 1:
        print(f"  speed-up with {runs[-1]['workers']} workers: "
              f"{runs[-1]['messages_per_second'] / runs[0]['messages_per_second']:.2f}x")
    path = harness.write_result("notifications-throughput", {
        "database": kind, "messages": args.messages, "batch_size": args.batch_size,
        "mock_delay_ms": args.delay_ms, "runs": runs, "machine": harness.machine(),
        "load_average_before": load_before,
        "commit": harness.git_commit(),
    })
    print(f"results: {path}")
    return 0 if all(r["sent_twice"] == 0 and r["delivered"] == args.messages for r in runs) else 1


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--delay-ms", type=int, default=0, help="mock provider time per message")
    return parser.parse_args(argv)


def _migrated_app(env):
    import flask_migrate

    app = harness.app_for(env)
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
    return app


def _run(app, env, *, workers: int, messages: int) -> dict:
    from sqlalchemy import delete, func, select

    from app.extensions import db
    from app.notifications.models import DELIVERED, MockDelivery, OutboxMessage

    run = uuid.uuid4().hex[:8]
    processes = _start_workers(env, workers)
    try:
        with app.app_context():
            started = time.monotonic()
            _seed(run, messages)
            mine = OutboxMessage.idempotency_key.like(f"{run}%")
            while True:
                delivered = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                              .where(mine, OutboxMessage.status == DELIVERED))
                db.session.rollback()
                if delivered >= messages:
                    break
                if time.monotonic() - started > 600:
                    raise RuntimeError(f"only {delivered} of {messages} delivered after 10 minutes")
                time.sleep(0.02)
            seconds = time.monotonic() - started
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    with app.app_context():
        rows = db.session.execute(select(OutboxMessage.worker, OutboxMessage.created_at, OutboxMessage.finished_at)
                                  .where(mine)).all()
        received = db.session.scalars(select(MockDelivery.received).where(
            MockDelivery.idempotency_key.like(f"{run}%"))).all()
        db.session.execute(delete(MockDelivery).where(MockDelivery.idempotency_key.like(f"{run}%")))
        db.session.execute(delete(OutboxMessage).where(mine))
        db.session.commit()
    latencies = sorted((r.finished_at - r.created_at).total_seconds() * 1000 for r in rows)
    shares: dict[str, int] = {}
    for row in rows:
        shares[row.worker] = shares.get(row.worker, 0) + 1
    return {
        "workers": workers, "delivered": len(rows), "seconds": round(seconds, 3),
        "messages_per_second": round(messages / seconds, 1),
        "latency_p50_ms": round(statistics.median(latencies), 1),
        "latency_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1),
        "per_worker": sorted(shares.values(), reverse=True),
        "sent_twice": sum(received) - len(received),
    }


def _seed(run: str, count: int) -> None:
    """`count` rendered SMS messages, committed at once."""
    from sqlalchemy import insert

    from app.common.clock import utcnow
    from app.extensions import db
    from app.notifications.models import CREATED, NORMAL, SMS, OutboxMessage

    now = utcnow()
    rows = [{
        "id": uuid.uuid4(), "created_at": now, "updated_at": now, "event": "dossier_received", "channel": SMS,
        "address": f"09{n % 100_000_000:08d}", "locale": "vi", "params": {"receipt_code": f"H80-{n}"},
        "sensitive": False, "priority": NORMAL, "status": CREATED, "attempts": 0, "next_attempt_at": now,
        "idempotency_key": f"{run}-{n:07d}", "title": "Hồ sơ đã được tiếp nhận",
        "body": f"Ho so H80-{n} da duoc tiep nhan.", "template_version": 1, "notification_id": uuid.uuid4(),
    } for n in range(count)]
    for start in range(0, count, 1000):
        db.session.execute(insert(OutboxMessage), rows[start:start + 1000])
    db.session.commit()


def _start_workers(env, count: int) -> list[subprocess.Popen]:
    command = [sys.executable, "-m", "flask", "worker", "run", "--no-jobs"]
    processes = [subprocess.Popen(command, cwd=harness.ROOT, env={**env, "FLASK_APP": "wsgi"},
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                 for _ in range(count)]
    for process in processes:
        if "delivering" not in process.stdout.readline():
            raise RuntimeError("a worker did not start")
    return processes


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
