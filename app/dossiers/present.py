"""Dossiers and bundles as the API shows them (plain dicts for the schemas to dump), and files."""
import uuid
from datetime import date
from urllib.parse import quote

from flask import Response, jsonify

from app.common.auth import Principal
from app.dossiers import service
from app.dossiers.bundles import current_member
from app.dossiers.models import Dossier, DossierBundle, flagged_field_names


def dossier_view(dossier: Dossier, principal: Principal) -> dict:
    """The full dossier: each field with its value and where it came from, documents, fee, actions."""
    procedure = dossier.procedure
    provided = {}
    for document in dossier.documents:
        provided.setdefault(document.code, []).append(document.id)
    flagged = set(dossier.flagged_fields)
    return {
        **summary_view(dossier),
        "agency": dossier.agency,
        "fields": [_field(definition, dossier, flagged) for definition in procedure.form_fields],
        "flagged_fields": sorted(flagged),
        "documents": dossier.documents,
        "required_documents": [{**requirement, "provided": requirement["code"] in provided}
                               for requirement in procedure.required_documents],
        "received_at": dossier.received_at,
        "completed_at": dossier.completed_at,
        "bundle_position": dossier.bundle_position,
        "paused_days": dossier.paused_days,
        "allowed_actions": service.allowed_actions(principal, dossier),
        "updated_at": dossier.updated_at,
    }


def summary_view(dossier: Dossier) -> dict:
    return {
        "id": dossier.id, "procedure": dossier.procedure, "status": dossier.status, "channel": dossier.channel,
        "receipt_code": dossier.receipt_code, "applicant_name": dossier.applicant_name,
        "agency_id": dossier.agency_id, "commune_code": dossier.commune_code,
        "fee": {"amount": dossier.fee_amount, "status": dossier.fee_status},
        "due_date": dossier.due_date, "overdue": service.is_overdue(dossier),
        "submitted_at": dossier.submitted_at, "assigned_officer_id": dossier.assigned_officer_id,
        "bundle_id": dossier.bundle_id, "has_flagged_fields": bool(dossier.flagged_fields),
        "version": dossier.version, "created_at": dossier.created_at,
    }


def _field(definition: dict, dossier: Dossier, flagged: set[str]) -> dict:
    name = definition["name"]
    given = dossier.prefill.get(name)
    field = {key: definition.get(key) for key in ("name", "label", "type", "required", "choices")}
    field.update(value=dossier.form_data.get(name), source=given["source"] if given else None,
                 fetched_at=given.get("fetched_at") if given else None, flagged=name in flagged)
    if name in flagged:
        field["registry_value"] = given["value"]
    return field


def page_view(page: dict) -> dict:
    return {"items": [summary_view(d) for d in page["items"]], "next_cursor": page["next_cursor"]}


def page_json(page: dict) -> Response:
    """A list page as JSON without marshmallow: exactly what `DossierPageSchema` dumps from `page_view`
    (tests/api/test_dossiers_light_lists.py holds the two side by side), for a fraction of the CPU.

    Twenty summaries per page made the schema a fifth of a list's time. The route keeps the schema
    for the OpenAPI document; flask-smorest sends a Response as it is.
    """
    return jsonify({"items": [summary_json(d) for d in page["items"]], "next_cursor": page["next_cursor"]})


def summary_json(dossier) -> dict:
    """A row of `service.SUMMARY_COLUMNS` as `DossierSummarySchema` dumps a dossier."""
    return {
        "id": str(dossier.id),
        "procedure": {"id": str(dossier.procedure_id), "code": dossier.procedure_code,
                      "name": dossier.procedure_name},
        "status": dossier.status, "channel": dossier.channel, "receipt_code": dossier.receipt_code,
        "applicant_name": dossier.applicant_name, "agency_id": str(dossier.agency_id),
        "commune_code": dossier.commune_code,
        "fee": {"amount": dossier.fee_amount, "status": dossier.fee_status},
        "due_date": _iso(dossier.due_date), "overdue": service.is_overdue(dossier),
        "submitted_at": _iso(dossier.submitted_at), "assigned_officer_id": _text(dossier.assigned_officer_id),
        "bundle_id": _text(dossier.bundle_id), "has_flagged_fields": bool(flagged_field_names(dossier.prefill, dossier.form_data)),
        "version": dossier.version, "created_at": _iso(dossier.created_at),
    }


def dossier_json(dossier: Dossier, principal: Principal) -> Response:
    """One dossier as JSON without marshmallow: exactly what `DossierSchema` dumps from `dossier_view`
    (tests/api/test_dossiers_light_one.py holds the two side by side); the schema was a sixth of
    the read's CPU. The route keeps the schema for the OpenAPI document."""
    view = dossier_view(dossier, principal)
    procedure, agency = view["procedure"], view["agency"]
    return jsonify({
        **{key: _plain(value) for key, value in view.items()},
        "procedure": {"id": str(procedure.id), "code": procedure.code, "name": procedure.name},
        "agency": {"id": str(agency.id), "code": agency.code, "name": agency.name},
        "fields": [_field_json(field) for field in view["fields"]],
        "documents": [_document_json(document) for document in view["documents"]],
        "required_documents": [{key: requirement.get(key) for key in _REQUIREMENT_KEYS}
                               for requirement in view["required_documents"]],
    })


_REQUIREMENT_KEYS = ("code", "name", "required", "provided")
_CHOICE_KEYS = ("value", "label")


def _field_json(field: dict) -> dict:
    choices = field["choices"]
    if choices is not None:
        choices = [{key: choice[key] for key in _CHOICE_KEYS if key in choice} for choice in choices]
    return {**field, "choices": choices}


def _document_json(document) -> dict:
    return {"id": str(document.id), "code": document.code, "filename": document.filename,
            "content_type": document.content_type, "size": document.size, "sha256": document.sha256,
            "source": document.source, "result_id": _text(document.result_id),
            "created_at": _iso(document.created_at)}


def _plain(value):
    """A summary's value as JSON: ids as text, dates and times in ISO 8601."""
    if isinstance(value, (uuid.UUID, date)):     # datetime is a date
        return str(value) if isinstance(value, uuid.UUID) else value.isoformat()
    return value


def _iso(value):
    return None if value is None else value.isoformat()


def _text(value):
    return None if value is None else str(value)


def bundle_view(bundle: DossierBundle) -> dict:
    members = bundle.dossiers
    current = current_member(members)
    return {
        "id": bundle.id, "linked_procedure": bundle.linked_procedure, "status": bundle.status,
        "receipt_code": bundle.receipt_code, "due_date": bundle.due_date,
        "submitted_at": bundle.submitted_at, "completed_at": bundle.completed_at,
        "current_dossier_id": current.id if current else None,
        "dossiers": [{"position": d.bundle_position, **summary_view(d)} for d in members],
        "created_at": bundle.created_at,
    }


def file_response(data: bytes, content_type: str, filename: str) -> Response:
    """A download: the sniffed type, never re-guessed by the browser; the name RFC 6266-encoded."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return Response(data, mimetype=content_type, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
        "X-Content-Type-Options": "nosniff"})
