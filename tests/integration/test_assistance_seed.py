"""The demo assistant of the development province is in a team of their commune, once."""
from sqlalchemy import func, select

from app.assistance.models import Team, TeamMember
from app.assistance.seed import seed_demo_team
from app.extensions import db
from app.common import roles
from tests.factories import AccountFactory

COMMUNE = "27727"


def _demo_staff():
    officer = AccountFactory(role=roles.OFFICER, login="demo.officer", commune_code=COMMUNE,
                             citizen=None, personal_id=None, phone=None, full_name="Cán bộ")
    assistant = AccountFactory(role=roles.ASSISTANT, login="demo.assistant", commune_code=COMMUNE,
                               citizen=None, personal_id=None, phone=None, full_name="Cán bộ")
    return officer, assistant


def test_the_demo_assistant_joins_a_team_of_their_commune_once():
    officer, assistant = _demo_staff()
    lines = seed_demo_team(in_tests=True)
    member = db.session.scalars(select(TeamMember).where(TeamMember.account_id == assistant.id)).one()
    team = db.session.get(Team, member.team_id)
    assert (team.commune_code, team.active, team.created_by, member.added_by, member.left_at) == (
        COMMUNE, True, officer.id, officer.id, None)
    assert team.name == "Tổ công nghệ số cộng đồng Xã Hưng Điền"
    assert lines == [f"team {team.name} ({COMMUNE}): demo.assistant is a member, team id {team.id}"]
    assert seed_demo_team(in_tests=True) == lines
    assert db.session.scalar(select(func.count()).select_from(Team)) == 1
    assert db.session.scalar(select(func.count()).select_from(TeamMember)) == 1


def test_nothing_in_tests_unless_asked_in_production_or_without_demo_staff(app):
    assert seed_demo_team(in_tests=True) == []          # no demo accounts yet
    _demo_staff()
    assert seed_demo_team() == []                       # tests, not asked
    app.config["APP_ENV"] = "production"
    try:
        assert seed_demo_team(in_tests=True) == []
    finally:
        app.config["APP_ENV"] = "testing"
    assert db.session.scalar(select(func.count()).select_from(Team)) == 0
