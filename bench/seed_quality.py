"""Fills the service-quality tables at scale from a database seeded by bench/seed_dashboard.py.

    DATABASE_URL=postgresql+psycopg://smart:smart@127.0.0.1:5432/dashboard_bench \\
        .venv/bin/python bench/seed_quality.py
    DATABASE_URL=... .venv/bin/python bench/run.py --only 'quality.*'

bench/seed_dashboard.py writes dossiers straight into the tables, so the
`dossier.transitioned` events that keep `quality_dossiers` and `quality_rollups`
current never ran. This script does in bulk what those events would have
done: one `quality_dossiers` row per submitted dossier (deterministic
pseudo-random facts where the bulk rows carry none: prefill, reuse,
digitisation, supplements, dislikes, stall flags), then the monthly roll-ups
by GROUP BY. Ratings and complaints are not generated. Rerunning replaces
everything.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from bench import harness  # noqa: E402

HANDLED = "('result_issued', 'rejected')"
FINAL = "('returned', 'rejected', 'result_issued', 'withdrawn', 'cancelled')"
def _bucket(dialect: str) -> str:
    """A stable pseudo-random number 0..99 per dossier from its receipt code (same on SQLite and PostgreSQL)."""
    last = "ascii(substr(d.receipt_code, -1))" if dialect == "postgresql" else "unicode(substr(d.receipt_code, -1))"
    return f"(({last}) * 37 + length(d.receipt_code)) % 100"


def _month(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"to_char(({column} AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM')"
    return f"strftime('%Y-%m', {column}, '+7 hours')"


def _true(dialect: str) -> str:
    return "TRUE" if dialect == "postgresql" else "1"


def _false(dialect: str) -> str:
    return "FALSE" if dialect == "postgresql" else "0"


def main() -> int:
    env = harness.bench_environment()
    app = harness.app_for(env)
    with app.app_context():
        from app.extensions import db

        connection = db.session.connection()
        dialect = connection.dialect.name
        bucket, t, f = _bucket(dialect), _true(dialect), _false(dialect)
        for table in ("quality_rollups", "quality_complaint_timeline", "quality_complaints", "quality_ratings",
                      "quality_apologies", "quality_dossiers"):
            connection.execute(text(f"DELETE FROM {table}"))
        print("-- quality_dossiers from dossiers", flush=True)
        connection.execute(text(f"""
            INSERT INTO quality_dossiers (dossier_id, citizen_account_id, agency_id, commune_code, procedure_code,
                receipt_code, channel, status, is_open, assignee_id, state_since, submitted_at, received_at,
                completed_at, finished_month, due_date, paused_days, supplement_count, fee_amount, paid_online,
                electronic_result, registry_prefill, reused_documents, digitised, handled, late, handling_days,
                unhappy, stall_level)
            SELECT d.id, d.citizen_account_id, d.agency_id, d.commune_code, p.code, d.receipt_code, d.channel,
                d.status, d.status NOT IN {FINAL}, d.assigned_officer_id, COALESCE(d.updated_at, d.created_at),
                d.submitted_at, d.received_at, d.completed_at,
                CASE WHEN d.status IN {HANDLED} THEN {_month('d.completed_at', dialect)} END,
                d.due_date, d.paused_days, CASE WHEN {bucket} < 3 THEN 2 WHEN {bucket} < 15 THEN 1 ELSE 0 END,
                d.fee_amount, d.fee_status = 'paid' AND d.fee_payment_id IS NOT NULL,
                d.status = 'result_issued', {bucket} < 60, {bucket} BETWEEN 40 AND 70, {bucket} < 90,
                d.status IN {HANDLED}, {f}, NULL, {bucket} >= 97,
                CASE WHEN d.status NOT IN {FINAL} AND {bucket} < 2 THEN 1 ELSE 0 END
            FROM dossiers d JOIN procedures p ON p.id = d.procedure_id
            WHERE d.submitted_at IS NOT NULL"""))
        handled = f"handled = {t}"
        # handling days are left at 0 here: counting working days per row is the app's, not SQL's
        finished_on = ("((completed_at AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
                       if dialect == "postgresql" else "date(completed_at, '+7 hours')")
        connection.execute(text(f"""
            UPDATE quality_dossiers SET late = (supplement_count >= 2 OR {finished_on} > due_date),
                handling_days = 0 WHERE {handled}"""))
        print("-- monthly roll-ups", flush=True)
        metrics = {
            "handled": "1", "late": f"CASE WHEN late = {t} THEN 1 ELSE 0 END",
            "late_second_supplement": "CASE WHEN supplement_count >= 2 THEN 1 ELSE 0 END",
            "online_e_result": f"CASE WHEN channel = 'online' AND electronic_result = {t} THEN 1 ELSE 0 END",
            "fee_dossiers": "CASE WHEN fee_amount > 0 THEN 1 ELSE 0 END",
            "paid_online": f"CASE WHEN fee_amount > 0 AND paid_online = {t} THEN 1 ELSE 0 END",
            "results": "CASE WHEN status = 'result_issued' THEN 1 ELSE 0 END",
            "e_results": f"CASE WHEN electronic_result = {t} THEN 1 ELSE 0 END",
            "digitised": f"CASE WHEN digitised = {t} THEN 1 ELSE 0 END",
            "reused": f"CASE WHEN registry_prefill = {t} OR reused_documents = {t} THEN 1 ELSE 0 END",
            "registry": f"CASE WHEN registry_prefill = {t} THEN 1 ELSE 0 END",
            "unhappy": f"CASE WHEN unhappy = {t} THEN 1 ELSE 0 END",
        }
        scopes = {"'province'": "1 = 1", "'agency:' || agency_id": "1 = 1",
                  "'procedure:' || procedure_code": "1 = 1",
                  "'commune:' || commune_code": "commune_code IS NOT NULL"}
        # per procedure within a scope (procedures with online payment): metrics named <metric>@<procedure code>
        names = {metric: f"'{metric}'" for metric in metrics}
        names.update({f"{m}@": f"'{m}@' || procedure_code" for m in ("fee_dossiers", "paid_online")})
        for scope, condition in scopes.items():
            if dialect == "sqlite":
                # SQLite stores UUIDs as 32 hex digits; the app's scope keys use the dashed form
                scope = scope.replace("agency_id", "lower(substr(agency_id,1,8)||'-'||substr(agency_id,9,4)||'-'||"
                                                   "substr(agency_id,13,4)||'-'||substr(agency_id,17,4)||'-'||"
                                                   "substr(agency_id,21))")
            for metric, name in names.items():
                if metric.endswith("@") and scope.startswith("'procedure:'"):
                    continue
                expression = metrics[metric.rstrip("@")]
                connection.execute(text(f"""
                    INSERT INTO quality_rollups (month, scope, metric, value)
                    SELECT finished_month, {scope}, {name}, SUM({expression}) FROM quality_dossiers
                    WHERE handled = {t} AND {condition}
                    GROUP BY 1, 2, 3 HAVING SUM({expression}) <> 0"""))
        db.session.commit()
        rows = db.session.execute(text("SELECT count(*) FROM quality_rollups")).scalar()
        dossiers = db.session.execute(text("SELECT count(*) FROM quality_dossiers")).scalar()
        print(f"quality_dossiers: {dossiers} rows; quality_rollups: {rows} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
