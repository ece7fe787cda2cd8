"""Dossiers, their documents and timelines, linked bundles, and digitized results."""
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Agency, LinkedProcedure, Procedure
from app.common.models import EntityMixin
from app.dossiers import states
from app.extensions import db

# Fee statuses
FEE_NOT_REQUIRED, FEE_UNPAID, FEE_PAID, FEE_REFUNDED = "not_required", "unpaid", "paid", "refunded"
FEE_STATUSES = (FEE_NOT_REQUIRED, FEE_UNPAID, FEE_PAID, FEE_REFUNDED)
# Where a form value came from
FROM_REGISTRY, FROM_LINKED_RESULT, FROM_BUNDLE = "population_registry", "linked_result", "bundle"
# Where a document came from
UPLOADED, REUSED_RESULT = "upload", "result"
# How a dossier reached the agency: submitted by the citizen in the app, or brought on paper to the desk
ONLINE, DESK = "online", "desk"
CHANNELS = (ONLINE, DESK)
# The states staff see (all but states.PRIVATE), as the partial indexes of the staff's lists spell it
_STAFF_STATES = text("status NOT IN ('draft', 'queued')")


class Dossier(EntityMixin, db.Model):
    """One application for one procedure by one citizen.

    `form_data` holds the values; `prefill` remembers what the registry (or a
    linked result) gave each prefilled field and when, so an edited registry
    value is flagged for the officer. `version` grows with every change, which
    makes a concurrent transition fail instead of applying twice.
    """

    __tablename__ = "dossiers"
    # Lists read newest first by (created_at, id): the inbox within an agency, "my dossiers" per citizen
    __table_args__ = (
        Index("ix_dossiers_inbox", "agency_id", "created_at", "id"),
        Index("ix_dossiers_citizen_created", "citizen_account_id", "created_at", "id"),
        # the inbox of a commune's staff: its filter and order, only the states staff see
        Index("ix_dossiers_staff_inbox", "agency_id", "commune_code", "created_at", "id",
              postgresql_where=_STAFF_STATES, sqlite_where=_STAFF_STATES),
        # the inbox filtered to the officer's own dossiers ("assigned to me"): every equality, then the order
        Index("ix_dossiers_assigned_inbox", "assigned_officer_id", "agency_id", "commune_code", "created_at", "id",
              postgresql_where=_STAFF_STATES, sqlite_where=_STAFF_STATES),
    )

    procedure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("procedures.id"), index=True)
    citizen_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    applicant_name: Mapped[str] = mapped_column(String(120))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    commune_code: Mapped[str | None] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(24), default=states.DRAFT)
    channel: Mapped[str] = mapped_column(String(10), default=ONLINE, server_default=ONLINE)
    receipt_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    form_data: Mapped[dict] = mapped_column(JSON, default=dict)
    prefill: Mapped[dict] = mapped_column(JSON, default=dict)
    fee_amount: Mapped[int] = mapped_column(Integer, default=0)
    fee_status: Mapped[str] = mapped_column(String(16), default=FEE_NOT_REQUIRED)
    fee_payment_id: Mapped[uuid.UUID | None]
    assigned_officer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    submitted_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    due_date: Mapped[date | None] = mapped_column(index=True)
    paused_on: Mapped[date | None]            # the day the clock stopped (supplement requested)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    supplement_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The new date the responsible officer promised in an apology for lateness (due_date stays the legal one)
    promised_date: Mapped[date | None]
    bundle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("dossier_bundles.id"), index=True)
    bundle_position: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)

    # selectin: a page of dossiers parses each procedure's JSON definition once, not once per row
    procedure: Mapped[Procedure] = relationship(lazy="selectin")
    agency: Mapped[Agency] = relationship(lazy="selectin")
    documents: Mapped[list["DossierDocument"]] = relationship(
        back_populates="dossier", order_by="DossierDocument.created_at")

    __mapper_args__ = {"version_id_col": version}

    @property
    def flagged_fields(self) -> list[str]:
        """Registry-prefilled fields whose value the citizen changed."""
        return flagged_field_names(self.prefill, self.form_data)


def flagged_field_names(prefill: dict, form_data: dict) -> list[str]:
    """Registry-prefilled fields whose value the citizen changed (for a dossier or a row of a list)."""
    return sorted(name for name, given in prefill.items()
                  if given.get("source") == FROM_REGISTRY and form_data.get(name) != given.get("value"))


class DossierDocument(EntityMixin, db.Model):
    """A document attached to a dossier: uploaded, or a digitized result reused."""

    __tablename__ = "dossier_documents"

    dossier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dossiers.id"), index=True)
    code: Mapped[str] = mapped_column(String(50))            # which required document it is
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(50))    # sniffed from the bytes
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(10), default=UPLOADED)
    result_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("dossier_results.id"))
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))

    dossier: Mapped[Dossier] = relationship(back_populates="documents")


class TimelineEntry(EntityMixin, db.Model):
    """One thing that happened to a dossier: a transition, a fee paid, an edit.

    `account_id` is the account in whose name it was done (none for the
    system); `actor_id` is the community helper who acted for that account
    through delegation, when one did.
    """

    __tablename__ = "dossier_timeline"

    dossier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dossiers.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    actor_role: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class DossierBundle(EntityMixin, db.Model):
    """One submission of linked procedures: its dossiers (one per step) run in order."""

    __tablename__ = "dossier_bundles"

    linked_procedure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("linked_procedures.id"))
    citizen_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    receipt_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    submitted_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    due_date: Mapped[date | None]
    paused_on: Mapped[date | None]
    paused_days: Mapped[int] = mapped_column(Integer, default=0)

    linked_procedure: Mapped[LinkedProcedure] = relationship(lazy="joined", innerjoin=True)
    dossiers: Mapped[list[Dossier]] = relationship(order_by=Dossier.bundle_position, lazy="selectin")


class DigitizedResult(EntityMixin, db.Model):
    """A result issued by an agency, kept in the citizen's personal document store.

    Anyone holding `verification_code` (printed as a QR code) can check that it
    is genuine, who issued it and when, and nothing more.
    """

    __tablename__ = "dossier_results"

    dossier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    citizen_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    procedure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("procedures.id"))
    issuer_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    issued_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    title: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    verification_code: Mapped[str] = mapped_column(String(20), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(120))
    issued_at: Mapped[datetime]

    issuer: Mapped[Agency] = relationship(lazy="selectin")
    procedure: Mapped[Procedure] = relationship(lazy="selectin")


class ReceiptCounter(db.Model):
    """The last sequence number of receipt codes per prefix (agency code) and day."""

    __tablename__ = "receipt_counters"
    __table_args__ = (UniqueConstraint("prefix", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prefix: Mapped[str] = mapped_column(String(30))
    day: Mapped[date]
    last: Mapped[int] = mapped_column(Integer, default=0)
