"""Request and response shapes of the identity API."""
import marshmallow as ma
from marshmallow import validate

from app.common.masking import mask_phone
from app.common.pagination import page_schema
from app.common.personal_id import PersonalIdField
from app.errors import N_
from app.common.roles import STAFF_ROLES

UUID_EXAMPLE = "3f2c1e9a-8b7d-4c6e-9f1a-2b3c4d5e6f70"
PHONE = validate.Regexp(r"^(\+?84|0)[0-9]{9}$",
                        error=N_("A Vietnamese mobile number: 0xxxxxxxxx or +84xxxxxxxxx."))


def _code():
    return ma.fields.String(required=True, validate=validate.Length(1, 12),
                            metadata={"example": "123456", "description": "The 6-digit code"})


def _password(name="password"):
    return ma.fields.String(required=True, validate=validate.Length(1, 1024), metadata={
        "example": "mua-xuan-tren-dong-song-2025", "format": "password",
        "description": "8 to 256 characters; common or leaked passwords and ones built from "
                       "your personal id, phone, name or birth date are refused"})


class MaskedPhone(ma.fields.String):
    def _serialize(self, value, attr, obj, **kwargs):
        return mask_phone(value) if value else value


# --- shared ----------------------------------------------------------------------

class SentCodeSchema(ma.Schema):
    challenge_id = ma.fields.UUID(attribute="flow_id", metadata={
        "example": UUID_EXAMPLE, "description": "Send it with the code; it stays the same on resend"})
    phone = MaskedPhone(metadata={"example": "091****678", "description": "Where the SMS went (masked)"})
    expires_at = ma.fields.AwareDateTime(metadata={"example": "2026-11-21T08:05:00+00:00"})
    resend_at = ma.fields.AwareDateTime(metadata={
        "example": "2026-11-21T08:01:00+00:00", "description": "A new code may be asked from then on"})


class AuthTokensSchema(ma.Schema):
    access_token = ma.fields.String(metadata={"example": "eyJhbGciOiJIUzI1NiIs...",
                                              "description": "JWT, valid 15 minutes"})
    refresh_token = ma.fields.String(allow_none=True, metadata={
        "example": "pP3v...", "description": "Opaque, single use; null when the session keeps its own"})
    token_type = ma.fields.String(metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(metadata={"example": 900})
    level = ma.fields.Integer(metadata={"example": 2, "description": "Assurance level of the session (acr)"})
    methods = ma.fields.List(ma.fields.String(), metadata={"example": ["pwd", "otp"],
                                                           "description": "Methods used (amr)"})
    session_id = ma.fields.UUID(metadata={"example": UUID_EXAMPLE})


class OtpCodeArgs(ma.Schema):
    challenge_id = ma.fields.UUID(required=True, metadata={"example": UUID_EXAMPLE})
    code = _code()


class OtpChallengeArgs(ma.Schema):
    challenge_id = ma.fields.UUID(required=True, metadata={"example": UUID_EXAMPLE})


class EidDeviceSchema(ma.Schema):
    id = ma.fields.UUID(metadata={"example": UUID_EXAMPLE})
    name = ma.fields.String(metadata={"example": "Samsung Galaxy A55"})
    platform = ma.fields.String(allow_none=True, metadata={"example": "android"})
    bound_at = ma.fields.AwareDateTime(allow_none=True)
    unbound_at = ma.fields.AwareDateTime(allow_none=True)
    frozen_at = ma.fields.AwareDateTime(allow_none=True, metadata={
        "description": "Reported lost: level 2 is suspended until the phone unfreezes itself"})
    bound = ma.fields.Method("_bound", metadata={"example": True})

    def _bound(self, device) -> bool:
        return device.bound_at is not None and device.unbound_at is None


class EidAccountSchema(ma.Schema):
    id = ma.fields.UUID(metadata={"example": UUID_EXAMPLE})
    login = ma.fields.String(metadata={"example": "080090001234"})
    role = ma.fields.String(metadata={"example": "citizen"})
    level = ma.fields.Integer(metadata={"example": 1})
    status = ma.fields.String(metadata={"example": "active"})
    full_name = ma.fields.String(metadata={"example": "Nguyễn Văn An"})
    personal_id = ma.fields.String(allow_none=True, metadata={"example": "080090001234"})
    phone = MaskedPhone(allow_none=True, metadata={"example": "091****678"})
    totp_enabled = ma.fields.Method("_totp", metadata={"example": False})
    agency_id = ma.fields.UUID(allow_none=True)
    commune_code = ma.fields.String(allow_none=True, metadata={"example": "27727"})
    activated_at = ma.fields.AwareDateTime(allow_none=True)
    level2_at = ma.fields.AwareDateTime(allow_none=True)

    def _totp(self, account) -> bool:
        return account.totp_secret is not None


class EidMeSchema(EidAccountSchema):
    bound_device = ma.fields.Nested(EidDeviceSchema, allow_none=True)


# --- registration ------------------------------------------------------------------

class RegistrationArgs(ma.Schema):
    personal_id = PersonalIdField(required=True)
    full_name = ma.fields.String(required=True, validate=validate.Length(1, 120),
                                 metadata={"example": "Nguyễn Văn An"})
    date_of_birth = ma.fields.Date(required=True, metadata={"example": "1990-04-12"})
    phone = ma.fields.String(required=True, validate=PHONE, metadata={"example": "0912345678"})


class SetupTokenSchema(ma.Schema):
    setup_token = ma.fields.String(metadata={"example": "q1w2e3...", "description": "Single use, 10 minutes"})
    expires_at = ma.fields.AwareDateTime()


class FirstPasswordArgs(ma.Schema):
    setup_token = ma.fields.String(required=True, validate=validate.Length(1, 200))
    password = _password()


# --- login -------------------------------------------------------------------------

class LoginArgs(ma.Schema):
    login = ma.fields.String(required=True, validate=validate.Length(1, 64), metadata={
        "example": "080090001234", "description": "Personal id (citizens) or login name (staff)"})
    password = ma.fields.String(required=True, validate=validate.Length(1, 1024),
                                metadata={"example": "mua-xuan-tren-dong-song-2025", "format": "password"})
    level = ma.fields.Integer(load_default=None, validate=validate.OneOf([1, 2]), metadata={
        "example": 1, "description": "Requested assurance level; 2 allows only TOTP (or use QR login)"})
    client_name = ma.fields.String(load_default=None, validate=validate.Length(max=100),
                                   metadata={"example": "Cổng dịch vụ công - Chrome"})
    device_id = ma.fields.UUID(load_default=None, metadata={"description": "The bound device's id (phone app)"})
    device_secret = ma.fields.String(load_default=None, validate=validate.Length(max=200),
                                     metadata={"description": "The secret received when the device was bound"})


class LoginStartedSchema(ma.Schema):
    login_token = ma.fields.String(metadata={"example": "Zk3...", "description": "For the second step, 5 minutes"})
    expires_at = ma.fields.AwareDateTime()
    second_factors = ma.fields.List(ma.fields.String(), metadata={"example": ["totp", "sms"]})
    sms = ma.fields.Nested(SentCodeSchema, allow_none=True,
                           metadata={"description": "Set when an SMS code was sent already"})


class LoginTokenArgs(ma.Schema):
    login_token = ma.fields.String(required=True, validate=validate.Length(1, 200))


class LoginVerifyArgs(LoginTokenArgs):
    method = ma.fields.String(required=True, validate=validate.OneOf(["totp", "sms"]),
                              metadata={"example": "sms"})
    code = _code()


class StepUpArgs(ma.Schema):
    method = ma.fields.String(load_default="totp", validate=validate.OneOf(["totp"]),
                              metadata={"description": "TOTP here; QR step-up goes through /qr-logins"})
    code = _code()


class TokenRefreshArgs(ma.Schema):
    refresh_token = ma.fields.String(required=True, validate=validate.Length(1, 200))


class LogoutArgs(ma.Schema):
    everywhere = ma.fields.Boolean(load_default=False, metadata={
        "description": "End every session of the account and every access token"})


# --- passwords ---------------------------------------------------------------------

class PasswordResetArgs(ma.Schema):
    personal_id = PersonalIdField(required=True)
    phone = ma.fields.String(required=True, validate=PHONE, metadata={"example": "0912345678"})


class ResetTokenSchema(ma.Schema):
    reset_token = ma.fields.String(metadata={"description": "Single use, 10 minutes"})
    expires_at = ma.fields.AwareDateTime()


class ResetPasswordArgs(ma.Schema):
    reset_token = ma.fields.String(required=True, validate=validate.Length(1, 200))
    password = _password()


class ChangePasswordArgs(ma.Schema):
    current_password = ma.fields.String(required=True, validate=validate.Length(1, 1024),
                                        metadata={"format": "password"})
    new_password = _password()


# --- sessions and devices -------------------------------------------------------------

class AuthSessionSchema(ma.Schema):
    id = ma.fields.UUID(metadata={"example": UUID_EXAMPLE})
    client_name = ma.fields.String(allow_none=True, metadata={"example": "Cổng dịch vụ công - Chrome"})
    ip_address = ma.fields.String(allow_none=True, metadata={"example": "203.0.113.7"})
    user_agent = ma.fields.String(allow_none=True)
    level = ma.fields.Integer(metadata={"example": 2})
    methods = ma.fields.List(ma.fields.String(), metadata={"example": ["qr"]})
    device_id = ma.fields.UUID(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    last_seen_at = ma.fields.AwareDateTime(allow_none=True)
    expires_at = ma.fields.AwareDateTime()
    current = ma.fields.Boolean(attribute="is_current", dump_default=False,
                                metadata={"description": "The session making this request"})


AuthSessionPageSchema = page_schema(AuthSessionSchema, "AuthSessionPage")


def _in_person_code(required=False):
    return ma.fields.String(required=required, load_default=None, validate=validate.Length(1, 20), metadata={
        "example": "K7QX4M2P9R",
        "description": "The activation code handed over at the biometric enrolment, or the "
                       "re-proofing code an officer issued at a desk"})


class BindingArgs(ma.Schema):
    device_name = ma.fields.String(required=True, validate=validate.Length(1, 100),
                                   metadata={"example": "Samsung Galaxy A55"})
    platform = ma.fields.String(load_default=None, validate=validate.OneOf(["android", "ios", "other"]),
                                metadata={"example": "android"})
    in_person_code = _in_person_code()


class BindingStartedSchema(ma.Schema):
    id = ma.fields.UUID(metadata={"example": UUID_EXAMPLE})
    expires_at = ma.fields.AwareDateTime()
    sms = ma.fields.Nested(SentCodeSchema)
    authorisation = ma.fields.String(metadata={
        "example": "device_approval", "description": "in_person (a code was given) or device_approval"})
    approval_code = ma.fields.String(allow_none=True, metadata={
        "example": "H4KM7TQX", "description": "Show it on the new phone; the bound phone approves it "
                                             "(null when an in-person code authorises the binding)"})


class BindingCodeArgs(ma.Schema):
    code = _code()


class TotpEnrolmentSchema(ma.Schema):
    secret = ma.fields.String(metadata={"example": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                                        "description": "Base32, shown once (160 bits)"})
    provisioning_uri = ma.fields.String(metadata={
        "example": "otpauth://totp/Smart%20Province:080******234?secret=JBSW...&issuer=Smart%20Province"})
    qr_png = ma.fields.String(metadata={"description": "The URI as a QR code: data:image/png;base64,..."})
    qr_svg = ma.fields.String(metadata={"description": "The URI as a QR code: an SVG document"})
    algorithm = ma.fields.String(dump_default="SHA1", metadata={"example": "SHA1"})
    digits = ma.fields.Integer(dump_default=6, metadata={"example": 6})
    period = ma.fields.Integer(dump_default=30, metadata={"example": 30})


class BindingCompletedSchema(ma.Schema):
    status = ma.fields.String(metadata={"example": "bound", "description": "bound, or pending (cooling-off)"})
    effective_at = ma.fields.AwareDateTime(allow_none=True, metadata={
        "description": "Pending: when the change takes effect unless cancelled"})
    device = ma.fields.Nested(EidDeviceSchema)
    device_secret = ma.fields.String(metadata={
        "description": "Shown once: the app sends it with device_id when logging in"})
    tokens = ma.fields.Nested(AuthTokensSchema, allow_none=True, metadata={
        "description": "This session, now level 2 on this device (null while pending)"})


class DeviceApprovalArgs(ma.Schema):
    approval_code = ma.fields.String(required=True, validate=validate.Length(1, 20),
                                     metadata={"example": "H4KM7TQX", "description": "Shown on the new phone"})
    device_secret = ma.fields.String(required=True, validate=validate.Length(1, 200),
                                     metadata={"description": "This (bound) phone's device secret"})
    code = _code()


class DeviceChangeSchema(ma.Schema):
    id = ma.fields.UUID(metadata={"example": UUID_EXAMPLE})
    device_name = ma.fields.String(metadata={"example": "iPhone 16"})
    platform = ma.fields.String(allow_none=True, metadata={"example": "ios"})
    created_at = ma.fields.AwareDateTime()
    effective_at = ma.fields.AwareDateTime(allow_none=True)
    approved_at = ma.fields.AwareDateTime(allow_none=True)
    cancelled_at = ma.fields.AwareDateTime(allow_none=True)
    completed_at = ma.fields.AwareDateTime(allow_none=True)


class LostDeviceArgs(ma.Schema):
    password = _password()


class DeviceProofArgs(ma.Schema):
    login = ma.fields.String(required=True, validate=validate.Length(1, 64), metadata={"example": "080090001234"})
    device_id = ma.fields.UUID(required=True, metadata={"example": UUID_EXAMPLE})
    device_secret = ma.fields.String(required=True, validate=validate.Length(1, 200))
    code = _code()


class DeviceLoginArgs(DeviceProofArgs):
    client_name = ma.fields.String(load_default=None, validate=validate.Length(max=100),
                                   metadata={"example": "Smart Province (Android)"})


class UnfreezeArgs(DeviceProofArgs):
    password = _password()


class DeskCitizenArgs(ma.Schema):
    personal_id = PersonalIdField(required=True, metadata={"example": "080090001234"})


class DeskVerificationArgs(DeskCitizenArgs):
    method = ma.fields.String(required=True, validate=validate.OneOf(["chip_card", "face_match"]),
                              metadata={"example": "chip_card"})
    evidence = ma.fields.String(required=True, validate=validate.Length(1, 500), metadata={
        "example": "080090001234",
        "description": "What the verifier needs: the chip read or the face-match reference "
                       "(the mock verifier accepts the personal id)"})


class DeskReproofingArgs(DeskVerificationArgs):
    request_id = ma.fields.UUID(load_default=None, metadata={
        "example": UUID_EXAMPLE, "description": "A community helper's request, when there is one"})


class HelperArgs(DeskCitizenArgs):
    resident_consent = ma.fields.Boolean(required=True, metadata={
        "example": True, "description": "The resident is present and consents"})


class InPersonCodeSchema(ma.Schema):
    code = ma.fields.String(metadata={"example": "K7QX4M2P9R", "description": "Shown once: hand it over"})
    kind = ma.fields.String(attribute="record.kind", metadata={"example": "activation"})
    expires_at = ma.fields.AwareDateTime(attribute="record.expires_at")
    place = ma.fields.String(attribute="record.place", allow_none=True)
    enrolled_on = ma.fields.Date(attribute="record.enrolled_on", allow_none=True,
                                 metadata={"description": "The registry's enrolment event"})
    verification_method = ma.fields.String(attribute="record.verification_method", allow_none=True)


class ReproofingRequestSchema(ma.Schema):
    id = ma.fields.UUID(metadata={"example": UUID_EXAMPLE})
    expires_at = ma.fields.AwareDateTime()
    authorised_at = ma.fields.AwareDateTime(allow_none=True)


# --- QR login -------------------------------------------------------------------------

class QrCreateArgs(ma.Schema):
    client_name = ma.fields.String(load_default=None, validate=validate.Length(max=100),
                                   metadata={"example": "Cổng dịch vụ công tỉnh - Firefox"})


class QrCodeSchema(ma.Schema):
    id = ma.fields.UUID(metadata={"example": UUID_EXAMPLE})
    code = ma.fields.String(metadata={"example": "spqr1.Xk2v...", "description": "The QR code's content"})
    qr_png = ma.fields.String(metadata={"description": "data:image/png;base64,..."})
    qr_svg = ma.fields.String(metadata={"description": "An SVG document"})
    expires_at = ma.fields.AwareDateTime()
    poll_url = ma.fields.String(metadata={"example": "/api/v1/identity/qr-logins/3f2c.../"})
    interval = ma.fields.Integer(dump_default=2, metadata={"description": "Seconds between polls without wait"})


class QrLoginCreatedSchema(QrCodeSchema):
    poll_secret = ma.fields.String(metadata={
        "description": "Send as X-Poll-Secret when polling or refreshing; only this client holds it"})


class PollSecretHeaders(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    poll_secret = ma.fields.String(data_key="X-Poll-Secret", load_default=None,
                                   metadata={"description": "The poll secret of this login request"})


class QrPollArgs(ma.Schema):
    wait = ma.fields.Float(load_default=0, validate=validate.Range(0, 25), metadata={
        "description": "Long polling: hold the answer up to this many seconds until something changes"})


class QrPollSchema(ma.Schema):
    id = ma.fields.UUID()
    status = ma.fields.String(metadata={"example": "pending",
                                        "description": "pending, scanned, approved or denied"})
    expires_at = ma.fields.AwareDateTime()
    tokens = ma.fields.Nested(AuthTokensSchema, allow_none=True,
                              metadata={"description": "Once, with the approval"})


class QrScanArgs(ma.Schema):
    code = ma.fields.String(required=True, validate=validate.Length(1, 200),
                            metadata={"example": "spqr1.Xk2v..."})


class QrRequestSchema(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.Method("_kind", metadata={"example": "login", "description": "login or step_up"})
    status = ma.fields.String(metadata={"example": "scanned"})
    client_name = ma.fields.String(allow_none=True)
    ip_address = ma.fields.String(allow_none=True, metadata={"example": "203.0.113.7"})
    user_agent = ma.fields.String(allow_none=True)
    requested_at = ma.fields.AwareDateTime(attribute="created_at")
    expires_at = ma.fields.AwareDateTime()
    session_id = ma.fields.UUID(allow_none=True, metadata={"description": "The web session, once approved"})

    def _kind(self, login) -> str:
        return "step_up" if login.step_up_session_id else "login"


# --- staff ------------------------------------------------------------------------------

class StaffArgs(ma.Schema):
    role = ma.fields.String(required=True, validate=validate.OneOf(STAFF_ROLES), metadata={"example": "officer"})
    login = ma.fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9._-]{2,63}$"),
                             metadata={"example": "officer.hungdien"})
    full_name = ma.fields.String(required=True, validate=validate.Length(1, 120),
                                 metadata={"example": "Lê Thị Hoa"})
    phone = ma.fields.String(load_default=None, validate=PHONE)
    agency_code = ma.fields.String(load_default=None, validate=validate.Length(1, 20),
                                   metadata={"example": "UBND-27727"})
    commune_code = ma.fields.String(load_default=None, validate=validate.Regexp(r"^[0-9]{5}$"),
                                    metadata={"example": "27727"})
    password = ma.fields.String(load_default=None, validate=validate.Length(1, 1024), metadata={
        "description": "Leave out to have one generated (returned once)"})


class StaffCreatedSchema(ma.Schema):
    account = ma.fields.Nested(EidAccountSchema)
    password = ma.fields.String(allow_none=True, metadata={"description": "Only when generated"})
    totp = ma.fields.Nested(TotpEnrolmentSchema)


class SmsQueryArgs(ma.Schema):
    phone = ma.fields.String(required=True, validate=PHONE, metadata={"example": "0912345678"})
    limit = ma.fields.Integer(load_default=10, validate=validate.Range(1, 50))


class DevSmsSchema(ma.Schema):
    id = ma.fields.UUID()
    created_at = ma.fields.AwareDateTime()
    event = ma.fields.String(metadata={"example": "otp_code"})
    phone = ma.fields.String(attribute="address", metadata={"example": "0912345678"})
    params = ma.fields.Dict(metadata={"example": {"code": "123456", "purpose": "register"}})
    status = ma.fields.String(metadata={"example": "created"})
    body = ma.fields.String(allow_none=True)

