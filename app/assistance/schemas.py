"""Request and response shapes of the assistance API."""
import marshmallow as ma
from marshmallow import validate

from app.assistance.models import BY_APP, BY_SMS, DAY, MONTH, STATUSES
from app.assistance.scopes import SCOPES
from app.assistance.service import DEFAULT_MINUTES, MAX_MINUTES, MIN_MINUTES
from app.common.masking import mask_phone
from app.common.pagination import PageArgsSchema, page_schema
from app.common.personal_id import PersonalIdField

UUID_EXAMPLE = "6a1f0c52-2d4b-4e8f-9a71-3c5d7e9b1f20"
TIME_EXAMPLE = "2026-11-21T08:00:00+00:00"


def _uuid(**kwargs):
    return ma.fields.UUID(metadata={"example": UUID_EXAMPLE, **kwargs.pop("metadata", {})}, **kwargs)


def _time(**kwargs):
    return ma.fields.AwareDateTime(metadata={"example": TIME_EXAMPLE}, **kwargs)


# --- teams ------------------------------------------------------------------------------

class AssistanceTeamCreateSchema(ma.Schema):
    commune_code = ma.fields.String(required=True, validate=validate.Regexp(r"^[0-9]{5}$"),
                                    metadata={"example": "27727", "description": "5-digit commune code"})
    name = ma.fields.String(required=True, validate=validate.Length(1, 120),
                            metadata={"example": "Tổ công nghệ số cộng đồng ấp Hưng Thạnh"})


class AssistanceTeamUpdateSchema(ma.Schema):
    name = ma.fields.String(validate=validate.Length(1, 120), metadata={"example": "Tổ CNS ấp 3"})
    active = ma.fields.Boolean(metadata={"example": False,
                                         "description": "false ends every delegation of the team's members"})


class AssistanceTeamSchema(ma.Schema):
    id = _uuid()
    commune_code = ma.fields.String(metadata={"example": "27727"})
    name = ma.fields.String(metadata={"example": "Tổ công nghệ số cộng đồng ấp Hưng Thạnh"})
    active = ma.fields.Boolean(metadata={"example": True})
    created_at = _time()


TeamPageSchema = page_schema(AssistanceTeamSchema, "AssistanceTeamPage")


class AssistanceTeamListArgsSchema(PageArgsSchema):
    commune_code = ma.fields.String(load_default=None, validate=validate.Regexp(r"^[0-9]{5}$"),
                                    metadata={"example": "27727"})


class TeamMemberAddSchema(ma.Schema):
    account_id = _uuid(required=True, metadata={"description": "A staff account with the assistant role"})


class TeamMemberSchema(ma.Schema):
    account_id = _uuid()
    full_name = ma.fields.String(dump_only=True, metadata={"type": "string", "example": "Lê Thị Hoa"})
    joined_at = ma.fields.AwareDateTime(attribute="created_at", metadata={"example": TIME_EXAMPLE})


# --- sessions -----------------------------------------------------------------------------

class AssistanceSessionStartSchema(ma.Schema):
    personal_id = PersonalIdField(required=True)
    scopes = ma.fields.List(ma.fields.String(validate=validate.OneOf(SCOPES)), required=True,
                            validate=validate.Length(1, len(SCOPES)), metadata={
                                "example": ["submit_dossier", "pay_fee"],
                                "description": "What the resident is asked to consent to: " + ", ".join(SCOPES)})
    procedure_code = ma.fields.String(load_default=None, validate=validate.Length(1, 30), metadata={
        "example": "2.000635", "description": "Required with submit_dossier: the one procedure to submit"})
    dossier_id = ma.fields.UUID(load_default=None, metadata={
        "example": UUID_EXAMPLE, "description": "With pay_fee: the one dossier whose fee may be paid "
                                                "(otherwise only dossiers handled in this session)"})
    duration_minutes = ma.fields.Integer(load_default=DEFAULT_MINUTES,
                                         validate=validate.Range(MIN_MINUTES, MAX_MINUTES),
                                         metadata={"example": 120, "description": "How long the delegation "
                                                   f"lasts after consent ({MIN_MINUTES} to {MAX_MINUTES})"})

    @ma.validates_schema
    def _procedure_with_submission(self, data, **_kwargs):
        if "submit_dossier" in data.get("scopes", []) and not data.get("procedure_code"):
            raise ma.ValidationError("Missing data for required field.", "procedure_code")


class AssistedResidentSchema(ma.Schema):
    full_name = ma.fields.String(allow_none=True, metadata={"example": "Nguyễn Văn An"})
    personal_id = ma.fields.String(metadata={"example": "080******234", "description": "Masked"})
    has_account = ma.fields.Boolean(metadata={"example": True})
    phones = ma.fields.List(ma.fields.String(), metadata={
        "example": ["091****678"], "description": "The registry's phones, masked; consent may use one by index"})
    consent_methods = ma.fields.List(ma.fields.String(), metadata={"example": ["sms", "app"]})


class AssistanceConsentStateSchema(ma.Schema):
    method = ma.fields.String(allow_none=True, attribute="consent_method", metadata={"example": "sms"})
    sent_to = ma.fields.Method("_sent_to", metadata={"type": "string", "nullable": True, "example": "091****678"})
    sent_at = _time(allow_none=True, attribute="consent_sent_at")
    code_expires_at = _time(allow_none=True, attribute="consent_code_expires_at")
    deadline = _time(attribute="consent_deadline")

    def _sent_to(self, delegation):
        return mask_phone(delegation.consent_phone) if delegation.consent_phone else None


class AssistanceSessionSchema(ma.Schema):
    id = _uuid()
    status = ma.fields.String(validate=validate.OneOf(STATUSES), metadata={"example": "active"})
    team_id = _uuid()
    member_id = _uuid()
    commune_code = ma.fields.String(metadata={"example": "27727"})
    scopes = ma.fields.List(ma.fields.String(), metadata={"example": ["submit_dossier", "pay_fee"]})
    procedure_code = ma.fields.String(allow_none=True, metadata={"example": "2.000635"})
    dossier_id = ma.fields.UUID(allow_none=True, metadata={"example": None})
    duration_minutes = ma.fields.Integer(metadata={"example": 120})
    resident = ma.fields.Nested(AssistedResidentSchema)
    consent = ma.fields.Nested(AssistanceConsentStateSchema)
    consented_at = _time(allow_none=True)
    expires_at = _time(allow_none=True)
    ended_at = _time(allow_none=True)
    end_reason = ma.fields.String(allow_none=True, metadata={"example": None})
    created_at = _time()


SessionPageSchema = page_schema(AssistanceSessionSchema, "AssistanceSessionPage")


class AssistanceSessionListArgsSchema(PageArgsSchema):
    commune_code = ma.fields.String(load_default=None, validate=validate.Regexp(r"^[0-9]{5}$"),
                                    metadata={"example": "27727"})
    member_id = ma.fields.UUID(load_default=None, metadata={"example": UUID_EXAMPLE})


class AssistanceConsentRequestSchema(ma.Schema):
    method = ma.fields.String(load_default=BY_SMS, validate=validate.OneOf((BY_SMS, BY_APP)), metadata={
        "example": "sms", "description": "sms: a code to a registry phone, read aloud; app: approval in the app"})
    phone_index = ma.fields.Integer(load_default=0, validate=validate.Range(0, 9), metadata={
        "example": 0, "description": "Which of the resident's registry phones (see resident.phones)"})


class ReadAloudCodeSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=validate.Regexp(r"^[0-9]{6}$"), metadata={
        "example": "482913", "description": "The 6-digit code the resident reads aloud from their phone"})


class DelegatedTokenSchema(ma.Schema):
    access_token = ma.fields.String(metadata={"example": "eyJhbGciOiJIUzI1NiIs...",
                                              "description": "Acts for the resident within the consent"})
    token_type = ma.fields.Constant("Bearer", metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(metadata={"example": 900, "description": "Seconds; ask again while active"})
    scope = ma.fields.String(metadata={"example": "submit_dossier pay_fee"})
    session = ma.fields.Nested(AssistanceSessionSchema)


class AssistanceActSchema(ma.Schema):
    id = _uuid()
    session_id = ma.fields.UUID(attribute="delegation_id", metadata={"example": UUID_EXAMPLE})
    action = ma.fields.String(metadata={"example": "dossier_submitted"})
    outcome = ma.fields.String(metadata={"example": "done", "description": "done, or refused"})
    helper_id = ma.fields.UUID(attribute="actor_id", metadata={"example": UUID_EXAMPLE})
    helper_name = ma.fields.String(dump_only=True, metadata={"type": "string", "example": "Lê Thị Hoa"})
    team_id = _uuid()
    target_type = ma.fields.String(allow_none=True, metadata={"example": "dossier"})
    target_id = ma.fields.UUID(allow_none=True, metadata={"example": UUID_EXAMPLE})
    detail = ma.fields.Dict(metadata={"example": {}})
    created_at = _time()


ActPageSchema = page_schema(AssistanceActSchema, "AssistanceActPage")


class MyDelegationsArgsSchema(PageArgsSchema):
    current = ma.fields.Boolean(load_default=True, metadata={
        "example": True, "description": "Only pending requests and active delegations (false: all)"})


class MyDelegationSchema(ma.Schema):
    id = _uuid()
    status = ma.fields.String(dump_only=True, metadata={"type": "string", "example": "active"})
    helper_id = ma.fields.UUID(attribute="member_id", metadata={"example": UUID_EXAMPLE})
    helper_name = ma.fields.String(dump_only=True, metadata={"type": "string", "example": "Lê Thị Hoa"})
    team_name = ma.fields.String(dump_only=True, metadata={"type": "string", "example": "Tổ CNS ấp Hưng Thạnh"})
    scopes = ma.fields.List(ma.fields.String(), metadata={"example": ["submit_dossier"]})
    procedure_code = ma.fields.String(allow_none=True, metadata={"example": "2.000635"})
    consent_method = ma.fields.String(allow_none=True, metadata={"example": "app"})
    consented_at = _time(allow_none=True)
    expires_at = _time(allow_none=True)
    ended_at = _time(allow_none=True)
    created_at = _time()


MyDelegationPageSchema = page_schema(MyDelegationSchema, "MyDelegationPage")


class RevokedDelegationsSchema(ma.Schema):
    revoked = ma.fields.Integer(metadata={"example": 1})


# --- acting with the delegated token ------------------------------------------------------

class AssistedSentCodeSchema(ma.Schema):
    challenge_id = ma.fields.UUID(attribute="flow_id", metadata={"example": UUID_EXAMPLE})
    sent_to = ma.fields.Function(lambda sent: mask_phone(sent.phone), metadata={"type": "string",
                                                                                 "example": "091****678"})
    expires_at = _time()
    resend_at = _time()


class AssistedRegistrationSchema(ma.Schema):
    account_id = _uuid()
    account_status = ma.fields.String(metadata={
        "example": "pending_password",
        "description": "The phone is verified; the resident activates the account by choosing a password"})
    activation_sent_to = ma.fields.Function(lambda r: mask_phone(r.phone), metadata={
        "type": "string", "example": "091****678"})


class AssistedPaymentStartSchema(ma.Schema):
    dossier_id = _uuid(required=True)
    gateway = ma.fields.String(required=True, validate=validate.OneOf(("vnpay", "momo", "paygov")),
                               metadata={"example": "vnpay"})


class AssistedPaymentSchema(ma.Schema):
    """A payment as the helper sees it: never the link (it went to the resident's phone)."""

    id = _uuid()
    dossier_id = _uuid()
    status = ma.fields.String(metadata={"example": "pending"})
    amount = ma.fields.Integer(metadata={"example": 8000, "description": "Whole VND"})
    dossier_receipt_code = ma.fields.String(metadata={"example": "H80.27727-261121-0001"})
    procedure_name = ma.fields.String(metadata={"example": "Cấp bản sao trích lục hộ tịch"})
    expires_at = _time()
    paid_at = _time(allow_none=True)


class StartedPaymentSchema(ma.Schema):
    payment = ma.fields.Nested(AssistedPaymentSchema)
    link_sent_to = ma.fields.Function(lambda started: mask_phone(started.sent_to), metadata={
        "type": "string", "example": "091****678", "description": "The resident's phone, masked"})


# --- figures ------------------------------------------------------------------------------

class TeamFiguresArgsSchema(ma.Schema):
    period = ma.fields.String(load_default=MONTH, validate=validate.OneOf((DAY, MONTH)),
                              metadata={"example": "month"})
    start = ma.fields.Date(load_default=None, metadata={"example": "2026-11-01",
                                                        "description": "Default: the first day of this month"})
    end = ma.fields.Date(load_default=None, metadata={"example": "2026-11-30", "description": "Default: today"})
    by = ma.fields.String(load_default="team", validate=validate.OneOf(("member", "team", "commune")),
                          metadata={"example": "team"})
    commune_code = ma.fields.String(load_default=None, validate=validate.Regexp(r"^[0-9]{5}$"),
                                    metadata={"example": "27727"})
    team_id = ma.fields.UUID(load_default=None, metadata={"example": UUID_EXAMPLE})
    member_id = ma.fields.UUID(load_default=None, metadata={"example": UUID_EXAMPLE})


class TeamFigureRowSchema(ma.Schema):
    period = ma.fields.String(metadata={"example": "month"})
    start = ma.fields.Date(metadata={"example": "2026-11-01"})
    commune_code = ma.fields.String(metadata={"example": "27727"})
    team_id = ma.fields.UUID(allow_none=True, metadata={"example": UUID_EXAMPLE})
    team_name = ma.fields.String(allow_none=True, metadata={"example": "Tổ CNS ấp Hưng Thạnh"})
    member_id = ma.fields.UUID(allow_none=True, metadata={"example": None, "description": "null: the whole team"})
    member_name = ma.fields.String(allow_none=True, metadata={"example": None})
    residents_helped = ma.fields.Integer(metadata={
        "example": 12, "description": "Different residents helped (each counted once in the period)"})
    accounts_registered = ma.fields.Integer(metadata={"example": 4, "description": "Phones verified with help"})
    accounts_activated = ma.fields.Integer(metadata={
        "example": 3, "description": "Accounts registered with help that their resident activated"})
    dossiers_submitted = ma.fields.Integer(metadata={"example": 7})
    payments_completed = ma.fields.Integer(metadata={"example": 5})


class TeamFiguresSchema(ma.Schema):
    period = ma.fields.String(metadata={"example": "month"})
    start = ma.fields.Date(metadata={"example": "2026-11-01"})
    end = ma.fields.Date(metadata={"example": "2026-11-30"})
    rows = ma.fields.List(ma.fields.Nested(TeamFigureRowSchema))
