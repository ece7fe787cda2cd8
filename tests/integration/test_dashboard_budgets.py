"""Query budgets of the operations-centre figures read most at scale (as tests/api/test_query_budgets.py).

The figures read several counter metrics in one statement each (`counters.sums_of`): the
dossiers figure its four in one, grouped by status and bucket; the e-ID and help figures
theirs per commune in one and their totals in another; the payments figure its daily series
in one and the totals per gateway and refund status in another, then the stuck payments
(a count and a page). Counts include authentication.
"""
from app.common import roles
from app.extensions import db
from bench.sqlcount import count_sql
from tests.dashboard_fixtures import build_dossiers, build_payments
from tests.dossiers_fixtures import agency, catalog, storage  # noqa: F401
from tests.factories import AccountFactory, bearer

BUDGETS = {"/api/v1/dashboard/dossiers": (2, 0), "/api/v1/dashboard/eid": (5, 0),
           "/api/v1/dashboard/assistance": (3, 0), "/api/v1/dashboard/payments": (6, 0)}


def test_the_figures_keep_their_statement_budgets(client, catalog):  # noqa: F811
    build_payments(build_dossiers(catalog, agency))
    leader = bearer(AccountFactory(role=roles.LEADER))
    for path, budget in BUDGETS.items():
        for query in ("", "?commune_code=25459", "?from=2026-01-01&to=2026-11-30"):
            client.get(path + query, headers=leader)               # warm-up
            with count_sql(db.engine) as counted:
                response = client.get(path + query, headers=leader)
            assert response.status_code == 200, response.get_json()
            assert (counted.statements, counted.commits) == budget, f"{path}{query}: {counted}"
