from datetime import date

import pytest
import time_machine
from vietnam_provinces import Province

from app.common.birth_places import BIRTH_REGISTRATION_PROVINCES
from app.common.personal_id import (
    FEMALE, MALE, InvalidPersonalId, compose_personal_id, validate_personal_id,
)


@pytest.mark.parametrize("value, province, gender, year", [
    ("001090000123", "001", MALE, 1990),
    ("079185012345", "079", FEMALE, 1985),
    ("080205000001", "080", MALE, 2005),
    ("072322999999", "072", FEMALE, 2022),
])
def test_valid_ids_are_decoded(value, province, gender, year):
    parts = validate_personal_id(value)
    assert (parts.province_code, parts.gender, parts.birth_year) == (province, gender, year)
    assert parts.serial == value[6:]


@pytest.mark.parametrize("value", [
    "", "07909000012", "0790900001234", "07909000012a", "０７９０９０００１２３", None, 79090000123,
])
def test_anything_but_twelve_ascii_digits_is_refused(value):
    with pytest.raises(InvalidPersonalId) as caught:
        validate_personal_id(value)
    assert caught.value.reason == "A personal id has exactly 12 digits."
    assert caught.value.status == 422
    assert caught.value.errors == {"personal_id": ["A personal id has exactly 12 digits."]}


@pytest.mark.parametrize("province", ["000", "003", "099", "100", "999"])
def test_unknown_province_code_is_refused(province):
    with pytest.raises(InvalidPersonalId) as caught:
        validate_personal_id(f"{province}090000123")
    assert "province code" in caught.value.reason


@time_machine.travel(date(2026, 11, 21))
def test_birth_year_in_the_future_is_refused():
    validate_personal_id("001226000001")  # 2026: this year is fine
    with pytest.raises(InvalidPersonalId) as caught:
        validate_personal_id("001227000001")  # 2027
    assert "future" in caught.value.reason
    with pytest.raises(InvalidPersonalId):
        validate_personal_id("001400000001")  # 2100


def test_birth_year_must_agree_with_date_of_birth():
    validate_personal_id("001090000123", date_of_birth=date(1990, 5, 1))
    with pytest.raises(InvalidPersonalId) as caught:
        validate_personal_id("001090000123", date_of_birth=date(1991, 5, 1))
    assert "date of birth" in caught.value.reason
    with pytest.raises(InvalidPersonalId):
        validate_personal_id("001290000123", date_of_birth=date(1990, 5, 1))  # century 2000s


def test_gender_digit_must_agree_with_gender():
    validate_personal_id("001190000123", gender=FEMALE)
    with pytest.raises(InvalidPersonalId) as caught:
        validate_personal_id("001190000123", gender=MALE)
    assert "gender" in caught.value.reason


def test_field_name_is_carried_into_the_errors():
    with pytest.raises(InvalidPersonalId) as caught:
        validate_personal_id("123", field="father_personal_id")
    assert list(caught.value.errors) == ["father_personal_id"]


@pytest.mark.parametrize("gender, year, digit", [
    (MALE, 1950, "0"), (FEMALE, 1999, "1"), (MALE, 2000, "2"), (FEMALE, 2024, "3"),
])
def test_compose_round_trips(gender, year, digit):
    value = compose_personal_id("072", gender, year, 42)
    assert value[3] == digit and value.endswith("000042")
    parts = validate_personal_id(value, date_of_birth=date(year, 1, 1), gender=gender)
    assert (parts.gender, parts.birth_year) == (gender, year)


def test_every_current_province_code_is_a_birth_registration_code():
    current = {f"{int(p.code):03d}" for p in Province.iter_all()}
    assert len(current) == 34
    assert current <= set(BIRTH_REGISTRATION_PROVINCES)
    assert len(BIRTH_REGISTRATION_PROVINCES) == 63
