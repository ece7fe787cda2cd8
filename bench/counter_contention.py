"""How long concurrent writes wait on each other's locks (PostgreSQL): submissions and VNPay IPNs at once.

    DATABASE_URL=postgresql+psycopg://smart:smart@127.0.0.1:5432/bench .venv/bin/python bench/counter_contention.py

Every submission and every settled payment adds to the operations-centre
counters in its own transaction, and the roll-up rows (the whole province,
today, this month) are shared by all of them: two transactions touching the
same counter row queue on its row lock. The counters are written last, sorted
by key, just before COMMIT, so a lock is held for the upsert and the commit
only. This measures what that costs under load.

The app runs under gunicorn; two wrk processes drive `dossiers.submit` and
`payments.ipn` at the same time (`--connections` each, every request sent
once). Meanwhile a sampler reads `pg_stat_activity` every `--interval` ms and
notes, for every app backend inside a transaction, whether it is running,
waiting for the app (`idle in transaction`: a round trip, Python work) or
waiting on a lock, and on which statement. The report gives the share of
in-transaction time spent waiting on locks, per statement, and the
throughput; the figures go to bench/results/contention-<UTC time>.json.
"""
import argparse
import collections
import os
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402
from bench.scenario import discover  # noqa: E402

SCENARIOS = ("dossiers.submit", "payments.ipn")
_SAMPLE = """
SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
  AND state IN ('active', 'idle in transaction') AND xact_start IS NOT NULL
"""


def main(argv=None) -> int:
    args = _arguments(argv)
    wanted = str(int(args.duration * 400 + 500))     # more single-use requests than a run can send
    for variable in ("BENCH_DOSSIER_DRAFTS", "BENCH_PAYMENT_IPNS"):
        os.environ.setdefault(variable, wanted)
    env = harness.bench_environment()
    if harness.database_kind(env) != "postgresql":
        raise SystemExit("needs PostgreSQL: set DATABASE_URL=postgresql+psycopg://...")
    wrk = harness.ensure_wrk()
    machine = harness.machine()
    app = harness.prepare_database(env, citizens=args.citizens)
    scenarios = {s.name: s for s in discover() if s.name in SCENARIOS}
    loads = {}
    from app.extensions import db

    for name, scenario in scenarios.items():
        with app.app_context():
            loads[name] = scenario.build(app)
            db.session.commit()
            harness.analyze()
    workers = args.workers or os.cpu_count() or 1
    with harness.gunicorn(env, workers=workers) as base_url:
        sampler = _Sampler(env["DATABASE_URL"], args.interval / 1000)
        sampler.start()
        with ThreadPoolExecutor(len(loads)) as pool:
            runs = {name: pool.submit(harness.run_wrk, wrk, base_url, requests, duration=args.duration,
                                      connections=args.connections, threads=1, single_use=True)
                    for name, requests in loads.items()}
            figures = {name: run.result() for name, run in runs.items()}
        sampler.stop()
    report = sampler.report()
    _print(figures, report, args)
    path = harness.write_result("contention", {
        "name": "contention", "commit": harness.git_commit(), "machine": machine, "database": "postgresql",
        "server": {"gunicorn_workers": workers}, "connections_per_scenario": args.connections,
        "duration_s": args.duration, "sample_interval_ms": args.interval, "scenarios": figures,
        "in_transaction": report,
        "valid": all(not f["errors"] and not f["exhausted"] for f in figures.values()),
    })
    print(f"written to {path.relative_to(harness.ROOT)}")
    return 0 if all(not f["errors"] and not f["exhausted"] for f in figures.values()) else 1


class _Sampler(threading.Thread):
    """Polls pg_stat_activity; counts backend-samples inside a transaction by what they were doing."""

    def __init__(self, url: str, interval: float):
        super().__init__(daemon=True)
        self.url, self.interval = url.replace("postgresql+psycopg://", "postgresql://"), interval
        self.samples = 0
        self.states: collections.Counter = collections.Counter()
        self.lock_waits: collections.Counter = collections.Counter()
        self._done = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self._done.is_set():
                for state, wait_type, wait_event, query in connection.execute(_SAMPLE):
                    if wait_type == "Lock":
                        self.states["waiting on a lock"] += 1
                        self.lock_waits[f"{_shape(query)} ({wait_event})"] += 1
                    elif state == "idle in transaction":
                        self.states["waiting for the app"] += 1
                    else:
                        self.states["running"] += 1
                self.samples += 1
                time.sleep(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()

    def report(self) -> dict:
        total = sum(self.states.values()) or 1
        return {
            "polls": self.samples, "backend_samples": total,
            "share": {state: round(n / total, 4) for state, n in self.states.most_common()},
            "lock_waits_by_statement": {shape: round(n / total, 4) for shape, n in self.lock_waits.most_common()},
        }


def _shape(query: str) -> str:
    """`INSERT INTO dashboard_counters`, `UPDATE dossiers`, `SELECT … FROM payments`: what a statement touches."""
    words = " ".join(query.split())
    found = re.match(r"(INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)", words, re.IGNORECASE)
    if found:
        return f"{found.group(1).upper()} {found.group(2)}"
    table = re.search(r"\bFROM\s+(\w+)", words, re.IGNORECASE)
    return f"{words.split(' ', 1)[0].upper()} … FROM {table.group(1)}" if table else words[:40]


def _print(figures: dict, report: dict, args) -> None:
    print(f"\n{', '.join(figures)} at once, {args.connections} connections each, {args.duration}s:")
    for name, f in figures.items():
        print(f"  {name}: {f['requests_per_second']} req/s, p50 {f['latency_ms']['p50']} ms, "
              f"p99 {f['latency_ms']['p99']} ms, errors {f['errors']}, ran out {f['exhausted']}")
    print(f"inside a transaction ({report['backend_samples']} backend-samples in {report['polls']} polls):")
    for state, share in report["share"].items():
        print(f"  {state:<20} {share:7.1%}")
    for shape, share in report["lock_waits_by_statement"].items():
        print(f"    on {shape}: {share:.1%}")


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=15, help="seconds of load (default 15)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections per scenario (default 8)")
    parser.add_argument("--workers", type=int, default=8,
                        help="gunicorn workers (default 8: several nodes' worth of concurrent transactions)")
    parser.add_argument("--interval", type=float, default=5, help="ms between samples (default 5)")
    parser.add_argument("--citizens", type=int, default=2000, help="citizens seeded into an empty database")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
