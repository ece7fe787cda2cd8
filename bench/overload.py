"""A node flooded at about 4x its capacity: accepted requests keep a bounded p99, refusals are clean 503s.

    DATABASE_URL=postgresql+psycopg://smart:smart@127.0.0.1:5432/smart_bench \
        .venv/bin/python bench/overload.py --duration 10

The node: gunicorn, 2 gthread workers x 16 threads, each with a pool of 8
PostgreSQL connections and DB_POOL_TIMEOUT=1 s, so at most 16 requests use
the database at once and the others wait at most a second for a
connection, then get 503 `overloaded`. The load: citizens' dossier lists
(GET /api/v1/dossiers), first at 8 connections (capacity: what the node
serves without refusing), then at 4x that many connections. wrk's Lua
counts answers per status (and any 503 that is not the `overloaded`
envelope); the latency percentiles cover every answer, 200s and 503s together.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402
from bench.scenarios_dossiers import setup_mine  # noqa: E402

LUA = r"""
local specs = {
--REQUESTS--
}
local threads = {}
local index = 0
setup = function(thread) table.insert(threads, thread) end
init = function(args)
  formatted = {}
  for i, s in ipairs(specs) do formatted[i] = wrk.format("GET", s[1], s[2]) end
  counts = {}; ok = {}; refused = {}; started = 0
end
request = function()
  index = index % #formatted + 1
  started = wrk.time_us and wrk.time_us() or 0
  return formatted[index]
end
response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status == 503 and not string.find(body, '"code": "overloaded"', 1, true)
     and not string.find(body, '"code":"overloaded"', 1, true) then
    counts["503-unclean"] = (counts["503-unclean"] or 0) + 1
  end
end
done = function(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("counts")) do total[tostring(k)] = (total[tostring(k)] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%s": %d', k, v)) end
  io.write(string.format('BENCH_JSON {"requests": %d, "duration_us": %d, "timeouts": %d, "statuses": {%s}, '
    .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.errors.timeout, table.concat(parts, ", "),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--citizens", type=int, default=1000)
    args = parser.parse_args(argv)
    machine = harness.machine()
    env = harness.bench_environment()
    env.update(GUNICORN_THREADS="16", DB_POOL_SIZE="8", DB_MAX_OVERFLOW="0", DB_POOL_TIMEOUT="1",
               LONG_POLL_SLOTS="4")
    wrk = harness.ensure_wrk()
    app = harness.prepare_database(env, citizens=args.citizens)
    with app.app_context():
        from app.extensions import db

        requests = setup_mine(app)
        db.session.commit()
    results = {}
    with harness.gunicorn(env, workers=2) as base_url:
        for name, connections in (("capacity", 8), ("flood_4x", 32)):
            _run(wrk, base_url, requests, 2, connections)
            results[name] = _run(wrk, base_url, requests, args.duration, connections)
            results[name]["connections"] = connections
            print(name, json.dumps(results[name]), flush=True)
    path = harness.write_result("overload", {"commit": harness.git_commit(), "machine": machine,
                                             "database": harness.database_kind(env),
                                             "server": "2 gthread workers x 16 threads, pool 8 per worker, "
                                                       "pool_timeout 1 s", "results": results})
    print(f"written to {path.relative_to(harness.ROOT)}")
    return 0


def _run(wrk, base_url, requests, duration, connections) -> dict:
    entries = "\n".join(f'  {{"{r.path}", {{["Authorization"] = "{r.headers["Authorization"]}"}}}},'
                        for r in requests)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.replace("--REQUESTS--", entries))
    command = [wrk, "--latency", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s",
               "-s", script.name, base_url]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    os.unlink(script.name)
    marker = completed.stdout.rfind("BENCH_JSON ")
    if marker < 0:
        raise RuntimeError(f"wrk failed:\n{completed.stdout}\n{completed.stderr}")
    raw = json.loads(completed.stdout[marker + len("BENCH_JSON "):].splitlines()[0])
    seconds = raw["duration_us"] / 1e6
    statuses = raw["statuses"]
    return {"requests_per_second": round(raw["requests"] / seconds, 1),
            "accepted_per_second": round(statuses.get("200", 0) / seconds, 1),
            "statuses": statuses, "timeouts": raw["timeouts"],
            "latency_ms_all": {k: round(v / 1000, 1) for k, v in raw["latency_us"].items()}}


if __name__ == "__main__":
    sys.exit(main())
