"""What one request of each hot endpoint costs in-process: CPU ms, SQL statements, commits.

    .venv/bin/python bench/costs.py                                   # fresh SQLite database
    .venv/bin/python bench/costs.py --reset --database-url postgresql+psycopg://smart:smart@127.0.0.1:5432/bench

No HTTP server: each request goes through the Flask test client in this process,
so the CPU time (`time.process_time`, this process only) is the app's own work
plus the database driver's, never a neighbour's. Per endpoint it takes
`--rounds` rounds (default 3) of `--samples` requests (default 30), keeps each
round's median and reports the lowest of those medians, so that a busy
neighbour slowing one round does not count. Statements, commits and round trips
(statements plus a BEGIN and a COMMIT or ROLLBACK per transaction) are counted
exactly with SQLAlchemy event listeners (`bench/sqlcount.py`); they are the
same for every sample of an endpoint, and a difference between samples is
reported.

The requests are the HTTP scenarios' own (`bench/scenarios_*.py`). Single-use
requests (a submission, a payment start, an IPN, a refresh token) are never
sent twice: the warm-up and every sample take a fresh one from the list, which
is built long enough. Every answer's status is checked; a run with a wrong
status is marked invalid (exit status 1). Results go to
bench/results/costs-<database>-<UTC time>.json.
"""
import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402
from bench.scenario import discover  # noqa: E402
from bench.sqlcount import count_sql  # noqa: E402

# the table, in its order: (label, scenario name)
ENDPOINTS = [
    ("bare /healthz", "bare"),
    ("catalog search", "catalog.search"),
    ("my dossiers", "dossiers.mine"),
    ("officer inbox", "dossiers.inbox"),
    ("one dossier", "dossiers.one"),
    ("notifications inbox", "notifications.inbox"),
    ("unread count", "notifications.unread_count"),
    ("token refresh", "identity.refresh"),
    ("submit a dossier", "dossiers.submit"),
    ("start a payment", "payments.create"),
    ("VNPay IPN", "payments.ipn"),
]
WARMUP = 5


def main(argv=None) -> int:
    args = _arguments(argv)
    single_use_needed = WARMUP + args.rounds * args.samples
    # the setups size their single-use lists from these
    for variable in ("BENCH_DOSSIER_DRAFTS", "BENCH_PAYMENT_DOSSIERS", "BENCH_PAYMENT_IPNS",
                     "BENCH_IDENTITY_REFRESHES"):
        os.environ[variable] = str(single_use_needed)
    os.environ.setdefault("BENCH_INBOX_DOSSIERS", str(args.inbox))
    env = harness.bench_environment(args.database_url)
    env["LOG_LEVEL"] = os.environ.get("BENCH_LOG_LEVEL", "WARNING")
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "APP_ENV", "SECRET_KEY", "RATELIMIT_ENABLED",
                                           "LOG_LEVEL", "FLASK_DEBUG", "TOTP_ENCRYPTION_KEY")})
    kind = harness.database_kind(env)
    if args.reset and kind == "postgresql":
        _reset(env["DATABASE_URL"])
    print(f"database: {kind}; seeding {args.citizens} citizens if empty", flush=True)
    app = harness.prepare_database(env, citizens=args.citizens)
    scenarios = {s.name: s for s in discover()}
    chosen = [(label, scenarios[name]) for label, name in ENDPOINTS
              if not args.only or name in args.only or label in args.only]

    from app.extensions import db

    loads = {}
    for label, scenario in chosen:
        with app.app_context():
            requests = scenario.build(app)
            db.session.commit()
            harness.analyze()  # the setups bulk-insert
        if scenario.single_use and len(requests) < single_use_needed:
            raise SystemExit(f"{scenario.name}: {len(requests)} single-use requests, {single_use_needed} needed")
        loads[label] = requests
    with app.app_context():
        engine = db.engine

    client = app.test_client()
    cursor = {label: 0 for label, _ in chosen}

    def next_request(label, scenario):
        requests = loads[label]
        request = requests[cursor[label] % len(requests)]
        cursor[label] += 1
        if scenario.single_use and cursor[label] > len(requests):
            raise SystemExit(f"{scenario.name}: out of single-use requests")
        return request

    def send(label, scenario):
        request = next_request(label, scenario)
        with count_sql(engine) as counted:
            started = time.process_time()
            response = client.open(request.path, method=request.method, headers=request.wire_headers(),
                                   data=request.wire_body())
            spent = time.process_time() - started
        ok = response.status_code in scenario.expect
        if not ok and not errors.get(label):
            print(f"  {label}: {request.method} {request.path} answered {response.status_code}: "
                  f"{response.get_data(as_text=True)[:300]}", file=sys.stderr)
        return spent, counted, ok

    errors: dict[str, int] = {label: 0 for label, _ in chosen}
    for label, scenario in chosen:        # warm-up: imports, caches, the pool; its own requests
        for _ in range(WARMUP):
            _, _, ok = send(label, scenario)
            errors[label] += not ok
    profiler = cProfile.Profile() if args.profile else None
    medians = {label: [] for label, _ in chosen}
    counts = {label: set() for label, _ in chosen}
    shapes = {}
    for _ in range(args.rounds):           # rounds interleave the endpoints: a neighbour's burst hits one round
        for label, scenario in chosen:
            times = []
            for _ in range(args.samples):
                if profiler:
                    profiler.enable()
                spent, counted, ok = send(label, scenario)
                if profiler:
                    profiler.disable()
                errors[label] += not ok
                times.append(spent * 1000)
                counts[label].add((counted.statements, counted.commits, counted.savepoints, counted.checkouts,
                                   counted.round_trips))
                shapes[label] = counted.sql
            medians[label].append(statistics.median(times))

    rows = {}
    for label, scenario in chosen:
        statements, commits, savepoints, checkouts, round_trips = max(counts[label])
        rows[label] = {
            "scenario": scenario.name, "cpu_ms": round(min(medians[label]), 3),
            "round_medians_ms": [round(m, 3) for m in medians[label]],
            "statements": statements, "commits": commits, "savepoints": savepoints, "round_trips": round_trips,
            "pool_checkouts": checkouts, "varied": len(counts[label]) > 1,
            "errors": errors[label], "samples": args.rounds * args.samples, "sql": shapes[label],
        }
    _print_table(kind, rows)
    if profiler:
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("tottime").print_stats(25)
    invalid = [label for label, row in rows.items() if row["errors"]]
    path = harness.write_result(f"costs-{kind}", {
        "name": f"costs-{kind}", "commit": harness.git_commit(), "machine": harness.machine(),
        "database": kind, "method": "Flask test client in-process; CPU = time.process_time; "
                                    f"lowest of {args.rounds} round medians of {args.samples} samples",
        "pre_ping": bool(engine.pool._pre_ping), "endpoints": rows, "valid": not invalid,
    })
    print(f"written to {path.relative_to(harness.ROOT)}")
    if invalid:
        print(f"INVALID: wrong answers in {', '.join(invalid)}", file=sys.stderr)
        return 1
    return 0


def _reset(url: str) -> None:
    """Empties the given PostgreSQL database (every run then measures the same data)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _print_table(kind: str, rows: dict) -> None:
    print(f"\n{kind}: CPU ms (lowest round median), SQL statements, commits, round trips per request")
    print(f"| {'endpoint':<22} | {'CPU ms':>7} | {'SQL':>4} | {'commits':>7} | {'savepoints':>10} "
          f"| round trips | errors |")
    print(f"|{'-' * 24}|{'-' * 9}|{'-' * 6}|{'-' * 9}|{'-' * 12}|{'-' * 13}|--------|")
    for label, row in rows.items():
        varied = "*" if row["varied"] else " "
        print(f"| {label:<22} | {row['cpu_ms']:>7.2f} | {row['statements']:>3}{varied} | {row['commits']:>7} | "
              f"{row['savepoints']:>10} | {row['round_trips']:>11} | {row['errors']:>6} |")
    if any(row["varied"] for row in rows.values()):
        print("* the count differed between samples; the largest is shown")


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="an existing database (default: a fresh SQLite file)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=30, help="requests per endpoint per round")
    parser.add_argument("--citizens", type=int, default=1000, help="citizens seeded into an empty database")
    parser.add_argument("--inbox", type=int, default=5000, help="dossiers in the officer's commune committee")
    parser.add_argument("--reset", action="store_true",
                        help="PostgreSQL: drop everything in --database-url first (a bench-only database!)")
    parser.add_argument("--only", nargs="*", help="endpoint labels or scenario names")
    parser.add_argument("--profile", metavar="FILE",
                        help="also profile every sample (cProfile) and write the statistics to FILE "
                             "(read with `python -m pstats FILE`); the CPU figures then include its overhead")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
