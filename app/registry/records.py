"""What the population registry shares about a citizen: the one list of fields.

The synthetic registry's table (`models.RegistryCitizen`) stores exactly these
fields; a test keeps the two in step. Every other domain sees citizens only as
`CitizenRecord`s handed out by the adapter.
"""
from dataclasses import dataclass, fields
from datetime import date


@dataclass(frozen=True)
class CitizenRecord:
    personal_id: str
    full_name: str
    date_of_birth: date
    gender: str                       # "male" | "female"
    birth_registration_province: str  # 3-digit code, the id's first three digits
    hometown: str
    ethnicity: str
    religion: str
    nationality: str
    permanent_address: str
    permanent_commune_code: str
    temporary_address: str | None
    temporary_commune_code: str | None
    current_address: str
    current_commune_code: str
    household_no: str
    relation_to_head: str             # "head" | "spouse" | "child" | "parent" | "other"
    father_name: str | None
    father_personal_id: str | None
    mother_name: str | None
    mother_personal_id: str | None
    spouse_name: str | None
    spouse_personal_id: str | None
    marital_status: str               # "single" | "married" | "divorced" | "widowed"
    phone_numbers: tuple[str, ...]
    biometric_enrolled: bool          # enrolled in person: may hold an e-ID level 2
    is_alive: bool
    date_of_death: date | None

    def has_phone(self, phone: str) -> bool:
        return phone in self.phone_numbers

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


CITIZEN_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(CitizenRecord))


@dataclass(frozen=True)
class EnrolmentEvent:
    """An in-person biometric enrolment: when and where the citizen was enrolled."""

    personal_id: str
    enrolled_on: date
    place: str
