"""The operations-centre figures in-process: database and Python time of each, no HTTP.

    DATABASE_URL=postgresql+psycopg://smart:smart@127.0.0.1:5432/dashboard_bench \\
        .venv/bin/python bench/dashboard_figures.py

Calls each figure function (the same ones the routes call) for the whole
province, one commune and this year, and prints the median and the slowest of
`--repeat` calls, then the time to write the longest CSV export (every overdue
dossier). Use it to see where an HTTP figure from bench/run.py goes.
"""
import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--commune", default="25459", help="the commune asked for (default 25459)")
    args = parser.parse_args()

    from app.common.clock import local_today
    from app.dashboard import service
    from app.dashboard.counters import Filters

    app = harness.app_for(harness.bench_environment())
    results = {}
    with app.app_context():
        today = local_today()
        scopes = {"province": Filters(), "commune": Filters(commune_code=args.commune),
                  "this year": Filters(start=date(today.year, 1, 1), end=today)}
        figures = {"dossiers": service.dossier_figures, "overdue": service.overdue_dossiers,
                   "payments": service.payment_figures, "eid": service.eid_figures,
                   "assistance": service.assistance_figures, "registry-quality": service.registry_quality}
        for name, figure in figures.items():
            for scope, filters in scopes.items():
                figure(filters)   # warm the connection and the caches
                timings = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    figure(filters)
                    timings.append((time.perf_counter() - started) * 1000)
                results[f"{name} / {scope}"] = {"median_ms": round(statistics.median(timings), 2),
                                                 "max_ms": round(max(timings), 2)}
                print(f"{name:18} {scope:10} median {statistics.median(timings):7.1f} ms   "
                      f"max {max(timings):7.1f} ms")
        results["export dossiers-overdue"] = _time_overdue_export()
    path = harness.write_result("dashboard-figures", {"machine": harness.machine(), "repeat": args.repeat,
                                                      "figures": results})
    print(f"written to {path.relative_to(harness.ROOT)}")
    return 0


def _time_overdue_export() -> dict:
    """The longest CSV: every overdue dossier of the province, as the export streams it."""
    from app.dashboard.counters import Filters
    from app.dashboard.exports import TABLES, csv_chunks

    columns, rows = TABLES["dossiers-overdue"]
    started = time.perf_counter()
    size = lines = 0
    for chunk in csv_chunks(columns, rows(Filters())):
        size += len(chunk.encode("utf-8"))
        lines += chunk.count("\r\n")
    seconds = time.perf_counter() - started
    print(f"export dossiers-overdue: {lines - 1} rows, {size / 1e6:.1f} MB in {seconds:.1f} s")
    return {"rows": lines - 1, "bytes": size, "seconds": round(seconds, 2)}


if __name__ == "__main__":
    sys.exit(main())
