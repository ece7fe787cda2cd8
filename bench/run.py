"""HTTP benchmark: the app under gunicorn on loopback, load from wrk in a second process.

    .venv/bin/python bench/run.py                       # every scenario, SQLite
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --only bare readyz --duration 20

For each scenario it prints requests/s and p50/p99 latency, and compares it with
the bare endpoint (GET /healthz, same app, no I/O); the figures go to
bench/results/<name>-<timestamp>.json. See bench/README.md.
"""
import argparse
import fnmatch
import math
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402
from bench.scenario import Scenario, discover  # noqa: E402
from bench.scenarios_core import BARE  # noqa: E402


def main(argv=None) -> int:
    args = _arguments(argv)
    machine = harness.machine()  # before the load, so the load average shows other work
    scenarios = _select(discover(), args.only)
    env = harness.bench_environment()
    wrk = harness.ensure_wrk()
    cpus = os.cpu_count() or 1
    workers = args.workers or cpus
    connections = args.connections or 4 * workers
    threads = min(args.threads or max(1, cpus // 2), connections)

    print(f"database: {harness.database_kind(env)} ({_safe_url(env['DATABASE_URL'])}), "
          f"seeding {args.citizens} citizens if empty")
    app = harness.prepare_database(env, citizens=args.citizens)
    loads = {scenario.name: _build(app, scenario) for scenario in scenarios}
    with app.app_context():
        harness.analyze()   # once, after the setups' bulk inserts: plans with their rows counted

    results = {}
    with harness.gunicorn(env, workers=workers, port=args.port) as base_url:
        print(f"gunicorn: {workers} workers (model and threads: gunicorn.conf.py) on {base_url}; wrk {harness.wrk_version(wrk)}: "
              f"{threads} threads, {connections} connections, {args.duration}s per scenario "
              f"after {args.warmup}s warm-up")
        for scenario in scenarios:
            preflight, warmup, measured = _portions(scenario, loads[scenario.name], args)
            if preflight:
                _preflight(base_url, scenario, preflight[0])
            load = dict(connections=connections, threads=threads, single_use=scenario.single_use)
            if args.warmup:
                harness.run_wrk(wrk, base_url, warmup, duration=args.warmup, **load)
            duration = args.duration
            figures = harness.run_wrk(wrk, base_url, measured, duration=duration, **load)
            if figures["requests"] < scenario.min_samples:
                # too slow for enough samples: once more, long enough (within the 300 s cap)
                duration = min(300, math.ceil(duration * 1.3 * scenario.min_samples / max(1, figures["requests"])))
                figures = harness.run_wrk(wrk, base_url, measured, duration=duration, **load)
            problems = _problems(scenario, figures)
            figures.update(description=scenario.description, distinct_requests=len(measured),
                           duration_s=duration, single_use=scenario.single_use, valid=not problems,
                           problems=problems)
            results[scenario.name] = figures
            _print_row(scenario.name, figures)

    comparisons = _compare(results)
    for name, ratio in comparisons.items():
        print(f"{name} vs bare: {ratio['requests_per_second']:.3f} x requests/s, "
              f"{ratio['p50']:.2f} x p50, {ratio['p99']:.2f} x p99")
    path = harness.write_result(args.name, {
        "name": args.name,
        "commit": harness.git_commit(),
        "machine": machine,
        "database": harness.database_kind(env),
        "app_env": env["APP_ENV"],
        "server": {"gunicorn_workers": workers, "worker_class": os.environ.get("GUNICORN_WORKER_CLASS", "gthread"),
                   "threads": int(os.environ.get("GUNICORN_THREADS", "8")), "bind": "127.0.0.1"},
        "load": {"tool": "wrk", "version": harness.wrk_version(wrk), "threads": threads,
                 "connections": connections, "duration_s": args.duration, "warmup_s": args.warmup},
        "citizens_seeded": args.citizens,
        "scenarios": results,
        "valid": all(figures["valid"] for figures in results.values()),
        "compared_with_bare": comparisons,
    })
    print(f"written to {path.relative_to(harness.ROOT)}")
    failed = [name for name, figures in results.items() if not figures["valid"]]
    if failed:
        print("INVALID run: " + "; ".join(f"{name}: {', '.join(results[name]['problems'])}" for name in failed),
              file=sys.stderr)
        return 1
    return 0


def _portions(scenario: Scenario, requests: list, args) -> tuple[list, list, list]:
    """(preflight, warm-up, measured) requests. Single-use ones are split, never shared: the
    preflight takes the first, the warm-up a share in proportion to its time, the run the rest."""
    if not scenario.single_use:
        return requests[:1] if scenario.preflight else [], requests, requests
    first = 1 if scenario.preflight else 0
    rest = requests[first:]
    share = round(len(rest) * args.warmup / (args.warmup + args.duration)) if args.warmup else 0
    return requests[:first], rest[:share], rest[share:]


def _problems(scenario: Scenario, figures: dict) -> list[str]:
    problems = []
    if figures["non_2xx_3xx"]:
        problems.append(f"{figures['non_2xx_3xx']} answers outside 2xx/3xx")
    if any(figures["socket_errors"].values()):
        problems.append(f"socket errors {figures['socket_errors']}")
    if figures["exhausted"]:
        problems.append(f"single-use requests ran out ({figures['exhausted']} stand-ins): shorten the run "
                        "or build more")
    if figures["requests"] < scenario.min_samples:
        problems.append(f"{figures['requests']} samples, {scenario.min_samples} wanted")
    return problems


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", metavar="PATTERN",
                        help="scenario names or shell patterns (identity.*); the bare endpoint always runs")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per scenario (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--connections", type=int, help="open connections (default 4 per worker)")
    parser.add_argument("--threads", type=int, help="wrk threads (default half the CPUs)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default one per CPU)")
    parser.add_argument("--citizens", type=int, default=2000, help="citizens seeded into an empty database")
    parser.add_argument("--port", type=int, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--name", default="http", help="result file prefix (default http)")
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 300:
        parser.error("--duration must be between 0 and 300 seconds")
    return args


def _select(scenarios: list[Scenario], patterns: list[str] | None) -> list[Scenario]:
    if not patterns:
        return scenarios
    chosen = [s for s in scenarios if s.name == BARE or any(fnmatch.fnmatch(s.name, p) for p in patterns)]
    unknown = [p for p in patterns if not any(fnmatch.fnmatch(s.name, p) for s in scenarios)]
    if unknown:
        raise SystemExit(f"no scenario matches {', '.join(unknown)}; known: {', '.join(s.name for s in scenarios)}")
    return chosen


def _build(app, scenario: Scenario):
    from app.extensions import db

    with app.app_context():
        requests = scenario.build(app)
        db.session.commit()
    return requests


def _preflight(base_url, scenario, request) -> None:
    status, body = harness.send_once(base_url, request)
    if status not in scenario.expect:
        raise SystemExit(f"scenario {scenario.name}: {request.method} {request.path} answered {status}, "
                         f"expected {list(scenario.expect)}:\n{body[:500].decode(errors='replace')}")


def _print_row(name: str, figures: dict) -> None:
    latency = figures["latency_ms"]
    print(f"  {name:<32} {figures['requests_per_second']:>9.1f} req/s   p50 {latency['p50']:>8.2f} ms   "
          f"p99 {latency['p99']:>8.2f} ms   {figures['requests']:>6} samples   errors {figures['errors']}"
          f"{'' if figures['valid'] else '   INVALID: ' + '; '.join(figures['problems'])}")


def _compare(results: dict) -> dict:
    bare = results[BARE]
    comparisons = {}
    for name, figures in results.items():
        if name == BARE:
            continue
        comparisons[name] = {
            "requests_per_second": round(figures["requests_per_second"] / bare["requests_per_second"], 3),
            "p50": round(figures["latency_ms"]["p50"] / bare["latency_ms"]["p50"], 3),
            "p99": round(figures["latency_ms"]["p99"] / bare["latency_ms"]["p99"], 3),
        }
    return comparisons


def _safe_url(url: str) -> str:
    """The URL without its password."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    credentials, _, host = rest.rpartition("@")
    return f"{scheme}://{credentials.split(':')[0]}:***@{host}"


if __name__ == "__main__":
    sys.exit(main())
