"""Help from community digital-tech teams: the assistance domain's events, counted per commune and day."""
from collections import Counter as Tally
from datetime import date

import pytest
from sqlalchemy import select

from app.assistance import figures as team_figures
from app.assistance.models import DAY, TEAM, FigureCounter, Team
from app.dashboard.counters import Filters
from app.dashboard.models import Counter
from app.dashboard.rebuild import rebuild_assistance
from app.dashboard.service import assistance_figures
from app.extensions import db
from app.common import roles
from tests.dashboard_fixtures import HUNG_DIEN, TAN_NINH, at
from tests.factories import AccountFactory

D1, D2 = date(2026, 3, 2), date(2026, 3, 3)


@pytest.fixture
def helped():
    admin = AccountFactory(role=roles.ADMIN, citizen=None, personal_id=None, full_name="Quản trị", phone=None)
    teams = {code: Team(commune_code=code, name=f"Tổ công nghệ số {code}", created_by=admin.id)
             for code in (HUNG_DIEN, TAN_NINH)}
    db.session.add_all(teams.values())
    db.session.flush()
    member = AccountFactory(role=roles.ASSISTANT, citizen=None, personal_id=None, full_name="Tổ viên", phone=None)

    def count(metric, commune, day, personal_id=None):
        return team_figures.count(metric, team_id=teams[commune].id, member_id=member.id, commune_code=commune,
                                  delegation_id=None, personal_id=personal_id, at=at(day))

    count("residents_helped", HUNG_DIEN, D1, "080090000001")
    count("residents_helped", HUNG_DIEN, D1, "080090000001")   # same resident, same day: once
    count("residents_helped", HUNG_DIEN, D2, "080090000001")
    count("residents_helped", TAN_NINH, D2, "080090000002")
    count("accounts_registered", HUNG_DIEN, D1)
    count("accounts_activated", HUNG_DIEN, D2)
    count("dossiers_submitted", TAN_NINH, D2)
    count("dossiers_submitted", TAN_NINH, D2)
    count("payments_completed", HUNG_DIEN, D2)
    db.session.commit()   # the help counts reach the figures when the transaction commits
    return teams


def expected(filters) -> dict[str, Tally]:
    """From the assistance domain's own daily team counters."""
    rows = db.session.execute(select(FigureCounter.metric, FigureCounter.start, Team.commune_code, FigureCounter.value)
                              .join(Team, Team.id == FigureCounter.team_id)
                              .where(FigureCounter.period == DAY, FigureCounter.member_id == TEAM))
    found: dict[str, Tally] = {}
    for metric, day, commune, value in rows:
        if (filters.start and day < filters.start) or (filters.end and day > filters.end):
            continue
        if filters.commune_code and commune != filters.commune_code:
            continue
        found.setdefault(metric, Tally())[commune] += value
    return found


def test_help_figures_equal_the_teams_counters(helped):
    for filters in (Filters(), Filters(start=D2), Filters(end=D1), Filters(commune_code=TAN_NINH)):
        figures = assistance_figures(filters)
        want = expected(filters)
        for row in figures["communes"]:
            for metric in team_figures.METRICS:
                assert row[metric] == want.get(metric, Tally())[row["commune_code"]], (filters, metric)
        for metric in team_figures.METRICS:
            assert figures["totals"][metric] == sum(want.get(metric, Tally()).values())
    figures = assistance_figures(Filters())
    # residents_helped is compared with the teams' own counters above (the assistance domain decides
    # who counts once); the others are plain counts
    totals = {name: value for name, value in figures["totals"].items() if name != "residents_helped"}
    assert totals == {"commune_code": None, "commune_name": None, "accounts_registered": 1,
                      "accounts_activated": 1, "dossiers_submitted": 2, "payments_completed": 1}
    assert [row["commune_name"] for row in figures["communes"]] == ["Phường Tân Ninh", "Xã Hưng Điền"]


def test_rebuild_from_the_teams_counters(helped):
    before = assistance_figures(Filters())
    db.session.execute(Counter.__table__.delete())
    assert assistance_figures(Filters())["totals"]["residents_helped"] == 0
    rebuild_assistance(db.session)
    assert assistance_figures(Filters()) == before
