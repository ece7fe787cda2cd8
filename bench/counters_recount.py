"""Compares the live operations-centre counters with a full recount, without changing them.

    DATABASE_URL=postgresql+psycopg://smart:smart@127.0.0.1:5432/bench_writes \\
        .venv/bin/python bench/counters_recount.py

Run it after a write benchmark (`bench/run.py --only dossiers.submit payments.ipn`):
the counters written by concurrent requests must equal what `flask dashboard
rebuild` would count from the tables. Rows that a scenario's setup inserted in
bulk (straight into the tables, bypassing the live counters) show up as
differences by design; their metrics are listed. The recount runs in a
transaction that is rolled back. It holds every non-zero counter row in
memory twice: for bench-sized databases, not for the province-scale one. Day
rows before the first day compaction keeps (app/dashboard/retention.py) are
left out of both sides: the recount writes them again, the live table no longer
has them.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402

KEY = ("metric", "grain", "commune_code", "agency_id", "procedure_code", "day", "status", "gateway", "bucket")


def main() -> int:
    from sqlalchemy import select

    from app.dashboard.models import DAY, Counter
    from app.dashboard.rebuild import rebuild_all
    from app.dashboard.retention import day_rows_from
    from app.extensions import db

    def snapshot():
        statement = select(Counter).where(Counter.value != 0)
        if kept_from := day_rows_from():
            statement = statement.where((Counter.grain != DAY) | (Counter.day >= kept_from))
        rows = db.session.scalars(statement)
        return {tuple(getattr(row, name) for name in KEY): row.value for row in rows}

    app = harness.app_for(harness.bench_environment())
    with app.app_context():
        live = snapshot()
        rebuild_all(db.session)
        recounted = snapshot()
        db.session.rollback()
    differing = {key for key in live.keys() | recounted.keys() if live.get(key) != recounted.get(key)}
    print(f"live counter rows {len(live)}, recounted {len(recounted)}, differing {len(differing)}")
    by_metric: dict[str, int] = {}
    for key in differing:
        by_metric[key[0]] = by_metric.get(key[0], 0) + 1
    for metric, count in sorted(by_metric.items()):
        print(f"  {metric}: {count} rows differ")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
