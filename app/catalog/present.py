"""Procedures as the API shows them, for the public search: rows to JSON without marshmallow.

The search is the app's first screen and is read anonymously, over and over;
dumping twenty procedures (each with its nested form fields) through
`ProcedureSchema` was most of its CPU. These functions emit exactly what the
schema dumps (tests/api/test_catalog_light_search.py holds the two side by
side, and the keys against the OpenAPI document); the route keeps the schema
as the documented contract. One procedure, and the admin answers, still go
through the schema.
"""
from flask import Response, jsonify

from app.catalog.models import AGENCY_KIND_NAMES

# the keys `FieldSchema`, `ChoiceSchema` and `DocumentRequirementSchema` dump, in their order
FIELD_KEYS = ("name", "label", "type", "required", "prefill", "choices", "min", "max", "max_length", "past_only")
CHOICE_KEYS = ("value", "label")
DOCUMENT_KEYS = ("code", "name", "required")


def page_json(page: dict) -> Response:
    """A search page of rows (`service.SEARCH_COLUMNS`) as `ProcedurePageSchema` dumps it."""
    return jsonify({"items": [procedure_json(row) for row in page["items"]], "next_cursor": page["next_cursor"]})


def procedure_json(row) -> dict:
    return {
        "id": str(row.id), "code": row.code, "name": row.name, "agency_kind": row.agency_kind,
        "agency_name": AGENCY_KIND_NAMES.get(row.agency_kind, row.agency_kind), "fee": row.fee,
        "processing_days": row.processing_days, "service_level": row.service_level, "min_level": row.min_level,
        "form_fields": _fields(row.form_fields), "required_documents": _documents(row.required_documents),
        "result_name": row.result_name, "result_fields": _fields(row.result_fields),
        "retired": row.retired_at is not None, "retired_at": _iso(row.retired_at),
        "created_at": _iso(row.created_at), "updated_at": _iso(row.updated_at),
    }


def _fields(fields: list | None) -> list | None:
    if fields is None:
        return None
    return [_field(field) for field in fields]


def _field(field: dict) -> dict:
    shown = {key: field[key] for key in FIELD_KEYS if key in field}
    if shown.get("choices") is not None:
        shown["choices"] = [{key: choice[key] for key in CHOICE_KEYS if key in choice} for choice in shown["choices"]]
    return shown


def _documents(documents: list | None) -> list | None:
    if documents is None:
        return None
    return [{key: document[key] for key in DOCUMENT_KEYS if key in document} for document in documents]


def _iso(value):
    return None if value is None else value.isoformat()
