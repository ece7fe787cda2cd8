"""The service-quality domain's tables.

`quality_dossiers` is this domain's own record of every submitted dossier,
kept from the `dossier.transitioned` events (it never reads the dossiers' tables).
`quality_rollups` holds the index's numerators and denominators per month and
scope, added to when a dossier finishes, a complaint closes or a rating
arrives, so the index for a period sums a few rows instead of scanning
dossiers. Ratings carry no account: figures never say who rated what.
"""
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.common.models import EntityMixin
from app.common.clock import utcnow
from app.extensions import db


class QualityDossier(db.Model):
    """What the index needs to know about one dossier (one row per submitted dossier).

    A projection fed by events, like the dashboard's own tables: no foreign keys into
    other domains' tables, so their rows come and go without asking this one.
    """

    __tablename__ = "quality_dossiers"
    __table_args__ = (
        # the drill-down: one scope's dossiers handled in a period, newest first (keyset pages)
        Index("ix_quality_dossiers_completed", "completed_at", "dossier_id"),
        Index("ix_quality_dossiers_agency_done", "agency_id", "completed_at", "dossier_id"),
        Index("ix_quality_dossiers_commune_done", "commune_code", "completed_at", "dossier_id"),
        Index("ix_quality_dossiers_procedure_done", "procedure_code", "completed_at", "dossier_id"),
        Index("ix_quality_dossiers_stall", "is_open", "state_since"),
        # early warning and "late this week": open dossiers by due date, read from the index alone
        Index("ix_quality_dossiers_open_due", "due_date", "supplement_count", "state_since", "dossier_id",
              postgresql_where=text("is_open"), sqlite_where=text("is_open = 1")),
        # the same, within one scope (the early warning's counts of a commune, agency or procedure)
        Index("ix_quality_dossiers_open_commune", "commune_code", "due_date", "supplement_count",
              postgresql_where=text("is_open"), sqlite_where=text("is_open = 1")),
        Index("ix_quality_dossiers_open_agency", "agency_id", "due_date", "supplement_count",
              postgresql_where=text("is_open"), sqlite_where=text("is_open = 1")),
        Index("ix_quality_dossiers_open_procedure", "procedure_code", "due_date", "supplement_count",
              postgresql_where=text("is_open"), sqlite_where=text("is_open = 1")),
        # the stalled list: the few open dossiers the detector flagged, newest first
        Index("ix_quality_dossiers_stalled", "state_since", "dossier_id",
              postgresql_where=text("is_open AND stall_level > 0"),
              sqlite_where=text("is_open = 1 AND stall_level > 0")),
    )

    dossier_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    citizen_account_id: Mapped[uuid.UUID]
    agency_id: Mapped[uuid.UUID]
    commune_code: Mapped[str | None] = mapped_column(String(5))
    procedure_code: Mapped[str] = mapped_column(String(30))
    receipt_code: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(24))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    assignee_id: Mapped[uuid.UUID | None]
    state_since: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    finished_month: Mapped[str | None] = mapped_column(String(7))   # YYYY-MM (Vietnam), handled dossiers
    due_date: Mapped[date | None]
    promised_date: Mapped[date | None]
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    supplement_count: Mapped[int] = mapped_column(Integer, default=0)
    fee_amount: Mapped[int] = mapped_column(Integer, default=0)
    paid_online: Mapped[bool] = mapped_column(Boolean, default=False)
    electronic_result: Mapped[bool] = mapped_column(Boolean, default=False)
    registry_prefill: Mapped[bool] = mapped_column(Boolean, default=False)
    reused_documents: Mapped[bool] = mapped_column(Boolean, default=False)
    digitised: Mapped[bool] = mapped_column(Boolean, default=False)
    handled: Mapped[bool] = mapped_column(Boolean, default=False)      # result issued or rejected
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    handling_days: Mapped[int | None] = mapped_column(Integer)
    unhappy: Mapped[bool] = mapped_column(Boolean, default=False)     # a complaint or a dislike
    last_reason_code: Mapped[str | None] = mapped_column(String(30))
    stall_level: Mapped[int] = mapped_column(Integer, default=0)      # 0, 1 officer told, 2 leader told


class Rollup(db.Model):
    """One figure of one month for one scope (province, agency:<id>, commune:<code>, procedure:<code>)."""

    __tablename__ = "quality_rollups"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    scope: Mapped[str] = mapped_column(String(60), primary_key=True)
    metric: Mapped[str] = mapped_column(String(80), primary_key=True)   # e.g. why.request_supplement.<code>, fee_dossiers@<procedure>
    value: Mapped[int] = mapped_column(Integer, default=0)


class Rating(EntityMixin, db.Model):
    """A citizen's rating of a finished dossier; deliberately without the citizen's account."""

    __tablename__ = "quality_ratings"

    dossier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    commune_code: Mapped[str | None] = mapped_column(String(5))
    procedure_code: Mapped[str] = mapped_column(String(30))
    month: Mapped[str] = mapped_column(String(7))
    verdict: Mapped[str] = mapped_column(String(16))
    score: Mapped[int | None] = mapped_column(Integer)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str | None] = mapped_column(Text)


class Complaint(EntityMixin, db.Model):
    """A complaint or petition (phản ánh, kiến nghị) about a dossier or a procedure."""

    __tablename__ = "quality_complaints"
    __table_args__ = (
        Index("ix_quality_complaints_agency", "agency_id", "created_at", "id"),
        Index("ix_quality_complaints_citizen", "citizen_account_id", "created_at", "id"),
        Index("ix_quality_complaints_open", "status", "due_date"),
    )

    reference: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(12))            # complaint | petition
    citizen_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    filed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))   # the helper, if one
    dossier_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    procedure_code: Mapped[str] = mapped_column(String(30))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    commune_code: Mapped[str | None] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    filed_on: Mapped[date]
    due_date: Mapped[date]           # the answer, 15 working days, moved by the days paused for information
    refuse_by: Mapped[date]          # a refusal, 2 working days
    info_by: Mapped[date]            # a request for more information, 5 working days
    paused_on: Mapped[date | None]   # the answer's clock stopped this day (waiting for the citizen's information)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)      # working days it stood still so far
    late_step: Mapped[bool] = mapped_column(Boolean, default=False)   # a refusal or info request came late
    answer: Mapped[str | None] = mapped_column(Text)
    handled_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    closed_at: Mapped[datetime | None]
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)


class ComplaintEntry(EntityMixin, db.Model):
    """One thing that happened to a complaint."""

    __tablename__ = "quality_complaint_timeline"

    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("quality_complaints.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    note: Mapped[str | None] = mapped_column(Text)


class Apology(EntityMixin, db.Model):
    """A letter of apology for a late dossier, with the new date (Decree 63/2024)."""

    __tablename__ = "quality_apologies"

    dossier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dossiers.id"), index=True)
    citizen_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    officer_name: Mapped[str] = mapped_column(String(120))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    agency_name: Mapped[str] = mapped_column(String(200))
    applicant_name: Mapped[str] = mapped_column(String(120))
    receipt_code: Mapped[str] = mapped_column(String(40))
    procedure_name: Mapped[str] = mapped_column(String(300))
    due_date: Mapped[date]
    new_date: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
