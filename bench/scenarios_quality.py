"""Service quality read by a province leader: the Decision 766 index, drill-downs, the IOC lists.

Meant for a database seeded at scale (bench/seed_dashboard.py, then
bench/seed_quality.py); on the small default database they measure the same
code on little data. Requests go round-robin over the province, communes,
agencies and procedures and over periods of one to twelve months.
"""
from bench.scenario import Request, Scenario
from bench.scenarios_dashboard import _leader_token, _scopes


def _months(app) -> list[tuple[str, str]]:
    from app.common.clock import local_today

    today = local_today()
    this = f"{today:%Y-%m}"
    start_of_year = f"{today:%Y}-01"
    last_year = f"{today.year - 1}-{today:%m}"
    return [(this, this), (start_of_year, this), (last_year, this)]


def _requests(paths):
    def setup(app):
        headers = {"Authorization": f"Bearer {_leader_token(app)}"}
        scopes, months = _scopes(app), _months(app)
        queries = [f"from={a}&to={b}" for a, b in months]
        queries += [f"from={months[1][0]}&to={months[1][1]}&scope=commune&scope_id={c}" for c in scopes["communes"]]
        queries += [f"from={months[1][0]}&to={months[1][1]}&scope=agency&scope_id={a}" for a in scopes["agencies"]]
        queries += [f"from={months[1][0]}&to={months[1][1]}&scope=procedure&scope_id={p}"
                    for p in scopes["procedures"]]
        return [Request("GET", f"/api/v1/quality/{path}?{query}", headers=headers)
                for path in paths for query in queries]
    return setup


def _province_year(paths):
    """The province-wide drill-down from the same month last year to this one, first page (the heaviest list)."""
    def setup(app):
        headers = {"Authorization": f"Bearer {_leader_token(app)}"}
        start, end = _months(app)[2]
        return [Request("GET", f"/api/v1/quality/{path}?from={start}&to={end}&limit=20", headers=headers)
                for path in paths]
    return setup


def _lists(paths):
    def setup(app):
        headers = {"Authorization": f"Bearer {_leader_token(app)}"}
        scopes = _scopes(app)
        queries = ["limit=20"] + [f"scope=commune&scope_id={c}&limit=20" for c in scopes["communes"]]
        queries += [f"scope=agency&scope_id={a}&limit=20" for a in scopes["agencies"]]
        return [Request("GET", f"/api/v1/quality/{path}?{query}", headers=headers)
                for path in paths for query in queries]
    return setup


SCENARIOS = [
    Scenario("quality.index", setup=_requests(["index"]),
             description="the Decision 766 index for a period and scope (roll-up sums)"),
    Scenario("quality.drill-down", setup=_requests(["index/on_time/dossiers", "index/satisfaction/dossiers"]),
             description="first page of the dossiers that cost points"),
    Scenario("quality.drill-down-year",
             setup=_province_year([f"index/{code}/dossiers" for code in
                                   ("on_time", "satisfaction", "online", "digitised", "reuse", "population_db")]),
             description="first page of the province's dossiers that cost points from the same month last year"),
    Scenario("quality.lists", setup=_lists(["stalled", "soon-late", "early-warning"]),
             description="stalled and soon-late dossiers, the month's projected on-time rate"),
    Scenario("quality.summaries", setup=_requests(["ratings/summary", "complaints/summary"]),
             description="ratings and complaints counted"),
]
