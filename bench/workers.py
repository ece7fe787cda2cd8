"""Worker models compared on one database in one run: sync, gthread, gevent.

    DATABASE_URL=postgresql+psycopg://smart:smart@127.0.0.1:5432/smart_bench \
        .venv/bin/python bench/workers.py --duration 8

For each worker model, gunicorn (the project's gunicorn.conf.py, `--workers`
processes) serves:
- the bare endpoint (GET /healthz), GET /readyz and a citizen's dossier list
  (GET /api/v1/dossiers, a real indexed read) at 16 connections with
  keep-alive (wrk): requests/s, p50/p99, and the ratio of each to bare;
- the long-poll starvation scenario: 24 clients hold maximal QR-login polls
  (wait=25) while wrk measures GET /healthz at 4 connections; a model that
  starves shows a p99 in seconds or timeouts.
gevent runs only when the package is installed. Results go to
bench/results/workers-<timestamp>.json.
"""
import argparse
import importlib.util
import sys
import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402
from bench.scenario import Request  # noqa: E402
from bench.scenarios_dossiers import setup_mine  # noqa: E402

MODELS = {
    "sync": ("--worker-class", "sync", "--threads", "1"),   # threads > 1 would make it gthread
    "gthread": ("--worker-class", "gthread", "--threads", "8"),
    "gevent": ("--worker-class", "gevent", "--worker-connections", "200"),
}
# The configuration before long polls were capped: sync workers, every poll allowed to wait
# (only the starvation scenario runs: the others would equal "sync")
UNCAPPED = "sync-uncapped"


def main(argv=None) -> int:
    args = _arguments(argv)
    machine = harness.machine()
    env = harness.bench_environment()
    wrk = harness.ensure_wrk()
    app = harness.prepare_database(env, citizens=args.citizens)
    with app.app_context():
        from app.extensions import db

        mine = setup_mine(app)
        db.session.commit()
    polls = 24
    loads = {"bare": [Request("GET", "/healthz")], "readyz": [Request("GET", "/readyz")], "dossiers.mine": mine}
    models = [m for m in args.models if m != "gevent" or importlib.util.find_spec("gevent")]
    print(f"database: {harness.database_kind(env)}; {args.workers} workers; wrk 16 connections, "
          f"{args.duration}s per scenario")
    results = {}
    for model in models:
        figures = {}
        if model == UNCAPPED:
            with harness.gunicorn({**env, "LONG_POLL_SLOTS": "1000"}, workers=args.workers,
                                  extra_args=MODELS["sync"]) as base_url:
                figures["starvation"] = _starvation(wrk, base_url, polls, args.duration)
            results[model] = figures
            _print(model, figures)
            continue
        with harness.gunicorn(env, workers=args.workers, extra_args=MODELS[model]) as base_url:
            for name, requests in loads.items():
                harness.run_wrk(wrk, base_url, requests, duration=2, connections=16, threads=2)
                figures[name] = harness.run_wrk(wrk, base_url, requests, duration=args.duration,
                                                connections=16, threads=2)
            figures["starvation"] = _starvation(wrk, base_url, polls, args.duration)
        bare = figures["bare"]
        for name in ("readyz", "dossiers.mine"):
            figures[name]["ratio_to_bare_rps"] = round(figures[name]["requests_per_second"] /
                                                       bare["requests_per_second"], 3)
        results[model] = figures
        _print(model, figures)
    path = harness.write_result("workers", {
        "commit": harness.git_commit(), "machine": machine, "database": harness.database_kind(env),
        "workers": args.workers, "connections": 16, "duration_s": args.duration, "models": results})
    print(f"written to {path.relative_to(harness.ROOT)}")
    return 0


def _print(model, figures):
    for name, f in figures.items():
        print(f"{model:<14} {name:<16} {f['requests_per_second']:>8.1f} req/s  p50 {f['latency_ms']['p50']:>9.2f} ms"
              f"  p99 {f['latency_ms']['p99']:>9.2f} ms  non-2xx {f['non_2xx_3xx']}  "
              f"socket errors {sum(f['socket_errors'].values())}"
              + (f"  ratio {f['ratio_to_bare_rps']}" if "ratio_to_bare_rps" in f else "")
              + (f"  polls {f['long_polls']}" if "long_polls" in f else ""), flush=True)


def _qr_logins(base_url, count):
    """`count` fresh QR-login requests (they expire after 120 s: made just before the scenario)."""
    made = []
    for _ in range(count):
        request = urllib.request.Request(f"{base_url}/api/v1/identity/qr-logins", method="POST",
                                         data=b'{"client_name": "bench"}',
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = json.loads(response.read())
        made.append((body["id"], body["poll_secret"]))
    return made


def _starvation(wrk, base_url, count, duration) -> dict:
    """wrk on /healthz while every QR request is long-polled (wait=25) by its own client."""
    polls = _qr_logins(base_url, count)
    answers = []

    def hold(login_id, secret):
        request = urllib.request.Request(f"{base_url}/api/v1/identity/qr-logins/{login_id}?wait=25",
                                         headers={"X-Poll-Secret": secret})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=40) as response:
                answers.append((response.status, time.monotonic() - started))
        except urllib.error.HTTPError as error:
            answers.append((error.code, time.monotonic() - started))
        except OSError:
            answers.append((None, time.monotonic() - started))

    threads = [threading.Thread(target=hold, args=poll, daemon=True) for poll in polls]
    for thread in threads:
        thread.start()
    time.sleep(1)
    figures = harness.run_wrk(wrk, base_url, [Request("GET", "/healthz")], duration=min(duration, 8),
                              connections=4, threads=1, timeout=30)
    for thread in threads:
        thread.join(timeout=40)
    figures["long_polls"] = {"count": len(polls), "statuses": sorted({str(s) for s, _ in answers}),
                             "answered_within_1s": sum(1 for _, t in answers if t < 1),
                             "held_over_20s": sum(1 for _, t in answers if t > 20)}
    return figures


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--citizens", type=int, default=1000)
    parser.add_argument("--models", nargs="*", default=[*MODELS, UNCAPPED])
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
