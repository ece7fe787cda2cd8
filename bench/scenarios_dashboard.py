"""Operations-centre figures, read by a logged-in province leader.

Meant for a database seeded at scale first (bench/seed_dashboard.py: one
million citizens, three million dossiers); on the small default database they
measure the same code on little data. Each scenario sends its requests
round-robin: the same figure for the whole province, per commune, per agency,
per procedure and per period, so no single cached plan or row flatters it.
"""
from datetime import timedelta

from bench.scenario import Request, Scenario

LOGIN = "bench.leader"


def _leader_token(app) -> str:
    from sqlalchemy import select

    from app.extensions import db
    from app.common import roles
    from app.identity.models import Account
    from app.identity.sessions import start_session
    from app.identity.staff import create_staff

    account = db.session.scalar(select(Account).where(Account.login == LOGIN))
    if account is None:
        account = create_staff(role=roles.LEADER, login=LOGIN, full_name="Lãnh đạo tỉnh (benchmark)").account
    token = start_session(account, level=2, methods=["pwd", "otp"]).access_token
    db.session.commit()
    return token


def _scopes(app) -> dict:
    """Communes, agencies and procedures that have dossiers, and the periods asked about."""
    from sqlalchemy import select

    from app.catalog.models import Agency, Procedure
    from app.common.clock import local_today
    from app.extensions import db
    from app.registry import divisions

    today = local_today()
    communes = [c.code for c in divisions.communes_of(str(app.config["DEMO_PROVINCE_CODE"]))]
    return {
        "communes": communes[::max(1, len(communes) // 12)][:12],
        "agencies": [str(a) for a in db.session.scalars(select(Agency.id).order_by(Agency.code).limit(8))],
        "procedures": list(db.session.scalars(select(Procedure.code).order_by(Procedure.code).limit(6))),
        "periods": [(today - timedelta(days=30), today), (today.replace(day=1), today),
                    (today.replace(month=1, day=1), today), (today - timedelta(days=365), today - timedelta(days=180))],
    }


def _requests(path_queries):
    def setup(app):
        headers = {"Authorization": f"Bearer {_leader_token(app)}"}
        return [Request("GET", f"/api/v1/dashboard/{path}", headers=headers) for path in path_queries(_scopes(app))]
    return setup


def _filtered(path):
    """The whole province, then per commune, agency, procedure and period, and combinations."""
    def queries(s):
        items = [path]
        items += [f"{path}?commune_code={c}" for c in s["communes"]]
        items += [f"{path}?agency_id={a}" for a in s["agencies"]]
        items += [f"{path}?procedure_code={p}" for p in s["procedures"]]
        items += [f"{path}?from={start}&to={end}" for start, end in s["periods"]]
        items += [f"{path}?commune_code={c}&procedure_code={p}&from={s['periods'][2][0]}"
                  for c, p in zip(s["communes"], s["procedures"])]
        return items
    return queries


def _period_commune(path):
    def queries(s):
        return ([path] + [f"{path}?commune_code={c}" for c in s["communes"]]
                + [f"{path}?from={start}&to={end}" for start, end in s["periods"]])
    return queries


SCENARIOS = [
    Scenario("dashboard.dossiers", setup=_requests(_filtered("dossiers")),
             description="dossiers by status and channel, on time or late, processing time (p90)"),
    Scenario("dashboard.overdue", setup=_requests(lambda s: (
        ["dossiers/overdue"] + [f"dossiers/overdue?commune_code={c}" for c in s["communes"]]
        + [f"dossiers/overdue?agency_id={a}&limit=100" for a in s["agencies"]])),
             description="dossiers overdue now, first page, by commune and agency"),
    Scenario("dashboard.payments", setup=_requests(_filtered("payments")),
             description="fees per gateway and day, refunds, stuck payments"),
    Scenario("dashboard.eid", setup=_requests(_period_commune("eid")),
             description="e-ID registered, activated, level 2 per commune, shares of the adults"),
    Scenario("dashboard.registry-quality", setup=_requests(lambda s: (
        ["registry-quality"] + [f"registry-quality?commune_code={c}" for c in s["communes"]])),
             description="registry records with missing or inconsistent fields, per commune"),
    Scenario("dashboard.assistance", setup=_requests(_period_commune("assistance")),
             description="help given by community digital-tech teams, per commune"),
    Scenario("dashboard.export-csv", setup=_requests(lambda s: (
        ["exports/eid-communes.csv", "exports/dossiers-status.csv",
         f"exports/payments-daily.csv?from={s['periods'][0][0]}", "exports/registry-quality-checks.csv"])),
             description="CSV exports of figure tables"),
]
