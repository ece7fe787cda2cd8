"""Citizen reports (phản ánh hiện trường): categories, reports, photos, followers, timeline, partner keys."""
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.models import EntityMixin
from app.extensions import db
from app.reports import states

COMMUNE_LEVEL, PROVINCE_LEVEL = "commune", "province"
LEVELS = (COMMUNE_LEVEL, PROVINCE_LEVEL)
PHOTO_REQUIRED, PHOTO_OPTIONAL = "required", "optional"
PHOTO_RULES = (PHOTO_REQUIRED, PHOTO_OPTIONAL)
REPORT_PHOTO, RESULT_PHOTO = "report", "result"
# How a report reached us
APP, OPEN311 = "app", "open311"


class ReportCategory(EntityMixin, db.Model):
    """What a report is about, who must act on it and how fast.

    `agency_kinds` names the responsible agency type per level
    (`{"commune": "commune_committee", "province": "construction_department"}`);
    `handled_at` says which level receives new reports. `attributes` are the
    Open311 extra fields (`[{code, datatype, required, description, order}]`).
    """

    __tablename__ = "report_categories"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    group: Mapped[str] = mapped_column(String(60), default="")
    handled_at: Mapped[str] = mapped_column(String(10), default=COMMUNE_LEVEL)
    agency_kinds: Mapped[dict] = mapped_column(JSON, default=dict)
    deadline_days: Mapped[int] = mapped_column(Integer)           # working days
    public: Mapped[bool] = mapped_column(Boolean, default=True)   # officials' conduct never is
    photo_rule: Mapped[str] = mapped_column(String(10), default=PHOTO_OPTIONAL)
    attributes: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def photo_required(self) -> bool:
        return self.photo_rule == PHOTO_REQUIRED


class Report(EntityMixin, db.Model):
    """One report of a problem on the spot.

    `reporter_account_id` is never shown outside the reporter and the staff;
    `supporters` counts the reporter and every "me too". `version` makes a
    concurrent change fail (409) instead of applying twice.
    """

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_agency_created", "agency_id", "created_at", "id"),
        Index("ix_reports_reporter_created", "reporter_account_id", "created_at", "id"),
        Index("ix_reports_category_created", "category_id", "created_at"),
        Index("ix_reports_status_due", "status", "due_date"),
    )

    category_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("report_categories.id"))
    reporter_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    helper_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    channel: Mapped[str] = mapped_column(String(10), default=APP)
    open311_client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("report_api_clients.id"))
    description: Mapped[str] = mapped_column(Text)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    address_key: Mapped[str] = mapped_column(String(300), default="", index=True)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=states.RECEIVED)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    filed_on: Mapped[date]
    due_date: Mapped[date | None]
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    result_text: Mapped[str | None] = mapped_column(Text)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reports.id"))
    supporters: Mapped[int] = mapped_column(Integer, default=1)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    ioc_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    token: Mapped[str | None] = mapped_column(String(40), unique=True)   # Open311 token
    version: Mapped[int] = mapped_column(Integer, default=1)

    category: Mapped[ReportCategory] = relationship(lazy="joined", innerjoin=True)
    photos: Mapped[list["ReportPhoto"]] = relationship(order_by="ReportPhoto.created_at", lazy="selectin",
                                                       back_populates="report")

    __mapper_args__ = {"version_id_col": version}


class ReportPhoto(EntityMixin, db.Model):
    """A photo of the problem (or of the result), re-encoded without metadata."""

    __tablename__ = "report_photos"

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=REPORT_PHOTO)
    content_type: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(120))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))

    report: Mapped[Report] = relationship(back_populates="photos")


class ReportFollower(EntityMixin, db.Model):
    """A citizen who reported or said "me too": notified of every change."""

    __tablename__ = "report_followers"
    __table_args__ = (UniqueConstraint("report_id", "account_id"),)

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.id"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)


class ReportTimelineEntry(EntityMixin, db.Model):
    """One thing that happened to a report (the public view shows it without who)."""

    __tablename__ = "report_timeline"

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    actor_role: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class ReportApiClient(EntityMixin, db.Model):
    """A partner application allowed to file reports through Open311 (its key is kept hashed)."""

    __tablename__ = "report_api_clients"

    name: Mapped[str] = mapped_column(String(120))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_hint: Mapped[str] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
