"""Queueing notifications. Every domain calls `notify` inside its own transaction.

`notify` only writes outbox rows; the worker delivers them later, so a message
exists if and only if the change that caused it was committed.

Fan-out happens here, at queue time: the account's choices, devices and
e-mail are read (one small indexed query) and one row is written per
channel and address, all in the caller's transaction. The in-app row is the
inbox entry itself and is delivered by the commit; the others wait for a
worker. Texts are rendered here too, so every row records the template
version it used and a missing value is caught before anything is sent.
"""
import logging
import uuid

from sqlalchemy import Uuid, bindparam, null, select, text

from app.common.clock import utcnow
from app.extensions import db
from app.notifications import routing, templates
from app.notifications.models import (
    CREATED, DELIVERED, HIGH, IN_APP, NORMAL, PERMANENT_FAILURE, PUSH, SMS, URGENT,
    NotificationProfile, OutboxMessage, PushDevice,
)
from app.notifications.rendering import MissingPlaceholders, unaccented
from app.notifications.settings import settings
from app.notifications.states import FAILED

log = logging.getLogger("app.notifications")
WAKE_CHANNEL = "notifications_outbox"   # PostgreSQL LISTEN/NOTIFY channel the workers listen on


# Who owns the accounts tells us their phone numbers: identity registers where they are
# (its accounts' id and phone columns) at start (app/identity/__init__.py). Notifications
# never imports identity; it only joins the registered columns, so a recipient's phone,
# profile and push devices come in one SELECT.
_phone_columns: tuple | None = None   # (account id column, phone column)


def register_phone_lookup(account_id_column, phone_column) -> None:
    """Account ids in `account_id_column` have their phone number in `phone_column` (same table)."""
    global _phone_columns, _recipient_statement
    _phone_columns = (account_id_column, phone_column)
    _recipient_statement = None


def _phone_of(account_id: uuid.UUID) -> str | None:
    if _phone_columns is None:
        return None
    key, phone = _phone_columns
    return db.session.scalar(select(phone).where(key == account_id))


def notify(event: str, *, account_id: uuid.UUID | None = None, phone: str | None = None,
           params: dict | None = None, channels: tuple[str, ...] | None = None,
           urgent: bool = False, sensitive: bool = False, locale: str | None = None) -> list[OutboxMessage]:
    """Queues the messages of one event for one recipient, in the caller's transaction.

    Give `account_id` for an account holder (inbox, push, e-mail, SMS by their
    choices), `phone` for an SMS to a number (OTP codes before an account
    exists; it also overrides the account's number). `channels` forces the
    channels; `locale` the language (the account's choice, else Vietnamese).
    Raises `UnknownEvent`, and `MissingPlaceholders` when NOTIFY_STRICT_TEMPLATES
    is on (development, tests); otherwise such messages are stored as failed.
    """
    template = templates.current(event)
    params = dict(params or {})
    recipient = load_recipient(account_id, phone)
    locale = locale if locale in templates.LOCALES else recipient.locale
    pairs = routing.plan(template, recipient, sensitive=sensitive, channels=channels)
    try:
        rendered, error = template.render(locale, params), None
    except MissingPlaceholders as missing:
        if settings().strict_templates:
            raise
        log.error("notification not sent: %s", missing)
        rendered, error = None, str(missing)[:255]
    now, notification_id = utcnow(), uuid.uuid4()
    priority = URGENT if urgent or template.urgent else HIGH if template.mandatory else NORMAL
    messages = []
    for channel, address in pairs:
        message = OutboxMessage(
            event=event, channel=channel, account_id=account_id, address=address, locale=locale,
            params=params, sensitive=sensitive, priority=priority, attempts=0,
            idempotency_key=uuid.uuid4().hex, notification_id=notification_id,
            template_version=template.version, status=CREATED, next_attempt_at=now,
            expires_at=now + template.ttl if template.ttl else None,
        )
        if rendered is None:
            _fail_unrendered(message, error, now)
        else:
            message.title, message.body = rendered.title, _body(channel, rendered, locale)
            if channel == IN_APP:
                _deliver_in_app(message, now)
        messages.append(message)
    db.session.add_all(messages)
    if any(m.status == CREATED for m in messages):
        _wake_workers()
    return messages


def load_recipient(account_id: uuid.UUID | None, phone: str | None) -> routing.Recipient:
    """Who the account is for routing: phone, e-mail, devices, choices, language."""
    if account_id is None:
        return routing.Recipient(phone=phone)
    rows = db.session.execute(_recipient_query(), {"account_id": account_id}).all()
    profile = rows[0] if rows and rows[0].locale is not None else None
    return routing.Recipient(
        account_id=account_id, phone=phone or (rows[0].phone if rows else None),
        email=profile.email if profile else None,
        push_tokens=tuple(row.token for row in rows if row.token is not None),
        choices=dict(profile.choices or {}) if profile else {},
        locale=profile.locale if profile else "vi",
    )


_recipient_statement = None


def _recipient_query():
    """The phone, profile and every push token of one account in one round trip (any may be missing).

    Built once (its joins cost more to build and key for the cache than to run); `:account_id`.
    """
    global _recipient_statement
    if _recipient_statement is None:
        wanted = select(bindparam("account_id", type_=Uuid).label("account_id")).subquery()
        phone = _phone_columns[1] if _phone_columns else null()
        query = (select(phone.label("phone"), NotificationProfile.locale, NotificationProfile.email,
                        NotificationProfile.choices, PushDevice.token)
                 .select_from(wanted))
        if _phone_columns:
            query = query.outerjoin(_phone_columns[0].table, _phone_columns[0] == wanted.c.account_id)
        _recipient_statement = (query
                                .outerjoin(NotificationProfile, NotificationProfile.account_id == wanted.c.account_id)
                                .outerjoin(PushDevice, PushDevice.account_id == wanted.c.account_id)
                                .order_by(PushDevice.created_at))
    return _recipient_statement


def _body(channel: str, rendered: templates.Rendered, locale: str) -> str:
    if channel != SMS:
        return rendered.body
    if locale == "vi" and settings().sms_unaccented:
        return unaccented(rendered.sms)
    return rendered.sms


def _deliver_in_app(message: OutboxMessage, now) -> None:
    """The inbox is ours: committing the row is delivering it."""
    message.status, message.provider = DELIVERED, "inbox"
    message.sent_at = message.finished_at = now
    message.next_attempt_at = None


def _fail_unrendered(message: OutboxMessage, error: str, now) -> None:
    message.status, message.last_error = PERMANENT_FAILURE, error
    message.finished_at, message.next_attempt_at = now, None


def _wake_workers() -> None:
    """On PostgreSQL, tell listening workers at commit (NOTIFY is transactional)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"NOTIFY {WAKE_CHANNEL}"))


def queue_sms_fallback(push: OutboxMessage) -> OutboxMessage | None:
    """After a push message failed for good: the same message by SMS, if it matters.

    Only when every push of the notification failed and no SMS was queued for
    it yet. The caller holds the locks on the notification's push rows.
    """
    template = templates.version(push.event, push.template_version or 1)
    if not template.important or push.notification_id is None or push.account_id is None:
        return None
    siblings = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.notification_id == push.notification_id, OutboxMessage.id != push.id,
        OutboxMessage.channel.in_((PUSH, SMS)))).all()
    if any(s.channel == SMS or s.status not in FAILED for s in siblings):
        return None
    phone = _phone_of(push.account_id)
    if not phone:
        return None
    rendered = template.render(push.locale, push.params or {})
    now = utcnow()
    sms = OutboxMessage(
        event=push.event, channel=SMS, account_id=push.account_id, address=phone,
        locale=push.locale, params=dict(push.params or {}), sensitive=push.sensitive,
        priority=push.priority, attempts=0, status=CREATED, next_attempt_at=now,
        idempotency_key=f"fallback-{push.notification_id.hex}", notification_id=push.notification_id,
        template_version=template.version, title=rendered.title, body=_body(SMS, rendered, push.locale),
        fallback_of=push.id,
    )
    db.session.add(sms)
    return sms
