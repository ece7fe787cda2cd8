"""Agencies that receive and process dossiers."""
from sqlalchemy import String
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
