"""Fixtures and helpers for the assistance tests: a commune's team, a member, residents, the visit.

Import what a module needs: `from tests.assistance_fixtures import catalog, storage, team, Visit  # noqa: F401`.
"""
from datetime import date

import pytest
from sqlalchemy import select

from app.assistance.models import AssistanceAct, Team, TeamMember
from app.extensions import db, limiter
from app.common import roles
from app.identity.passwords import hash_password
from app.identity.sessions import access_token_for, open_session
from app.notifications.models import OutboxMessage
from tests.dossiers_fixtures import OTHER_COMMUNE, agency, catalog, storage  # noqa: F401
from tests.factories import COMMUNE, AccountFactory, RegistryCitizenFactory, bearer

API = "/api/v1/assistance"
PROCEDURE = "2.000635"        # civil-status extract: level 1, 8,000 VND, no documents required
EXTRACT_VALUES = {"extract_kind": "birth", "copies": 1}
PASSWORD = "mua-xuan-tren-dong-song-2025"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    limiter.reset()
    yield
    limiter.reset()


def officer(commune_code=COMMUNE, **kwargs):
    return AccountFactory(role=roles.OFFICER, level=2, commune_code=commune_code,
                          agency_id=agency(f"UBND-{commune_code}").id, full_name="Phạm Văn Cán Bộ", **kwargs)


def assistant(commune_code=COMMUNE, **kwargs):
    return AccountFactory(role=roles.ASSISTANT, level=2, commune_code=commune_code, full_name="Lê Thị Hoa", **kwargs)


def make_team(commune_code=COMMUNE, *members, created_by=None) -> Team:
    """A team written directly, with its members."""
    creator = created_by or officer(commune_code)
    team = Team(commune_code=commune_code, name=f"Tổ CNS {commune_code}", active=True, created_by=creator.id)
    db.session.add(team)
    db.session.flush()
    for member in members:
        db.session.add(TeamMember(team_id=team.id, account_id=member.id, added_by=creator.id))
    db.session.flush()
    return team


def resident(*, account=True, status="active", phones=None, **registry):
    """A resident living in COMMUNE (with an active level-1 account unless told otherwise)."""
    citizen = RegistryCitizenFactory(date_of_birth=date(1948, 3, 9), **registry,
                                     **({"phone_numbers": phones} if phones else {}))
    if not account:
        return citizen, None
    person = AccountFactory(citizen=citizen, level=1, status=status, password_hash=hash_password(PASSWORD),
                            failed_logins=0, lockouts=0)
    return citizen, person


def sms_code(phone: str, event: str = "assistance_consent_code") -> str:
    """The newest code queued for `phone` (what the resident reads aloud)."""
    message = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.event == event, OutboxMessage.address == phone).order_by(OutboxMessage.created_at.desc()))
    assert message is not None, f"no {event} queued for {phone}"
    return message.params["code"]


def outbox(event: str, address: str | None = None) -> list[OutboxMessage]:
    statement = select(OutboxMessage).where(OutboxMessage.event == event)
    if address:
        statement = statement.where(OutboxMessage.address == address)
    return list(db.session.scalars(statement.order_by(OutboxMessage.created_at)))


def acts_of(session_id) -> list[tuple[str, str]]:
    import uuid
    return [(a.action, a.outcome) for a in db.session.scalars(select(AssistanceAct).where(
        AssistanceAct.delegation_id == uuid.UUID(str(session_id))).order_by(AssistanceAct.created_at))]


def delegated(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class Visit:
    """One member of COMMUNE's team, as their app would drive the API."""

    def __init__(self, client, member=None, team=None):
        self.client = client
        self.member = member or assistant()
        self.team = team or make_team(COMMUNE, self.member)
        self.auth_session = open_session(self.member, level=2, methods=["pwd", "otp"])
        db.session.flush()

    @property
    def headers(self) -> dict:
        """A fresh access token of the member's own session (so tests may move the clock)."""
        return {"Authorization": f"Bearer {access_token_for(self.auth_session)}"}

    def start(self, personal_id, scopes, headers=None, **body):
        return self.client.post(f"{API}/sessions", json={"personal_id": personal_id, "scopes": scopes, **body},
                                headers=headers or self.headers)

    def ask(self, session_id, method="sms", phone_index=0):
        return self.client.post(f"{API}/sessions/{session_id}/consent",
                                json={"method": method, "phone_index": phone_index}, headers=self.headers)

    def verify(self, session_id, code):
        return self.client.post(f"{API}/sessions/{session_id}/consent/verify", json={"code": code},
                                headers=self.headers)

    def token(self, session_id):
        return self.client.post(f"{API}/sessions/{session_id}/token", headers=self.headers)

    def consented(self, citizen, scopes, **body) -> tuple[dict, dict]:
        """Start, SMS consent read aloud, verify: (session, delegated headers)."""
        started = self.start(citizen.personal_id, scopes, **body)
        assert started.status_code == 201, started.get_json()
        session_id = started.get_json()["id"]
        asked = self.ask(session_id)
        assert asked.status_code == 200, asked.get_json()
        verified = self.verify(session_id, sms_code(citizen.phone_numbers[0]))
        assert verified.status_code == 200, verified.get_json()
        body = verified.get_json()
        return body["session"], delegated(body["access_token"])


__all__ = ["API", "PROCEDURE", "EXTRACT_VALUES", "PASSWORD", "COMMUNE", "OTHER_COMMUNE", "catalog", "storage",
           "officer", "assistant", "make_team", "resident", "sms_code", "outbox", "acts_of", "delegated", "Visit",
           "bearer", "fresh_rate_limits"]
