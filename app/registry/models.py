"""Tables of the local synthetic population registry (stand-in for the national one)."""
from datetime import date

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.registry.records import CITIZEN_FIELDS, CitizenRecord


class RegistryCitizen(db.Model):
    __tablename__ = "registry_citizens"

    personal_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    date_of_birth: Mapped[date]
    gender: Mapped[str] = mapped_column(String(6))
    birth_registration_province: Mapped[str] = mapped_column(String(3))
    hometown: Mapped[str] = mapped_column(String(200))
    ethnicity: Mapped[str] = mapped_column(String(40))
    religion: Mapped[str] = mapped_column(String(40))
    nationality: Mapped[str] = mapped_column(String(40))
    permanent_address: Mapped[str] = mapped_column(String(255))
    permanent_commune_code: Mapped[str] = mapped_column(String(5), index=True)
    temporary_address: Mapped[str | None] = mapped_column(String(255))
    temporary_commune_code: Mapped[str | None] = mapped_column(String(5))
    current_address: Mapped[str] = mapped_column(String(255))
    current_commune_code: Mapped[str] = mapped_column(String(5), index=True)
    household_no: Mapped[str] = mapped_column(String(20), index=True)
    relation_to_head: Mapped[str] = mapped_column(String(10))
    father_name: Mapped[str | None] = mapped_column(String(120))
    father_personal_id: Mapped[str | None] = mapped_column(String(12))
    mother_name: Mapped[str | None] = mapped_column(String(120))
    mother_personal_id: Mapped[str | None] = mapped_column(String(12))
    spouse_name: Mapped[str | None] = mapped_column(String(120))
    spouse_personal_id: Mapped[str | None] = mapped_column(String(12))
    marital_status: Mapped[str] = mapped_column(String(10))
    phone_numbers: Mapped[list] = mapped_column(JSON, default=list)
    biometric_enrolled: Mapped[bool] = mapped_column(default=False)
    is_alive: Mapped[bool] = mapped_column(default=True)
    date_of_death: Mapped[date | None]

    def to_record(self) -> CitizenRecord:
        values = {name: getattr(self, name) for name in CITIZEN_FIELDS}
        values["phone_numbers"] = tuple(values["phone_numbers"] or ())
        return CitizenRecord(**values)


class RegistryEnrolmentEvent(db.Model):
    """An in-person biometric enrolment (date, place) as the registry records it.

    The national registry pushes these; the synthetic registry writes them when
    a citizen is enrolled locally (`flask eid enrol`, the demo seed).
    """

    __tablename__ = "registry_enrolment_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    personal_id: Mapped[str] = mapped_column(String(12), index=True)
    enrolled_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(200))
