"""A demo community digital-tech team for the development province.

The demo assistant (created by the identity seed) joins a team of their
commune, created by the commune's demo officer, so a visit can be tried from
the API docs at once. Idempotent; skipped in production, and in tests unless
asked for. The caller commits.
"""
from flask import current_app
from sqlalchemy import select

from app.assistance.models import Team, TeamMember
from app.extensions import db
from app.identity import public as identity
from app.registry import divisions


def seed_demo_team(*, in_tests: bool = False) -> list[str]:
    """Puts demo.assistant in a team of their commune when they are in none; returns the lines to print."""
    if current_app.config["APP_ENV"] == "production" or (current_app.testing and not in_tests):
        return []
    assistant = identity.account_by_login("demo.assistant")
    officer = identity.account_by_login("demo.officer")
    if assistant is None or officer is None or not assistant.commune_code:
        return []
    membership = db.session.scalar(select(TeamMember).where(TeamMember.account_id == assistant.id,
                                                            TeamMember.left_at.is_(None)))
    if membership is None:
        division = divisions.commune(assistant.commune_code)
        place = division.name if division else assistant.commune_code
        team = Team(commune_code=assistant.commune_code, name=f"Tổ công nghệ số cộng đồng {place}",
                    active=True, created_by=officer.id)
        db.session.add(team)
        db.session.flush()
        membership = TeamMember(team_id=team.id, account_id=assistant.id, added_by=officer.id)
        db.session.add(membership)
        db.session.flush()
    team = db.session.get(Team, membership.team_id)
    return [f"team {team.name} ({team.commune_code}): demo.assistant is a member, team id {team.id}"]
