"""Dossiers, bundles and results as the API shows and accepts them."""
import json

import marshmallow as ma
from flask_smorest.fields import Upload

from app.catalog.schemas import ProcedureRefSchema
from app.common.pagination import PageArgsSchema, page_schema
from app.dossiers import states
from app.dossiers.bundles import BUNDLE_STATUSES
from app.common.personal_id import PersonalIdField
from app.dossiers.models import CHANNELS, FEE_STATUSES
from app.errors import N_

_ID = {"example": "6f1c2b9e-3d4a-4e5f-8a7b-1c2d3e4f5a6b"}


class JsonObject(ma.fields.Field):
    """A JSON object, given as an object (JSON bodies) or as JSON text (multipart forms)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as error:
                raise ma.ValidationError(N_("Not a valid JSON object.")) from error
        if not isinstance(value, dict):
            raise ma.ValidationError(N_("Not a valid JSON object."))
        return value


# -- inputs -----------------------------------------------------------------------------

class StartDossierSchema(ma.Schema):
    procedure_id = ma.fields.UUID(required=True, metadata=_ID)


class DeskIntakeSchema(ma.Schema):
    personal_id = PersonalIdField(required=True, metadata={"description": "The citizen's personal id (CCCD)"})
    procedure_id = ma.fields.UUID(required=True, metadata=_ID)
    values = JsonObject(load_default=dict, metadata={
        "type": "object",
        "description": "Field name to value, checked as a submission is; registry fields are prefilled "
                       "(a value given here replaces the registry's and is flagged), null removes one",
        "example": {"declarant_relationship": "father", "child_full_name": "Nguyễn Minh Khang",
                    "child_date_of_birth": "2026-11-18", "child_gender": "male",
                    "child_birth_place": "Bệnh viện Đa khoa tỉnh Tây Ninh"}})
    paper_documents = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(1, 50)), load_default=list,
        validate=ma.validate.Length(max=50),
        metadata={"description": "Codes of the required documents the citizen handed over on paper",
                  "example": ["medical_birth_certificate"]})
    receive = ma.fields.Boolean(load_default=False, metadata={
        "description": "Receive it at once (only when no fee is due; a fee is paid by the citizen first)",
        "example": True})


class FormUpdateSchema(ma.Schema):
    values = JsonObject(required=True, metadata={
        "type": "object", "description": "Field name to value; null removes a value",
        "example": {"child_full_name": "Nguyễn Minh Khang", "child_date_of_birth": "2026-11-18"}})
    version = ma.fields.Integer(metadata={"description": "The version you read; 409 if it changed", "example": 3})


class TransitionSchema(ma.Schema):
    action = ma.fields.String(required=True, validate=ma.validate.OneOf(states.MANUAL_ACTIONS),
                              metadata={"example": "receive"})
    reason = ma.fields.String(validate=ma.validate.Length(max=2000), metadata={
        "description": "Required for return, request_supplement, send_back and reject",
        "example": "Ảnh giấy chứng sinh bị mờ, đề nghị bổ sung bản rõ nét."})
    reason_code = ma.fields.String(validate=ma.validate.OneOf(states.ALL_REASON_CODES), metadata={
        "description": "Required for return (" + ", ".join(states.REASON_CODES["return"]) + ") and "
                       "request_supplement (" + ", ".join(states.REASON_CODES["request_supplement"]) + ")",
        "example": "unreadable_document"})
    assignee_id = ma.fields.UUID(metadata={"description": "For assign: the processing officer (default: you)", **_ID})
    version = ma.fields.Integer(metadata={"description": "The version you read; 409 if it changed", "example": 3})


class DocumentUploadSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(1, 50),
                            metadata={"example": "medical_birth_certificate"})
    file = Upload(required=True, metadata={"description": "PDF, JPEG or PNG (checked from the content)"})


class ReuseSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(1, 50), metadata={"example": "birth_certificate"})
    result_id = ma.fields.UUID(required=True, metadata=_ID)


class IssueResultSchema(ma.Schema):
    file = Upload(required=True, metadata={"description": "The signed result: PDF, JPEG or PNG"})
    data = JsonObject(required=True, metadata={
        "type": "string",
        "description": "The result's structured data (JSON text), checked against the procedure's result fields",
        "example": '{"child_full_name": "Nguyễn Minh Khang", "child_personal_id": "080226000123"}'})
    version = ma.fields.Integer(metadata={"example": 7})


class WithdrawSchema(ma.Schema):
    reason = ma.fields.String(validate=ma.validate.Length(max=2000), metadata={"example": "Nộp nhầm thủ tục"})


class StartBundleSchema(ma.Schema):
    linked_procedure_id = ma.fields.UUID(required=True, metadata=_ID)


class MyDossiersQuerySchema(PageArgsSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(states.STATES), metadata={"example": "submitted"})


class InboxQuerySchema(PageArgsSchema):
    status = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(states.STATES)),
                            metadata={"description": "Repeat for several", "example": ["submitted"]})
    procedure_id = ma.fields.UUID(metadata=_ID)
    overdue = ma.fields.Boolean(metadata={"description": "Only (or, false: no) dossiers past their due date"})
    assigned_to_me = ma.fields.Boolean(load_default=False)
    channel = ma.fields.String(validate=ma.validate.OneOf(CHANNELS), metadata={
        "description": "online: submitted in the app; desk: taken at the one-stop-shop desk", "example": "desk"})


# -- outputs ----------------------------------------------------------------------------

class FeeSchema(ma.Schema):
    amount = ma.fields.Integer(metadata={"example": 15000, "description": "Whole VND"})
    status = ma.fields.String(metadata={"example": "unpaid", "enum": list(FEE_STATUSES)})


class AgencySchema(ma.Schema):
    id = ma.fields.UUID()
    code = ma.fields.String(metadata={"example": "UBND-27727"})
    name = ma.fields.String(metadata={"example": "Ủy ban nhân dân Xã Hưng Điền"})


class ChoiceOutSchema(ma.Schema):
    value = ma.fields.String()
    label = ma.fields.String()


class DossierFieldSchema(ma.Schema):
    name = ma.fields.String(metadata={"example": "declarant_full_name"})
    label = ma.fields.String(metadata={"example": "Họ, chữ đệm, tên người yêu cầu"})
    type = ma.fields.String(metadata={"example": "text"})
    required = ma.fields.Boolean()
    choices = ma.fields.List(ma.fields.Nested(ChoiceOutSchema), allow_none=True)
    value = ma.fields.Raw(allow_none=True, metadata={"example": "Nguyễn Văn An"})
    source = ma.fields.String(allow_none=True, metadata={
        "example": "population_registry",
        "description": "population_registry, linked_result or bundle; null: typed by the citizen"})
    fetched_at = ma.fields.String(allow_none=True, metadata={"example": "2026-11-21T02:15:00+00:00"})
    flagged = ma.fields.Boolean(metadata={"description": "A registry value the citizen changed"})
    registry_value = ma.fields.Raw(metadata={"description": "What the registry said, when flagged"})


class DocumentSchema(ma.Schema):
    id = ma.fields.UUID()
    code = ma.fields.String(metadata={"example": "medical_birth_certificate"})
    filename = ma.fields.String(metadata={"example": "giay-chung-sinh.pdf"})
    content_type = ma.fields.String(metadata={"example": "application/pdf"})
    size = ma.fields.Integer(metadata={"example": 182044})
    sha256 = ma.fields.String(metadata={"example": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"})
    source = ma.fields.String(metadata={"example": "upload", "description": "upload or result (a reused result)"})
    result_id = ma.fields.UUID(allow_none=True)
    created_at = ma.fields.DateTime()


class RequirementStatusSchema(ma.Schema):
    code = ma.fields.String(metadata={"example": "medical_birth_certificate"})
    name = ma.fields.String(metadata={"example": "Giấy chứng sinh"})
    required = ma.fields.Boolean()
    provided = ma.fields.Boolean()


class DossierSummarySchema(ma.Schema):
    id = ma.fields.UUID()
    procedure = ma.fields.Nested(ProcedureRefSchema)
    status = ma.fields.String(metadata={"example": "submitted", "enum": list(states.STATES)})
    channel = ma.fields.String(metadata={
        "example": "desk", "enum": list(CHANNELS),
        "description": "online: submitted by the citizen in the app; desk: taken at the one-stop-shop desk"})
    receipt_code = ma.fields.String(allow_none=True, metadata={"example": "UBND-27727-261123-0001"})
    applicant_name = ma.fields.String(metadata={"example": "Nguyễn Văn An"})
    agency_id = ma.fields.UUID()
    commune_code = ma.fields.String(allow_none=True, metadata={"example": "27727"})
    fee = ma.fields.Nested(FeeSchema)
    due_date = ma.fields.Date(allow_none=True)
    overdue = ma.fields.Boolean()
    submitted_at = ma.fields.DateTime(allow_none=True)
    assigned_officer_id = ma.fields.UUID(allow_none=True)
    bundle_id = ma.fields.UUID(allow_none=True)
    has_flagged_fields = ma.fields.Boolean()
    version = ma.fields.Integer(metadata={"example": 3})
    created_at = ma.fields.DateTime()


class DossierSchema(DossierSummarySchema):
    agency = ma.fields.Nested(AgencySchema)
    fields = ma.fields.List(ma.fields.Nested(DossierFieldSchema))
    flagged_fields = ma.fields.List(ma.fields.String())
    documents = ma.fields.List(ma.fields.Nested(DocumentSchema))
    required_documents = ma.fields.List(ma.fields.Nested(RequirementStatusSchema))
    received_at = ma.fields.DateTime(allow_none=True)
    completed_at = ma.fields.DateTime(allow_none=True)
    bundle_position = ma.fields.Integer(allow_none=True)
    paused_days = ma.fields.Integer(metadata={"description": "Working days the clock stood still"})
    allowed_actions = ma.fields.List(ma.fields.String(), metadata={"example": ["receive", "return"]})
    updated_at = ma.fields.DateTime()


DossierPageSchema = page_schema(DossierSummarySchema, "DossierPage")


class TimelineEntrySchema(ma.Schema):
    id = ma.fields.UUID()
    action = ma.fields.String(metadata={"example": "receive"})
    from_status = ma.fields.String(allow_none=True, metadata={"example": "submitted"})
    to_status = ma.fields.String(allow_none=True, metadata={"example": "received"})
    actor_role = ma.fields.String(metadata={"example": "officer"})
    account_id = ma.fields.UUID(allow_none=True, metadata={"description": "In whose name (null: the system)"})
    actor_id = ma.fields.UUID(allow_none=True, metadata={"description": "The helper who acted, when delegated"})
    reason = ma.fields.String(allow_none=True)
    data = ma.fields.Dict()
    created_at = ma.fields.DateTime()


class BundleMemberSchema(DossierSummarySchema):
    position = ma.fields.Integer(metadata={"example": 0})


class LinkedRefSchema(ma.Schema):
    id = ma.fields.UUID()
    code = ma.fields.String(metadata={"example": "LT-KS-TT-BHYT"})
    name = ma.fields.String()
    processing_days = ma.fields.Integer(metadata={"example": 3})


class BundleSchema(ma.Schema):
    id = ma.fields.UUID()
    linked_procedure = ma.fields.Nested(LinkedRefSchema)
    status = ma.fields.String(metadata={"example": "in_progress", "enum": list(BUNDLE_STATUSES)})
    receipt_code = ma.fields.String(allow_none=True, metadata={"example": "LT-80-261123-0001"})
    due_date = ma.fields.Date(allow_none=True)
    submitted_at = ma.fields.DateTime(allow_none=True)
    completed_at = ma.fields.DateTime(allow_none=True)
    current_dossier_id = ma.fields.UUID(allow_none=True)
    dossiers = ma.fields.List(ma.fields.Nested(BundleMemberSchema))
    created_at = ma.fields.DateTime()


BundlePageSchema = page_schema(BundleSchema, "BundlePage")


class ResultSchema(ma.Schema):
    id = ma.fields.UUID()
    dossier_id = ma.fields.UUID()
    title = ma.fields.String(metadata={"example": "Giấy khai sinh (bản điện tử)"})
    procedure = ma.fields.Nested(ProcedureRefSchema)
    issuer = ma.fields.Nested(AgencySchema)
    issued_at = ma.fields.DateTime()
    data = ma.fields.Dict(metadata={"example": {"child_full_name": "Nguyễn Minh Khang"}})
    verification_code = ma.fields.String(metadata={"example": "K7QH2MZP4RXW9T3B"})
    filename = ma.fields.String(metadata={"example": "giay-khai-sinh.pdf"})
    content_type = ma.fields.String(metadata={"example": "application/pdf"})
    size = ma.fields.Integer()
    sha256 = ma.fields.String()


ResultPageSchema = page_schema(ResultSchema, "ResultPage")


class VerificationSchema(ma.Schema):
    genuine = ma.fields.Boolean(metadata={"example": True})
    issuer = ma.fields.String(metadata={"example": "Ủy ban nhân dân Xã Hưng Điền"})
    issued_on = ma.fields.Date(metadata={"example": "2026-11-23"})
