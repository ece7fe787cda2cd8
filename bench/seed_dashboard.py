"""Seeds a province at scale for the operations-centre benchmark, then builds the rollups.

    createdb -O smart dashboard_bench
    DATABASE_URL=postgresql+psycopg://smart:smart@127.0.0.1:5432/dashboard_bench \\
        .venv/bin/python bench/seed_dashboard.py --citizens 1000000 --dossiers 3000000
    DATABASE_URL=... .venv/bin/python bench/run.py --only 'dashboard.*'

1. migrations and the demo province (`flask seed`): registry citizens, agencies, catalog;
2. e-ID accounts for a share of the living adults (bulk inserts);
3. dossiers over two years in every state, their fee payments and some refunds,
   a few payments stuck open (bulk inserts, straight into the tables); one in
   five recorded at the one-stop-shop desk (by receipt number, so the share is
   the same on a database seeded before dossiers had a channel);
4. the help figures of community teams (synthetic daily counts per commune);
5. the rollups, recounted from the tables as `flask dashboard rebuild` and
   `flask dashboard refresh` do (bulk inserts bypass the live projections).

Every step is skipped when its rows are already there, so a rerun only rebuilds.
Generation is deterministic (`--seed`).
"""
import argparse
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, time as clock_time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402

BATCH = 20_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--dossiers", type=int, default=3_000_000)
    parser.add_argument("--eid-share", type=float, default=0.7, help="adults with an e-ID account")
    parser.add_argument("--days", type=int, default=730, help="days of history")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    env = harness.bench_environment()
    step = Steps()
    with step("migrations and the demo province"):
        app = harness.prepare_database(env, citizens=args.citizens)
    with app.app_context():
        rng = random.Random(args.seed)
        with step("e-ID accounts"):
            accounts = seed_accounts(rng, args.eid_share, args.days)
        with step("dossiers, payments and refunds"):
            seed_dossiers(rng, accounts, args.dossiers, args.days)
        with step("desk dossiers"):
            seed_desk_channel()
        with step("help from community teams"):
            seed_assistance(rng, args.days)
        with step("ANALYZE (planner statistics after the bulk load)"):
            harness.analyze()
        rebuild(step)
    step.report()
    return 0


class Steps:
    def __init__(self):
        self.timings = []

    def __call__(self, name):
        steps = self

        class _Step:
            def __enter__(self):
                print(f"-- {name}...", flush=True)
                self.started = time.perf_counter()

            def __exit__(self, *_exc):
                seconds = time.perf_counter() - self.started
                steps.timings.append((name, seconds))
                print(f"   {name}: {seconds:.1f}s", flush=True)
        return _Step()

    def report(self):
        for name, seconds in self.timings:
            print(f"{seconds:9.1f}s  {name}")


def _moment(rng, day: date) -> datetime:
    """A time during office hours in Vietnam on `day`, as UTC."""
    local = datetime.combine(day, clock_time(7 + rng.randrange(10), rng.randrange(60)))
    return (local - timedelta(hours=7)).replace(tzinfo=UTC)


def _recent_day(rng, today: date, days: int) -> date:
    """More activity lately: a triangular draw over the history."""
    return today - timedelta(days=int(rng.triangular(0, days, 0)))


def _insert(table, rows):
    """Bulk insert: COPY on PostgreSQL (tens of thousands of rows a second), executemany elsewhere."""
    import json

    from sqlalchemy import insert

    from app.extensions import db

    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(table), rows[start:start + BATCH])
        return
    columns = list(rows[0])
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, dict | list) else v for v in (row[c] for c in columns)])


def seed_accounts(rng, share: float, days: int) -> list[tuple]:
    """Citizen accounts for `share` of living adults; returns [(account id, commune)]."""
    from sqlalchemy import func, select

    from app.common.clock import local_today
    from app.extensions import db
    from app.identity.models import Account
    from app.registry.models import RegistryCitizen

    existing = db.session.execute(
        select(Account.id, RegistryCitizen.current_commune_code)
        .join(RegistryCitizen, RegistryCitizen.personal_id == Account.personal_id)
        .where(Account.role == "citizen")).all()
    if len(existing) > 1000:
        print(f"   {len(existing)} citizen accounts already there")
        return [tuple(row) for row in existing]
    today = local_today()
    adult_born_before = today.replace(year=today.year - 14)
    have = set(db.session.scalars(select(Account.personal_id).where(Account.personal_id.is_not(None))))
    rows, made = [], []
    result = db.session.execute(
        select(RegistryCitizen.personal_id, RegistryCitizen.full_name, RegistryCitizen.current_commune_code,
               RegistryCitizen.phone_numbers)
        .where(RegistryCitizen.is_alive.is_(True), RegistryCitizen.date_of_birth <= adult_born_before)
        .execution_options(yield_per=BATCH))
    for personal_id, name, commune, phones in result:
        if personal_id in have or rng.random() >= share:
            continue
        created = _moment(rng, _recent_day(rng, today, days))
        roll = rng.random()
        status = "active" if roll < 0.85 else ("pending_password" if roll < 0.93 else "pending_phone")
        level = 2 if status == "active" and rng.random() < 0.45 else 1
        account_id = uuid.uuid4()
        rows.append({
            "id": account_id, "login": personal_id, "personal_id": personal_id, "full_name": name,
            "phone": phones[0] if phones else None, "role": "citizen", "level": level, "status": status,
            "failed_logins": 0, "lockouts": 0, "created_at": created, "updated_at": created,
            "activated_at": created + timedelta(minutes=5) if status == "active" else None,
            "level2_at": created + timedelta(days=rng.randrange(0, 60)) if level == 2 else None,
        })
        made.append((account_id, commune))
    _insert(Account.__table__, rows)
    db.session.commit()
    total = db.session.scalar(select(func.count()).select_from(Account).where(Account.role == "citizen"))
    print(f"   {len(rows)} accounts inserted ({total} citizen accounts)")
    return made


# Dossier outcomes: (status, weight) for dossiers older than a month; recent ones are still moving
SETTLED = [("result_issued", 88), ("rejected", 3), ("returned", 3), ("withdrawn", 2), ("cancelled", 0)]
MOVING = [("submitted", 10), ("received", 10), ("in_processing", 35), ("supplement_requested", 8),
          ("pending_approval", 12), ("approved", 5), ("result_issued", 15), ("returned", 3), ("withdrawn", 2)]
GATEWAYS = [("vnpay", 45), ("momo", 30), ("paygov", 25)]


def _weighted(rng, table):
    values, weights = zip(*table)
    return rng.choices(values, weights)[0]


class _Workdays:
    """Cached working-day arithmetic (a few thousand distinct questions for millions of dossiers)."""

    def __init__(self):
        from app.common.workdays import add_working_days

        self.add = add_working_days
        self.known = {}

    def plus(self, day: date, n: int) -> date:
        key = (day, n)
        if key not in self.known:
            self.known[key] = self.add(day, n)
        return self.known[key]


def seed_dossiers(rng, accounts: list[tuple], count: int, days: int) -> None:
    from sqlalchemy import func, select

    from app.catalog.models import Agency, Procedure
    from app.common.clock import local_today
    from app.dossiers.models import Dossier
    from app.extensions import db
    from app.payments.models import Payment, Refund

    have = db.session.scalar(select(func.count()).select_from(Dossier))
    if have >= count:
        print(f"   {have} dossiers already there")
        return
    today = local_today()
    procedures = [p for p in db.session.scalars(select(Procedure)) if p.retired_at is None]
    weights = [8 if p.agency_kind == "commune_committee" else 3 for p in procedures]
    agencies = list(db.session.scalars(select(Agency)))
    by_commune = {a.commune_code: a for a in agencies if a.commune_code}
    by_kind = {a.kind: a for a in agencies if not a.commune_code}
    workdays = _Workdays()
    dossier_rows, payment_rows, refund_rows = [], [], []
    made = 0
    stuck_left = 25
    while made < count - have:
        account_id, commune = accounts[rng.randrange(len(accounts))]
        procedure = rng.choices(procedures, weights)[0]
        agency = by_commune.get(commune) if procedure.agency_kind == "commune_committee" else by_kind.get(
            procedure.agency_kind)
        if agency is None:
            continue
        submitted_day = _recent_day(rng, today, days)
        recent = (today - submitted_day).days < 30
        status = _weighted(rng, MOVING if recent else SETTLED)
        submitted = _moment(rng, submitted_day)
        received = submitted + timedelta(hours=rng.randrange(1, 30)) if status != "submitted" else None
        start_day = (received or submitted).date()
        due = workdays.plus(start_day, procedure.processing_days)
        paused = rng.choice((0, 0, 0, 0, 1, 2, 3)) if status in ("result_issued", "rejected", "in_processing") else 0
        completed = None
        if status in ("result_issued", "rejected"):
            late = rng.random() < 0.07
            spent = procedure.processing_days + (rng.randrange(1, 6) if late else -rng.randrange(0, procedure.processing_days + 1))
            completed_day = min(workdays.plus(start_day, max(0, spent) + paused), today)
            completed = _moment(rng, completed_day)
        elif status in ("returned", "withdrawn"):
            completed = submitted + timedelta(hours=rng.randrange(1, 48))
        dossier_id = uuid.uuid4()
        fee = procedure.fee
        paid = fee > 0 and status not in ("submitted", "withdrawn", "returned")
        made += 1
        dossier_rows.append({
            "id": dossier_id, "procedure_id": procedure.id, "citizen_account_id": account_id,
            "applicant_name": "Công dân", "agency_id": agency.id, "commune_code": commune, "status": status,
            "receipt_code": f"{agency.code}-{submitted_day:%y%m%d}-{have + made:07d}", "form_data": {}, "prefill": {},
            "fee_amount": fee, "fee_status": "paid" if paid else ("unpaid" if fee else "not_required"),
            "submitted_at": submitted, "received_at": received, "completed_at": completed,
            "due_date": due if status not in ("returned", "withdrawn") else None,
            "paused_days": paused, "version": 1, "created_at": submitted, "updated_at": completed or submitted,
        })
        if fee > 0:
            stuck = stuck_left > 0 and recent and not paid and rng.random() < 0.01
            stuck_left -= stuck
            payments = _payments_for(rng, dossier_id, account_id, procedure, fee, submitted, paid,
                                     dossier_rows[-1]["receipt_code"], refund_rows, stuck=stuck)
            for payment in payments:   # the dossier's scope, as payments record it when one starts
                payment.update(agency_id=agency.id, commune_code=commune)
            payment_rows.extend(payments)
        if len(dossier_rows) >= BATCH:
            _flush(Dossier, Payment, Refund, dossier_rows, payment_rows, refund_rows)
            if made % 500_000 < BATCH:
                print(f"   {made} dossiers...", flush=True)
    _flush(Dossier, Payment, Refund, dossier_rows, payment_rows, refund_rows)
    print(f"   {made} dossiers inserted")


def seed_desk_channel() -> None:
    """One dossier in five came through the desk: those whose receipt number ends in 3 or 7."""
    from sqlalchemy import exists, or_, select, update

    from app.dossiers.models import Dossier
    from app.extensions import db

    if "channel" not in Dossier.__table__.c:
        print("   dossiers have no channel in this version")
        return
    if db.session.scalar(select(exists().where(Dossier.channel == "desk"))):
        print("   desk dossiers already there")
        return
    changed = db.session.execute(update(Dossier).where(
        Dossier.channel != "desk",
        or_(Dossier.receipt_code.like("%3"), Dossier.receipt_code.like("%7"))).values(channel="desk"))
    db.session.commit()
    print(f"   {changed.rowcount} dossiers marked as received at the desk")


def _payments_for(rng, dossier_id, account_id, procedure, fee, submitted, paid, receipt, refund_rows, stuck):
    if not paid and not stuck:
        return []
    gateway = _weighted(rng, GATEWAYS)
    payment_id = uuid.uuid4()
    created = submitted + timedelta(minutes=rng.randrange(1, 30))
    status = "succeeded" if paid else "pending"
    refunded = paid and rng.random() < 0.01
    row = {
        "id": payment_id, "dossier_id": dossier_id, "account_id": account_id, "gateway": gateway,
        "txn_ref": uuid.uuid4().hex[:20], "amount": fee, "currency": "VND",
        "status": "refunded" if refunded else status, "duplicate": False, "order_info": "Lệ phí",
        "procedure_code": procedure.code, "procedure_name": procedure.name, "dossier_receipt_code": receipt,
        "locale": "vi", "expires_at": created + timedelta(minutes=15),
        "paid_at": created + timedelta(minutes=2) if paid else None,
        "closed_at": created + timedelta(minutes=2) if paid else None,
        "created_at": created, "updated_at": created,
    }
    if refunded:
        asked = created + timedelta(days=rng.randrange(1, 10))
        refund_rows.append({
            "id": uuid.uuid4(), "payment_id": payment_id, "amount": fee, "reason": "dossier_rejected",
            "status": "succeeded", "gateway_request_id": uuid.uuid4().hex, "attempts": 1,
            "completed_at": asked + timedelta(hours=1), "created_at": asked, "updated_at": asked,
        })
    return [row]


def _flush(Dossier, Payment, Refund, dossiers, payments, refunds):
    from app.extensions import db

    _insert(Dossier.__table__, dossiers)
    _insert(Payment.__table__, payments)
    _insert(Refund.__table__, refunds)
    db.session.commit()
    dossiers.clear()
    payments.clear()
    refunds.clear()


def seed_assistance(rng, days: int) -> None:
    """Daily help counts per commune, as the assistance events would have left them."""
    from sqlalchemy import func, select

    from app.common.clock import local_today
    from app.dashboard.counters import Key, apply_deltas
    from app.dashboard.models import Counter
    from app.dashboard.projections import ASSISTANCE
    from app.extensions import db
    from app.registry import divisions

    if db.session.scalar(select(func.count()).select_from(Counter).where(Counter.metric.like("assistance.%"))):
        print("   help figures already there")
        return
    today = local_today()
    communes = [c.code for c in divisions.communes_of(str(harness_province()))]
    deltas = {}
    for offset in range(days):
        day = today - timedelta(days=offset)
        for commune in communes:
            for metric in ASSISTANCE.values():
                value = rng.randrange(0, 6)
                if value:
                    deltas[Key(metric, day, commune_code=commune)] = value
    apply_deltas(deltas)
    db.session.commit()


def harness_province() -> str:
    from flask import current_app

    return str(current_app.config["DEMO_PROVINCE_CODE"])


def rebuild(step) -> None:
    """The rollups from the tables, as `flask dashboard rebuild` and `flask dashboard refresh`."""
    from app.dashboard.rebuild import rebuild_swapped
    from app.dashboard.registry_figures import refresh_registry_figures
    from app.extensions import db

    with step("rebuild the rollups (flask dashboard rebuild)"):
        for name, rows in rebuild_swapped(db.session).items():
            print(f"   {name}: {rows} counter rows")
        db.session.commit()
    with step("registry figures (the hourly refresh)"):
        records = refresh_registry_figures()
        db.session.commit()
        print(f"   {records} registry records checked")


if __name__ == "__main__":
    sys.exit(main())
