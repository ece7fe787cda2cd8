import marshmallow as ma

from app.common.masking import mask_text
from app.common.pagination import PageArgsSchema, page_schema
from app.notifications.models import CHANNELS
from app.notifications.routing import CONFIGURABLE
from app.notifications.templates import CATEGORIES, EVENTS, LOCALES

STATUSES = ("created", "sending", "delivered", "temporary_failure", "permanent_failure")


class InboxArgsSchema(PageArgsSchema):
    unread = ma.fields.Boolean(load_default=False, metadata={"description": "Only unread messages"})


class InboxItemSchema(ma.Schema):
    id = ma.fields.UUID(metadata={"example": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"})
    event = ma.fields.String(metadata={"example": "supplement_requested"})
    title = ma.fields.String(metadata={"example": "Yêu cầu bổ sung hồ sơ"})
    body = ma.fields.String(metadata={"example": "Hồ sơ H80.27727-250101-0001 cần bổ sung giấy tờ."})
    data = ma.fields.Dict(attribute="params", metadata={
        "description": "The event's values, for links inside the app",
        "example": {"receipt_code": "H80.27727-250101-0001"}})
    created_at = ma.fields.DateTime(metadata={"example": "2026-01-05T02:30:00+00:00"})
    read_at = ma.fields.DateTime(allow_none=True, metadata={"example": None})


InboxPageSchema = page_schema(InboxItemSchema, "InboxPage")


class InboxUnreadCountSchema(ma.Schema):
    unread = ma.fields.Integer(metadata={"example": 3})


class InboxMarkedSchema(ma.Schema):
    marked = ma.fields.Integer(metadata={"description": "How many messages were marked read", "example": 3})


class ChannelChoiceSchema(ma.Schema):
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(CATEGORIES),
                                metadata={"example": "dossier"})
    channel = ma.fields.String(required=True, validate=ma.validate.OneOf(("in_app", *CONFIGURABLE)),
                               metadata={"example": "sms"})
    enabled = ma.fields.Boolean(required=True, metadata={"example": True})
    locked = ma.fields.Boolean(dump_only=True, metadata={
        "description": "Security messages, OTP codes and the inbox cannot be switched off", "example": False})


class NotificationPreferencesSchema(ma.Schema):
    locale = ma.fields.String(metadata={"example": "vi"})
    email = ma.fields.String(allow_none=True, metadata={"example": "an.nguyen@example.vn"})
    channels = ma.fields.List(ma.fields.Nested(ChannelChoiceSchema))


class NotificationPreferencesUpdateSchema(ma.Schema):
    locale = ma.fields.String(validate=ma.validate.OneOf(LOCALES), metadata={"example": "en"})
    email = ma.fields.Email(allow_none=True, validate=ma.validate.Length(max=254),
                            metadata={"example": "an.nguyen@example.vn"})
    channels = ma.fields.List(ma.fields.Nested(ChannelChoiceSchema), validate=ma.validate.Length(max=50),
                              metadata={"example": [{"category": "dossier", "channel": "sms", "enabled": True}]})


class PushDeviceRegisterSchema(ma.Schema):
    token = ma.fields.String(required=True, validate=ma.validate.Length(min=8, max=512), metadata={
        "description": "The FCM registration token of this app installation",
        "example": "fGz3XkZ0Q2e9m1:APA91bH-example-token"})
    platform = ma.fields.String(required=True, validate=ma.validate.OneOf(("android", "ios", "web")),
                                metadata={"example": "android"})
    name = ma.fields.String(validate=ma.validate.Length(max=100), metadata={"example": "Samsung Galaxy A54"})


class PushDeviceSchema(ma.Schema):
    id = ma.fields.UUID(metadata={"example": "6f1c2f9e-0c1a-4a39-9d1e-5b7f0a1e2c3d"})
    platform = ma.fields.String(metadata={"example": "android"})
    name = ma.fields.String(allow_none=True, metadata={"example": "Samsung Galaxy A54"})
    token_hint = ma.fields.Function(lambda d: "…" + d.token[-8:], metadata={
        "description": "The last characters of the token", "example": "…le-token"})
    created_at = ma.fields.DateTime(metadata={"example": "2026-01-05T02:30:00+00:00"})
    last_seen_at = ma.fields.DateTime(allow_none=True, metadata={"example": "2026-01-05T02:30:00+00:00"})


class DeliveryReceiptSchema(ma.Schema):
    reference = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100), metadata={
        "description": "The provider's message id, or our idempotency key (the RequestId we sent)",
        "example": "d533459ee42b2b9525ba9eabf6a8156"})
    status = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=30),
                              metadata={"description": "The provider's status", "example": "DELIVRD"})
    detail = ma.fields.String(validate=ma.validate.Length(max=255), metadata={"example": "delivered to handset"})


class DeliveryReceiptResultSchema(ma.Schema):
    id = ma.fields.UUID(metadata={"example": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"})
    status = ma.fields.String(metadata={"example": "delivered"})
    changed = ma.fields.Boolean(metadata={
        "description": "False when the receipt was a repeat or came after a final status", "example": True})


class MessageArgsSchema(PageArgsSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES), metadata={"example": "permanent_failure"})
    channel = ma.fields.String(validate=ma.validate.OneOf(CHANNELS), metadata={"example": "sms"})
    event = ma.fields.String(validate=ma.validate.OneOf(EVENTS), metadata={"example": "otp_code"})
    account_id = ma.fields.UUID(metadata={"example": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"})


class MessageStatusSchema(ma.Schema):
    """A message's delivery state, for operators (no text, address masked)."""

    id = ma.fields.UUID(metadata={"example": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"})
    notification_id = ma.fields.UUID(allow_none=True, metadata={"example": "2c5f39cb-3fb2-12e3-994f-1127e4ddb538"})
    event = ma.fields.String(metadata={"example": "result_issued"})
    channel = ma.fields.String(metadata={"example": "sms"})
    address = ma.fields.Function(lambda m: _mask(m.address), metadata={"example": "091****678"})
    account_id = ma.fields.UUID(allow_none=True, metadata={"example": "3d6a4adc-4fc3-13f4-aa5f-2238f5eec649"})
    template_version = ma.fields.Integer(allow_none=True, metadata={"example": 1})
    priority = ma.fields.Integer(metadata={"example": 5})
    status = ma.fields.String(metadata={"example": "delivered"})
    attempts = ma.fields.Integer(metadata={"example": 1})
    last_error = ma.fields.String(allow_none=True, metadata={"example": None})
    provider = ma.fields.String(allow_none=True, metadata={"example": "brandname"})
    provider_ref = ma.fields.String(allow_none=True, metadata={"example": "d533459ee42b2b9525ba9eabf6a8156"})
    fallback_of = ma.fields.UUID(allow_none=True, metadata={"example": None})
    created_at = ma.fields.DateTime(metadata={"example": "2026-01-05T02:30:00+00:00"})
    next_attempt_at = ma.fields.DateTime(allow_none=True, metadata={"example": None})
    sent_at = ma.fields.DateTime(allow_none=True, metadata={"example": "2026-01-05T02:30:01+00:00"})
    finished_at = ma.fields.DateTime(allow_none=True, metadata={"example": "2026-01-05T02:30:04+00:00"})


MessagePageSchema = page_schema(MessageStatusSchema, "MessageStatusPage")


class DevMessageArgsSchema(ma.Schema):
    channel = ma.fields.String(validate=ma.validate.OneOf(("sms", "push", "email")), metadata={"example": "sms"})
    address = ma.fields.String(validate=ma.validate.Length(max=512), metadata={"example": "0912345678"})
    event = ma.fields.String(validate=ma.validate.Length(max=50), metadata={"example": "otp_code"})
    account_id = ma.fields.UUID(metadata={"example": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"})
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 500), metadata={"example": 50})


class DevMessageSchema(ma.Schema):
    id = ma.fields.UUID(metadata={"example": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"})
    message_id = ma.fields.UUID(metadata={"example": "2c5f39cb-3fb2-12e3-994f-1127e4ddb538"})
    channel = ma.fields.String(metadata={"example": "sms"})
    address = ma.fields.String(metadata={"example": "0912345678"})
    account_id = ma.fields.UUID(allow_none=True, metadata={"example": None})
    event = ma.fields.String(metadata={"example": "otp_code"})
    title = ma.fields.String(allow_none=True, metadata={"example": "Mã xác thực"})
    body = ma.fields.String(metadata={"example": "123456 la ma xac thuc dang nhap tren Smart Province."})
    received = ma.fields.Integer(metadata={
        "description": "How many times the channel got it (repeats are dropped, as a provider would)",
        "example": 1})
    created_at = ma.fields.DateTime(metadata={"example": "2026-01-05T02:30:00+00:00"})


class DevMessagesClearedSchema(ma.Schema):
    deleted = ma.fields.Integer(metadata={"example": 12})


def _mask(address: str | None) -> str | None:
    if not address:
        return address
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    if len(address) > 40:   # a push token
        return "…" + address[-8:]
    return mask_text(address)
