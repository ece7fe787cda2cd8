"""Community digital-tech teams, residents' consent (delegations), the act log and the team figures."""
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.common.models import EntityMixin
from app.extensions import db

# Delegation statuses as stored; "expired" is computed (see `effective_status`)
PENDING, ACTIVE, DECLINED, REVOKED, ENDED, EXPIRED = (
    "pending_consent", "active", "declined", "revoked", "ended", "expired")
STATUSES = (PENDING, ACTIVE, DECLINED, REVOKED, ENDED, EXPIRED)
# How the resident consented
BY_SMS, BY_APP = "sms", "app"
# A team's figures: one member's, or the whole team's (member_id = TEAM)
TEAM = "*"
DAY, MONTH = "day", "month"


class Team(EntityMixin, db.Model):
    """A community digital-tech team (tổ công nghệ số cộng đồng) of one commune."""

    __tablename__ = "assistance_teams"

    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))


class TeamMember(EntityMixin, db.Model):
    """An assistant's membership of a team; `left_at` set when removed. One team at a time."""

    __tablename__ = "assistance_team_members"
    __table_args__ = (
        Index("uq_assistance_team_members_current", "account_id", unique=True,
              sqlite_where=text("left_at IS NULL"), postgresql_where=text("left_at IS NULL")),
    )

    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_teams.id"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    added_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    left_at: Mapped[datetime | None]
    removed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))


class Delegation(EntityMixin, db.Model):
    """One assistance session: what a member asked to do for a resident, the consent, its end.

    The resident is known by personal id from the start (`subject_personal_id`)
    and by account once there is one (`subject_account_id`; set by an assisted
    registration). The consent code is stored only as a keyed hash.
    """

    __tablename__ = "assistance_delegations"
    __table_args__ = (Index("ix_assistance_delegations_member_created", "member_id", "created_at"),)

    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_teams.id"), index=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    subject_personal_id: Mapped[str] = mapped_column(String(12), index=True)
    subject_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    procedure_code: Mapped[str | None] = mapped_column(String(30))     # submit_dossier: the named procedure
    dossier_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("dossiers.id"))  # pay_fee: the named dossier
    duration_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    consent_deadline: Mapped[datetime]           # a pending request lapses after this
    consent_method: Mapped[str | None] = mapped_column(String(8))
    consent_phone: Mapped[str | None] = mapped_column(String(15))
    consent_code_hash: Mapped[str | None] = mapped_column(String(64))
    consent_code_expires_at: Mapped[datetime | None]
    consent_sent_at: Mapped[datetime | None]
    consent_sends: Mapped[int] = mapped_column(Integer, default=0)
    consent_attempts: Mapped[int] = mapped_column(Integer, default=0)
    consented_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]          # the delegation ends by itself then
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    end_reason: Mapped[str | None] = mapped_column(String(30))
    registration_flow_id: Mapped[uuid.UUID | None]
    helped_at: Mapped[datetime | None]           # the first act done for the resident

    def effective_status(self, now: datetime) -> str:
        if self.status == ACTIVE and self.expires_at is not None and self.expires_at <= now:
            return EXPIRED
        if self.status == PENDING and self.consent_deadline <= now:
            return EXPIRED
        return self.status


class AssistanceAct(EntityMixin, db.Model):
    """One thing a member did (or tried) for a resident: the resident's history of help."""

    __tablename__ = "assistance_acts"
    __table_args__ = (Index("ix_assistance_acts_subject_created", "subject_personal_id", "created_at"),)

    delegation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_delegations.id"), index=True)
    subject_personal_id: Mapped[str] = mapped_column(String(12))
    subject_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_teams.id"))
    action: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(10), default="done")    # done | refused
    target_type: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[uuid.UUID | None]
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class AssistedRegistration(EntityMixin, db.Model):
    """An e-ID account whose phone was verified with a member's help; activation is the resident's."""

    __tablename__ = "assistance_registrations"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), unique=True)
    delegation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_delegations.id"))
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_teams.id"))
    registered_at: Mapped[datetime]
    activated_at: Mapped[datetime | None]


class FigureCounter(db.Model):
    """One figure of a member (or of the whole team, member_id '*') for one day or one month."""

    __tablename__ = "assistance_figures"

    team_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    member_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    period: Mapped[str] = mapped_column(String(5), primary_key=True)       # day | month
    start: Mapped[date] = mapped_column(Date, primary_key=True)           # the day, or the month's first day
    metric: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class HelpedResident(db.Model):
    """Marks a resident as counted once in a figure's period, so `residents_helped` counts people."""

    __tablename__ = "assistance_helped_residents"

    team_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    member_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    period: Mapped[str] = mapped_column(String(5), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    personal_id: Mapped[str] = mapped_column(String(12), primary_key=True)
