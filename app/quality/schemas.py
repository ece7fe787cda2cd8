"""Requests and responses of the service-quality API."""
import marshmallow as ma

from app.common.pagination import PageArgsSchema, page_schema
from app.dossiers import states as dossier_states
from app.quality import complaints, figures, ratings, states

_ID = {"example": "3f6c2a4e-8b1d-4c5e-9a7f-2d8e6b4c1a90"}
_MONTH = ma.validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="Use the form YYYY-MM.")


class RatingInSchema(ma.Schema):
    verdict = ma.fields.String(required=True, validate=ma.validate.OneOf(ratings.VERDICTS),
                               metadata={"example": "satisfied"})
    score = ma.fields.Integer(validate=ma.validate.Range(1, 5), metadata={"example": 5})
    reasons = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(ratings.REASONS)),
                             validate=ma.validate.Length(max=len(ratings.REASONS)), load_default=list,
                             metadata={"example": ["fast", "easy_online"]})
    comment = ma.fields.String(validate=ma.validate.Length(max=1000), metadata={"example": "Nhanh, thuận tiện."})


class RatingSchema(ma.Schema):
    id = ma.fields.UUID(metadata=_ID)
    dossier_id = ma.fields.UUID(metadata=_ID)
    verdict = ma.fields.String()
    score = ma.fields.Integer(allow_none=True)
    reasons = ma.fields.List(ma.fields.String())
    comment = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class RatingOptionsSchema(ma.Schema):
    verdicts = ma.fields.List(ma.fields.String())
    reasons = ma.fields.List(ma.fields.String())
    window_days = ma.fields.Integer()
    return_reason_codes = ma.fields.List(ma.fields.String())
    supplement_reason_codes = ma.fields.List(ma.fields.String())


def rating_options(settings) -> dict:
    return {"verdicts": list(ratings.VERDICTS), "reasons": list(ratings.REASONS),
            "window_days": settings.rating_window_days,
            "return_reason_codes": list(dossier_states.REASON_CODES["return"]),
            "supplement_reason_codes": list(dossier_states.REASON_CODES["request_supplement"])}


class ComplaintInSchema(ma.Schema):
    kind = ma.fields.String(validate=ma.validate.OneOf(complaints.KINDS), load_default="complaint")
    dossier_id = ma.fields.UUID(metadata={"description": "The dossier it is about (or give procedure_code)", **_ID})
    procedure_code = ma.fields.String(validate=ma.validate.Length(1, 30),
                                      metadata={"description": "The procedure it is about", "example": "1.001193"})
    commune_code = ma.fields.String(validate=ma.validate.Regexp(r"^\d{5}$"),
                                    metadata={"description": "With procedure_code: the commune", "example": "25747"})
    subject = ma.fields.String(required=True, validate=ma.validate.Length(3, 200),
                               metadata={"example": "Hồ sơ bị yêu cầu bổ sung nhiều lần"})
    content = ma.fields.String(required=True, validate=ma.validate.Length(3, 5000),
                               metadata={"example": "Mỗi lần bổ sung lại được yêu cầu một giấy tờ khác."})


class ComplaintActionSchema(ma.Schema):
    action = ma.fields.String(required=True, validate=ma.validate.OneOf(states.ACTIONS),
                              metadata={"example": "answer"})
    note = ma.fields.String(validate=ma.validate.Length(max=5000), metadata={
        "description": "Required for refuse, request_info, provide_info and answer",
        "example": "Cơ quan đã rà soát và xin lỗi ông/bà; hồ sơ sẽ được trả kết quả ngày 10/12."})


class ComplaintSchema(ma.Schema):
    id = ma.fields.UUID(metadata=_ID)
    reference = ma.fields.String(metadata={"example": "PA261204-K7M2QX"})
    kind = ma.fields.String()
    dossier_id = ma.fields.UUID(allow_none=True)
    procedure_code = ma.fields.String()
    agency_id = ma.fields.UUID()
    commune_code = ma.fields.String(allow_none=True)
    subject = ma.fields.String()
    content = ma.fields.String()
    status = ma.fields.String(metadata={"example": "filed"})
    filed_on = ma.fields.Date()
    due_date = ma.fields.Date(metadata={"description": "Answer by (15 working days, moved by the working days "
                                                        "the complaint waited for the citizen's information)"})
    paused_on = ma.fields.Date(allow_none=True, metadata={
        "description": "While waiting for the citizen's information: the day the answer's clock stopped"})
    paused_days = ma.fields.Integer(metadata={"description": "Working days the answer's clock stood still so far"})
    refuse_by = ma.fields.Date(metadata={"description": "A refusal to handle by (2 working days)"})
    info_by = ma.fields.Date(metadata={"description": "A request for more information by (5 working days)"})
    answer = ma.fields.String(allow_none=True)
    closed_at = ma.fields.DateTime(allow_none=True)
    on_time = ma.fields.Boolean(allow_none=True)
    escalation_level = ma.fields.Integer()
    filed_by_helper = ma.fields.Boolean()
    allowed_actions = ma.fields.List(ma.fields.String())
    created_at = ma.fields.DateTime()


ComplaintPageSchema = page_schema(ComplaintSchema, "ComplaintPageSchema")


class ComplaintListArgsSchema(PageArgsSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(states.STATES))


class ComplaintEntrySchema(ma.Schema):
    action = ma.fields.String()
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String(allow_none=True)
    account_id = ma.fields.UUID(allow_none=True)
    actor_id = ma.fields.UUID(allow_none=True)
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class ApologyInSchema(ma.Schema):
    new_date = ma.fields.Date(required=True, metadata={"example": "2026-12-18"})
    reason = ma.fields.String(required=True, validate=ma.validate.Length(3, 2000),
                              metadata={"example": "Cần xác minh thông tin với cơ quan khác."})


class ApologySchema(ma.Schema):
    id = ma.fields.UUID(metadata=_ID)
    dossier_id = ma.fields.UUID()
    receipt_code = ma.fields.String()
    procedure_name = ma.fields.String()
    agency_name = ma.fields.String()
    officer_name = ma.fields.String()
    due_date = ma.fields.Date()
    new_date = ma.fields.Date()
    reason = ma.fields.String()
    issued_at = ma.fields.DateTime()
    letter_url = ma.fields.String(metadata={"example": "/api/v1/quality/apologies/3f6c.../letter.pdf"})


class ScopeArgsSchema(ma.Schema):
    scope = ma.fields.String(validate=ma.validate.OneOf(figures.SCOPES), metadata={
        "description": "province (default for leaders), agency, commune or procedure; officers: their agency"})
    scope_id = ma.fields.String(validate=ma.validate.Length(1, 40), metadata={
        "description": "The agency id, commune code or procedure code", "example": "25747"})


class PeriodArgsSchema(ScopeArgsSchema):
    start = ma.fields.String(data_key="from", validate=_MONTH, metadata={"example": "2026-11",
                             "description": "First month (YYYY-MM); default this month"})
    end = ma.fields.String(data_key="to", validate=_MONTH, metadata={"example": "2026-12",
                           "description": "Last month (YYYY-MM); default `from`"})


class DrillArgsSchema(PeriodArgsSchema, PageArgsSchema):
    pass


class ScopePageArgsSchema(ScopeArgsSchema, PageArgsSchema):
    pass


class IndicatorSchema(ma.Schema):
    code = ma.fields.String(metadata={"example": "on_time"})
    group = ma.fields.String()
    name = ma.fields.String()
    formula = ma.fields.String()
    source = ma.fields.String()
    unit = ma.fields.String(metadata={"description": "percent or working_days"})
    numerator = ma.fields.Integer()
    denominator = ma.fields.Integer()
    value = ma.fields.Float(allow_none=True, metadata={"description": "null when nothing was counted"})
    max_points = ma.fields.Float(allow_none=True)
    points = ma.fields.Float(allow_none=True)
    drill_down = ma.fields.Boolean()


class NotHeldSchema(ma.Schema):
    code = ma.fields.String()
    group = ma.fields.String()
    name = ma.fields.String()
    why = ma.fields.String()


class ReasonCountSchema(ma.Schema):
    action = ma.fields.String()
    reason_code = ma.fields.String()
    count = ma.fields.Integer()


class IndexSchema(ma.Schema):
    start = ma.fields.String(data_key="from")
    end = ma.fields.String(data_key="to")
    scope = ma.fields.String()
    scope_id = ma.fields.String(allow_none=True)   # an agency's id as text
    indicators = ma.fields.List(ma.fields.Nested(IndicatorSchema))
    not_held = ma.fields.List(ma.fields.Nested(NotHeldSchema))
    reasons_returned = ma.fields.List(ma.fields.Nested(ReasonCountSchema))
    total_points = ma.fields.Float()
    max_total_points = ma.fields.Float()
    points_basis = ma.fields.String(metadata={
        "description": "How points are given: the share times the configured maximum (linear); the annex of "
                       "Decision 766/QĐ-TTg's own scale is not applied (see docs/quality.md)"})


class CostItemSchema(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.String(metadata={"description": "dossier or complaint"})
    receipt_code = ma.fields.String(allow_none=True)
    agency_id = ma.fields.UUID()
    commune_code = ma.fields.String(allow_none=True)
    procedure_code = ma.fields.String()
    status = ma.fields.String()
    channel = ma.fields.String(allow_none=True)
    due_date = ma.fields.Date(allow_none=True)
    promised_date = ma.fields.Date(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)
    supplement_count = ma.fields.Integer(allow_none=True)
    handling_days = ma.fields.Integer(allow_none=True)
    why = ma.fields.List(ma.fields.String())


CostPageSchema = page_schema(CostItemSchema, "CostPageSchema")


class OpenItemSchema(ma.Schema):
    id = ma.fields.UUID()
    receipt_code = ma.fields.String(allow_none=True)
    agency_id = ma.fields.UUID()
    commune_code = ma.fields.String(allow_none=True)
    procedure_code = ma.fields.String()
    status = ma.fields.String(metadata={"description": "Where it is stuck"})
    since = ma.fields.DateTime()
    working_hours = ma.fields.Float(metadata={"description": "How long, in working hours"})
    stall_level = ma.fields.Integer()
    due_date = ma.fields.Date(allow_none=True)
    promised_date = ma.fields.Date(allow_none=True)
    assignee_id = ma.fields.UUID(allow_none=True)


OpenPageSchema = page_schema(OpenItemSchema, "OpenPageSchema")


class EarlyWarningSchema(ma.Schema):
    month = ma.fields.String()
    handled = ma.fields.Integer()
    late = ma.fields.Integer()
    open_due_this_month = ma.fields.Integer()
    open_already_late = ma.fields.Integer()
    on_time_rate_so_far = ma.fields.Float(allow_none=True)
    projected_on_time_rate = ma.fields.Float(allow_none=True)
    week_ends = ma.fields.Date()


class RatingsSummarySchema(ma.Schema):
    ratings = ma.fields.Integer()
    verdicts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    average_score = ma.fields.Float(allow_none=True)
    reasons = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class ComplaintsSummarySchema(ma.Schema):
    closed = ma.fields.Integer()
    on_time = ma.fields.Integer()
    open = ma.fields.Integer()
    overdue = ma.fields.Integer()
