"""Agencies that receive and process dossiers, and the catalog of procedures."""
from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.common.models import EntityMixin
from app.extensions import db

COMMUNE_COMMITTEE = "commune_committee"
PROVINCIAL_POLICE = "provincial_police"
JUSTICE_DEPARTMENT = "justice_department"
SOCIAL_INSURANCE = "social_insurance"
HOME_AFFAIRS_DEPARTMENT = "home_affairs_department"
AGENCY_KINDS = (COMMUNE_COMMITTEE, PROVINCIAL_POLICE, JUSTICE_DEPARTMENT,
                SOCIAL_INSURANCE, HOME_AFFAIRS_DEPARTMENT)


class Agency(EntityMixin, db.Model):
    __tablename__ = "agencies"

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    province_code: Mapped[str] = mapped_column(String(2))
    commune_code: Mapped[str | None] = mapped_column(String(5), index=True)

FULLY_ONLINE, PARTLY_ONLINE = "full", "partial"
SERVICE_LEVELS = (FULLY_ONLINE, PARTLY_ONLINE)
# Names of the competent agencies, shown with procedures
AGENCY_KIND_NAMES = {
    COMMUNE_COMMITTEE: "Ủy ban nhân dân cấp xã",
    PROVINCIAL_POLICE: "Công an tỉnh",
    JUSTICE_DEPARTMENT: "Sở Tư pháp",
    SOCIAL_INSURANCE: "Bảo hiểm xã hội tỉnh",
    HOME_AFFAIRS_DEPARTMENT: "Sở Nội vụ",
}


class Procedure(EntityMixin, db.Model):
    """An administrative procedure (thủ tục hành chính) citizens apply for online.

    `form_fields` and `result_fields` are typed field definitions (see
    `app.catalog.forms`); `required_documents` lists `{code, name, required}`.
    The competent agency is a kind: commune procedures go to the People's
    Committee of the dossier's commune, provincial ones to the province's agency.
    """

    __tablename__ = "procedures"

    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    search_text: Mapped[str] = mapped_column(String(300))
    agency_kind: Mapped[str] = mapped_column(String(30), index=True)
    fee: Mapped[int] = mapped_column(Integer, default=0)                 # whole VND
    processing_days: Mapped[int] = mapped_column(Integer)                # working days
    service_level: Mapped[str] = mapped_column(String(10))               # full | partial
    min_level: Mapped[int] = mapped_column(Integer, default=1)           # e-ID assurance level
    form_fields: Mapped[list] = mapped_column(JSON, default=list)
    required_documents: Mapped[list] = mapped_column(JSON, default=list)
    result_name: Mapped[str] = mapped_column(String(200))
    result_fields: Mapped[list] = mapped_column(JSON, default=list)
    retired_at: Mapped[datetime | None]

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def agency_name(self) -> str:
        return AGENCY_KIND_NAMES.get(self.agency_kind, self.agency_kind)


class LinkedProcedure(EntityMixin, db.Model):
    """Linked procedures (liên thông): one submission, one dossier per step, in order.

    `steps` is a list of `{procedure_code, fee_exempt, fields_from_results,
    documents_from_results, presets}`: step n starts when step n-1 has its
    result, its fields named in `fields_from_results` ({form field: result
    field}) are filled from the results of earlier steps, and its documents in
    `documents_from_results` ({document code: step index}) are those results.
    """

    __tablename__ = "linked_procedures"

    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    search_text: Mapped[str] = mapped_column(String(300))
    processing_days: Mapped[int] = mapped_column(Integer)
    steps: Mapped[list] = mapped_column(JSON, default=list)
    retired_at: Mapped[datetime | None]
