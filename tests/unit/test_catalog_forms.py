"""Form values checked against typed field definitions, one error per field."""
import uuid

import pytest
import time_machine

from app.catalog.forms import FIELD_TYPES, PREFILL_SOURCES, FormCheck, check_value, check_values
from app.catalog.text import normalise

FIELDS = [
    {"name": "full_name", "label": "Họ tên", "type": "text", "required": True, "max_length": 20},
    {"name": "copies", "label": "Số bản", "type": "number", "required": True, "min": 1, "max": 10},
    {"name": "born", "label": "Ngày sinh", "type": "date", "required": True, "past_only": True},
    {"name": "gender", "label": "Giới tính", "type": "choice", "required": True,
     "choices": [{"value": "male", "label": "Nam"}, {"value": "female", "label": "Nữ"}]},
    {"name": "personal_id", "label": "Số định danh", "type": "personal_id", "required": True},
    {"name": "commune", "label": "Xã", "type": "commune_code", "required": True},
    {"name": "proof", "label": "Giấy tờ", "type": "document", "required": False},
    {"name": "note", "label": "Ghi chú", "type": "text", "required": False},
]
GOOD = {"full_name": " Nguyễn Văn An ", "copies": 2, "born": "1990-04-12", "gender": "male",
        "personal_id": "080090000123", "commune": "27727"}


def test_valid_values_are_normalised():
    clean, errors = check_values(FIELDS, GOOD)
    assert errors == {}
    assert clean == {**GOOD, "full_name": "Nguyễn Văn An"}


@pytest.mark.parametrize("name, value, message", [
    ("full_name", "x" * 21, "The text is too long."),
    ("full_name", 12, "Not a valid string."),
    ("copies", "2", "Not a valid number."),
    ("copies", True, "Not a valid number."),
    ("copies", 0, "The value is below the allowed minimum."),
    ("copies", 11, "The value is above the allowed maximum."),
    ("born", "12/04/1990", "Not a valid date (expected YYYY-MM-DD)."),
    ("born", "19900412", "Not a valid date (expected YYYY-MM-DD)."),
    ("born", "2026-02-30", "Not a valid date (expected YYYY-MM-DD)."),
    ("born", "2999-01-01", "The date cannot be in the future."),
    ("gender", "other", "Not one of the allowed choices."),
    ("personal_id", "12345", "A personal id has exactly 12 digits."),
    ("personal_id", "999090000123", "The first three digits are not a province code of birth registration."),
    ("commune", "99999", "No commune has this code."),
    ("commune", "abc", "No commune has this code."),
    ("proof", "5597dfd3-fd8d-46b2-a670-f4c484022d38", "Not a document attached to this dossier."),
    ("proof", "not-a-uuid", "Not a document attached to this dossier."),
])
def test_each_bad_value_gets_its_own_message(name, value, message):
    clean, errors = check_values(FIELDS, {**GOOD, name: value})
    assert errors == {name: [message]}
    assert name not in clean


def test_every_bad_field_is_reported_at_once():
    _, errors = check_values(FIELDS, {"copies": 99, "gender": "x", "unexpected": 1})
    assert errors == {
        "copies": ["The value is above the allowed maximum."],
        "gender": ["Not one of the allowed choices."],
        "unexpected": ["Unknown field."],
        "full_name": ["Missing data for required field."],
        "born": ["Missing data for required field."],
        "personal_id": ["Missing data for required field."],
        "commune": ["Missing data for required field."],
    }


def test_drafts_may_leave_required_fields_empty_and_linked_fields_are_skipped():
    assert check_values(FIELDS, {"copies": 3}, FormCheck(partial=True)) == ({"copies": 3}, {})
    _, errors = check_values(FIELDS, {k: v for k, v in GOOD.items() if k != "born"},
                             FormCheck(skip=frozenset({"born"})))
    assert errors == {}


def test_blank_text_counts_as_missing():
    _, errors = check_values(FIELDS, {**GOOD, "full_name": "   "})
    assert errors == {"full_name": ["Missing data for required field."]}


def test_a_document_field_accepts_a_document_of_the_dossier():
    document_id = str(uuid.uuid4())
    value, error = check_value(FIELDS[6], document_id.upper(), FormCheck(document_ids=frozenset({document_id})))
    assert (value, error) == (document_id, None)


def test_past_only_follows_the_clock():
    with time_machine.travel("2026-01-01 12:00 +07:00"):
        assert check_value(FIELDS[2], "2026-01-02")[1] == "The date cannot be in the future."
    with time_machine.travel("2026-01-03 12:00 +07:00"):
        assert check_value(FIELDS[2], "2026-01-02") == ("2026-01-02", None)


def test_the_field_types_and_prefill_sources_are_the_documented_ones():
    assert FIELD_TYPES == ("text", "number", "date", "choice", "personal_id", "commune_code", "document")
    assert {"full_name", "personal_id", "date_of_birth", "current_commune_code", "spouse_name", "phone"} <= set(PREFILL_SOURCES)
    assert "phone_numbers" not in PREFILL_SOURCES


@pytest.mark.parametrize("text, expected", [
    ("Đăng ký khai sinh", "dang ky khai sinh"),
    ("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"),
    ("  đăng   ký\tkhai sinh ", "dang ky khai sinh"),
    ("Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", "cap the bao hiem y te cho tre em duoi 6 tuoi"),
    ("Xác nhận tình trạng hôn nhân", "xac nhan tinh trang hon nhan"),
    ("Giải quyết hưởng trợ cấp mai táng", "giai quyet huong tro cap mai tang"),
    ("Đổi giấy phép lái xe 1.012384", "doi giay phep lai xe 1.012384"),
])
def test_search_text_ignores_diacritics_and_case(text, expected):
    assert normalise(text) == expected


def test_composed_and_decomposed_forms_normalise_alike():
    import unicodedata
    text = "Đăng ký khai tử"
    assert normalise(unicodedata.normalize("NFC", text)) == normalise(unicodedata.normalize("NFD", text))
