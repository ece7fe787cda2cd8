"""Procedures and linked procedures as the API shows and accepts them."""
import marshmallow as ma

from app.catalog.forms import FIELD_TYPES, PREFILL_SOURCES
from app.catalog.models import AGENCY_KINDS, SERVICE_LEVELS
from app.common.pagination import PageArgsSchema, page_schema
from app.errors import N_

_NAME = ma.validate.Regexp(r"^[a-z][a-z0-9_]{0,49}$", error=N_("Use lower-case letters, digits and _."))


class ChoiceSchema(ma.Schema):
    value = ma.fields.String(required=True, validate=ma.validate.Length(1, 50), metadata={"example": "male"})
    label = ma.fields.String(required=True, validate=ma.validate.Length(1, 200), metadata={"example": "Nam"})


class FieldSchema(ma.Schema):
    """One typed form field."""

    name = ma.fields.String(required=True, validate=_NAME, metadata={"example": "child_date_of_birth"})
    label = ma.fields.String(required=True, validate=ma.validate.Length(1, 200), metadata={"example": "Ngày sinh"})
    type = ma.fields.String(required=True, validate=ma.validate.OneOf(FIELD_TYPES), metadata={"example": "date"})
    required = ma.fields.Boolean(load_default=True, metadata={"example": True})
    prefill = ma.fields.String(validate=ma.validate.OneOf(PREFILL_SOURCES), metadata={
        "example": "full_name", "description": "Population-registry field this field is prefilled from"})
    choices = ma.fields.List(ma.fields.Nested(ChoiceSchema), metadata={"description": "For choice fields"})
    min = ma.fields.Integer(metadata={"description": "For number fields", "example": 1})
    max = ma.fields.Integer(metadata={"description": "For number fields", "example": 10})
    max_length = ma.fields.Integer(validate=ma.validate.Range(1, 5000), metadata={"example": 200})
    past_only = ma.fields.Boolean(metadata={"description": "For date fields: not after today", "example": True})

    @ma.validates_schema
    def _choices_for_choice_fields(self, data, **kwargs):
        if data.get("type") == "choice" and not data.get("choices"):
            raise ma.ValidationError(N_("A choice field needs choices."), "choices")


class DocumentRequirementSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=_NAME, metadata={"example": "medical_birth_certificate"})
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 200), metadata={"example": "Giấy chứng sinh"})
    required = ma.fields.Boolean(load_default=True, metadata={"example": True})


def _unique(key: str):
    def check(items):
        names = [item[key] for item in items]
        if len(names) != len(set(names)):
            raise ma.ValidationError(N_("Names must be unique."))
    return check


class ProcedureSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    code = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^[0-9A-Za-z.\-]{3,30}$"),
                            metadata={"example": "1.001193", "description": "Code in the national procedure database"})
    name = ma.fields.String(required=True, validate=ma.validate.Length(3, 255), metadata={"example": "Đăng ký khai sinh"})
    agency_kind = ma.fields.String(required=True, validate=ma.validate.OneOf(AGENCY_KINDS),
                                   metadata={"example": "commune_committee"})
    agency_name = ma.fields.String(dump_only=True, metadata={"example": "Ủy ban nhân dân cấp xã"})
    fee = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(0, 100_000_000),
                            metadata={"example": 0, "description": "Whole VND"})
    processing_days = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(0, 365),
                                        metadata={"example": 1, "description": "Working days"})
    service_level = ma.fields.String(required=True, validate=ma.validate.OneOf(SERVICE_LEVELS),
                                     metadata={"example": "full", "description": "full: entirely online; partial: partly online"})
    min_level = ma.fields.Integer(required=True, strict=True, validate=ma.validate.OneOf((1, 2)),
                                  metadata={"example": 2, "description": "Minimum e-ID assurance level to submit"})
    form_fields = ma.fields.List(ma.fields.Nested(FieldSchema), required=True, validate=_unique("name"))
    required_documents = ma.fields.List(ma.fields.Nested(DocumentRequirementSchema), load_default=list,
                                        validate=_unique("code"))
    result_name = ma.fields.String(required=True, validate=ma.validate.Length(1, 200),
                                   metadata={"example": "Giấy khai sinh (bản điện tử)"})
    result_fields = ma.fields.List(ma.fields.Nested(FieldSchema), load_default=list, validate=_unique("name"))
    retired = ma.fields.Boolean(attribute="is_retired", dump_only=True, metadata={"example": False})
    retired_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)


class ProcedureUpdateSchema(ProcedureSchema):
    """Any subset of a procedure's fields except its code."""

    class Meta:
        exclude = ("code",)


UPDATABLE = ("name", "agency_kind", "fee", "processing_days", "service_level", "min_level",
             "form_fields", "required_documents", "result_name", "result_fields")


def procedure_update_schema() -> ProcedureUpdateSchema:
    """Top-level fields may be left out; nested field definitions are checked in full."""
    return ProcedureUpdateSchema(partial=UPDATABLE)


ProcedurePageSchema = page_schema(ProcedureSchema, "ProcedurePage")


class ProcedureQuerySchema(PageArgsSchema):
    q = ma.fields.String(validate=ma.validate.Length(max=100), metadata={
        "example": "dang ky khai sinh", "description": "Words of the name or code; diacritics and case ignored"})
    agency_kind = ma.fields.String(validate=ma.validate.OneOf(AGENCY_KINDS), metadata={"example": "commune_committee"})
    service_level = ma.fields.String(validate=ma.validate.OneOf(SERVICE_LEVELS), metadata={"example": "full"})
    eid_level = ma.fields.Integer(validate=ma.validate.OneOf((1, 2)), metadata={"example": 2})
    include_retired = ma.fields.Boolean(load_default=False)


class ProcedureRefSchema(ma.Schema):
    id = ma.fields.UUID()
    code = ma.fields.String(metadata={"example": "1.001193"})
    name = ma.fields.String(metadata={"example": "Đăng ký khai sinh"})


class LinkedStepSchema(ma.Schema):
    position = ma.fields.Integer(metadata={"example": 0})
    procedure = ma.fields.Nested(ProcedureRefSchema)
    fee_exempt = ma.fields.Boolean(metadata={"example": False})
    fields_from_results = ma.fields.Dict(metadata={
        "example": {"registrant_personal_id": "child_personal_id"},
        "description": "Form field filled from an earlier step's result field"})


class LinkedProcedureSchema(ma.Schema):
    id = ma.fields.UUID()
    code = ma.fields.String(metadata={"example": "LT-KS-TT-BHYT"})
    name = ma.fields.String(metadata={"example": "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ BHYT cho trẻ em dưới 6 tuổi"})
    processing_days = ma.fields.Integer(metadata={"example": 3})
    steps = ma.fields.List(ma.fields.Nested(LinkedStepSchema))
