"""Typed form fields of a procedure, and the checks of a form's values against them.

A procedure's form is a list of field definitions (stored as JSON):

    {"name": "child_date_of_birth", "label": "Ngày sinh", "type": "date",
     "required": true, "past_only": true}

Types: text, number, date (ISO `YYYY-MM-DD`), choice (one of `choices`),
personal_id (12 digits, Circular 59/2021), commune_code (a commune that exists),
document (the id of a document attached to the same dossier). `prefill` names a
population-registry field copied into the form when a dossier starts.

`check_values` returns one error per field (`{name: [message]}`) and the
normalised values; nothing here touches Flask or the database.
"""
import uuid
from dataclasses import dataclass, field
from datetime import date

from app.common.clock import local_today
from app.common.personal_id import InvalidPersonalId, validate_personal_id
from app.errors import N_
from app.registry import divisions
from app.registry.records import CITIZEN_FIELDS

TEXT, NUMBER, DATE, CHOICE, PERSONAL_ID, COMMUNE_CODE, DOCUMENT = (
    "text", "number", "date", "choice", "personal_id", "commune_code", "document")
FIELD_TYPES = (TEXT, NUMBER, DATE, CHOICE, PERSONAL_ID, COMMUNE_CODE, DOCUMENT)
# Registry fields a form may be prefilled from ("phone" is the first phone number)
PREFILL_SOURCES = tuple(sorted(set(CITIZEN_FIELDS) - {"phone_numbers", "biometric_enrolled",
                                                      "is_alive", "date_of_death"} | {"phone"}))
DEFAULT_MAX_LENGTH = 500

MISSING = N_("Missing data for required field.")
UNKNOWN = N_("Unknown field.")
MESSAGES = {
    "string": N_("Not a valid string."),
    "number": N_("Not a valid number."),
    "date": N_("Not a valid date (expected YYYY-MM-DD)."),
    "future": N_("The date cannot be in the future."),
    "too_small": N_("The value is below the allowed minimum."),
    "too_large": N_("The value is above the allowed maximum."),
    "too_long": N_("The text is too long."),
    "choice": N_("Not one of the allowed choices."),
    "commune": N_("No commune has this code."),
    "document": N_("Not a document attached to this dossier."),
}


@dataclass(frozen=True)
class FormCheck:
    """What a form check needs besides the values."""
    document_ids: frozenset[str] = frozenset()
    partial: bool = False          # drafts: missing required fields are fine
    skip: frozenset[str] = field(default_factory=frozenset)  # filled later (linked results)


def check_values(fields: list[dict], values: dict, check: FormCheck = FormCheck()) -> tuple[dict, dict]:
    """Checks `values` against `fields`; returns (normalised values, errors by field)."""
    by_name = {f["name"]: f for f in fields}
    errors: dict[str, list[str]] = {name: [UNKNOWN] for name in values if name not in by_name}
    clean = {}
    for name, definition in by_name.items():
        value = values.get(name)
        if _empty(value):
            if definition.get("required") and not check.partial and name not in check.skip:
                errors[name] = [MISSING]
            continue
        normalised, error = check_value(definition, value, check)
        if error:
            errors[name] = [error]
        else:
            clean[name] = normalised
    return clean, errors


def check_value(definition: dict, value, check: FormCheck = FormCheck()):
    """One value against its field definition: (normalised value, error message or None)."""
    kind = definition["type"]
    if kind == NUMBER:
        return _number(definition, value)
    if not isinstance(value, str):
        return None, MESSAGES["string"]
    value = value.strip()
    if kind == TEXT:
        too_long = len(value) > definition.get("max_length", DEFAULT_MAX_LENGTH)
        return (None, MESSAGES["too_long"]) if too_long else (value, None)
    if kind == DATE:
        return _date(definition, value)
    if kind == CHOICE:
        allowed = {c["value"] for c in definition.get("choices", ())}
        return (value, None) if value in allowed else (None, MESSAGES["choice"])
    if kind == PERSONAL_ID:
        try:
            validate_personal_id(value)
        except InvalidPersonalId as error:
            return None, error.reason
        return value, None
    if kind == COMMUNE_CODE:
        return (value, None) if divisions.commune(value) else (None, MESSAGES["commune"])
    if kind == DOCUMENT:
        return _document(value, check)
    raise ValueError(f"unknown field type {kind!r}")


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(definition: dict, value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, MESSAGES["number"]
    if "min" in definition and value < definition["min"]:
        return None, MESSAGES["too_small"]
    if "max" in definition and value > definition["max"]:
        return None, MESSAGES["too_large"]
    return value, None


def _date(definition: dict, value: str):
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None, MESSAGES["date"]
    if len(value) != 10:
        return None, MESSAGES["date"]
    if definition.get("past_only") and day > local_today():
        return None, MESSAGES["future"]
    return day.isoformat(), None


def _document(value: str, check: FormCheck):
    try:
        document_id = str(uuid.UUID(value))
    except ValueError:
        return None, MESSAGES["document"]
    return (document_id, None) if document_id in check.document_ids else (None, MESSAGES["document"])


def prefill_value(source: str, record) -> object:
    """The value of registry field `source` for a `CitizenRecord`, JSON-ready."""
    if source == "phone":
        return record.phone_numbers[0] if record.phone_numbers else None
    value = getattr(record, source)
    return value.isoformat() if isinstance(value, date) else value
