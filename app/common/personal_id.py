"""The personal id (số định danh cá nhân), Circular 59/2021/TT-BCA, article 7.

Twelve digits: the province code of birth registration (3), a digit for gender
and century of birth (1), the last two digits of the birth year (2) and a
serial (6). The gender/century digit is 0/1 for a man/woman born 1900-1999,
2/3 for 2000-2099, 4/5 for 2100-2199, 6/7 for 2200-2299, 8/9 for 2300-2399.
`validate_personal_id` is the one check used everywhere.
"""
from dataclasses import dataclass
from datetime import date

import marshmallow as ma

from app.common.birth_places import BIRTH_REGISTRATION_PROVINCES
from app.common.clock import local_today
from app.common.errors import InvalidPersonalId
from app.errors import N_

MALE, FEMALE = "male", "female"


@dataclass(frozen=True)
class PersonalIdParts:
    province_code: str
    gender: str
    birth_year: int
    serial: str


REASONS = {
    "format": N_("A personal id has exactly 12 digits."),
    "province": N_("The first three digits are not a province code of birth registration."),
    "future": N_("The birth year encoded in the personal id is in the future."),
    "year": N_("The birth year in the personal id does not match the date of birth."),
    "gender": N_("The gender digit of the personal id does not match the gender."),
}


def validate_personal_id(value: str, *, date_of_birth: date | None = None,
                         gender: str | None = None, field: str = "personal_id") -> PersonalIdParts:
    """Check the structure, and its agreement with date of birth and gender when known."""
    if not isinstance(value, str) or len(value) != 12 or not value.isascii() or not value.isdigit():
        raise InvalidPersonalId(REASONS["format"], field)
    province_code = value[:3]
    if province_code not in BIRTH_REGISTRATION_PROVINCES:
        raise InvalidPersonalId(REASONS["province"], field)
    code = int(value[3])
    century_start = 1900 + 100 * (code // 2)
    encoded_gender = MALE if code % 2 == 0 else FEMALE
    birth_year = century_start + int(value[4:6])
    if birth_year > local_today().year:
        raise InvalidPersonalId(REASONS["future"], field)
    if date_of_birth is not None and date_of_birth.year != birth_year:
        raise InvalidPersonalId(REASONS["year"], field)
    if gender is not None and gender != encoded_gender:
        raise InvalidPersonalId(REASONS["gender"], field)
    return PersonalIdParts(province_code, encoded_gender, birth_year, value[6:])


def compose_personal_id(province_code: str, gender: str, birth_year: int, serial: int) -> str:
    """The personal id for these parts (used by the synthetic registry)."""
    century_index = (birth_year - 1900) // 100
    digit = 2 * century_index + (0 if gender == MALE else 1)
    return f"{province_code}{digit}{birth_year % 100:02d}{serial:06d}"


class PersonalIdField(ma.fields.String):
    """A marshmallow field that accepts only a structurally valid personal id."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update(
            {"example": "080090001234", "pattern": "^[0-9]{12}$",
             "description": "12-digit personal id (số định danh cá nhân)"})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            validate_personal_id(value)
        except InvalidPersonalId as error:
            raise ma.ValidationError(error.reason) from error
        return value
