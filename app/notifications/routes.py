"""Notifications over HTTP: inbox, preferences, push devices, provider receipts, operators' view."""
from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from app.common.api import ErrorSchema
from app.common.auth import current_principal, require_auth, require_role
from app.common.database import reads_only
from app.common.pagination import paginate
from app.errors import N_
from app.extensions import db
from app.common.roles import ADMIN
from app.notifications import delivery_receipts, inbox, preferences, present
from app.notifications.errors import MessageNotFound
from app.notifications.models import OutboxMessage
from app.notifications.schemas import (
    PushDeviceRegisterSchema, PushDeviceSchema, InboxArgsSchema, InboxItemSchema, InboxPageSchema, InboxMarkedSchema,
    MessageArgsSchema, MessagePageSchema, MessageStatusSchema, NotificationPreferencesSchema, NotificationPreferencesUpdateSchema,
    DeliveryReceiptResultSchema, DeliveryReceiptSchema, InboxUnreadCountSchema,
)

blp = Blueprint("notifications", __name__,
                description="In-app inbox, notification preferences, push devices, delivery receipts")


# --- inbox ------------------------------------------------------------------

@blp.route("/inbox")
class Inbox(MethodView):
    @reads_only
    @require_auth
    @blp.arguments(InboxArgsSchema, location="query")
    @blp.response(200, InboxPageSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid cursor or limit")
    def get(self, args):
        """List my in-app messages, newest first"""
        return present.inbox_page_json(inbox.list_inbox(current_principal().account_id, cursor=args["cursor"],
                                                        limit=args["limit"], unread_only=args["unread"]))


@blp.route("/inbox/unread-count")
class UnreadCount(MethodView):
    @reads_only
    @require_auth
    @blp.response(200, InboxUnreadCountSchema)
    def get(self):
        """Count my unread in-app messages (the badge)"""
        return present.unread_count_json(inbox.unread_count(current_principal().account_id))


@blp.route("/inbox/<uuid:message_id>/read")
class MarkRead(MethodView):
    @require_auth
    @blp.response(200, InboxItemSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Not a message of my inbox (`message_not_found`)")
    def post(self, message_id):
        """Mark one message read"""
        return inbox.mark_read(current_principal().account_id, message_id)


@blp.route("/inbox/read-all")
class MarkAllRead(MethodView):
    @require_auth
    @blp.response(200, InboxMarkedSchema)
    def post(self):
        """Mark every message of my inbox read"""
        return {"marked": inbox.mark_all_read(current_principal().account_id)}


# --- preferences and devices --------------------------------------------------

@blp.route("/preferences")
class Preferences(MethodView):
    @require_auth
    @blp.response(200, NotificationPreferencesSchema)
    def get(self):
        """Read my language, e-mail and channel choices"""
        return preferences.preferences_view(preferences.get_profile(current_principal().account_id))

    @require_auth
    @blp.arguments(NotificationPreferencesUpdateSchema)
    @blp.response(200, NotificationPreferencesSchema)
    @blp.alt_response(422, schema=ErrorSchema,
                      description="Invalid value, or switching off what cannot be (`preference_locked`)")
    def patch(self, changes):
        """Change my language, e-mail or channel choices

        Channels are chosen per category (`dossier`, `payment`, `assistance`).
        `security` and `otp` messages and the in-app inbox cannot be switched off.
        `email: null` removes the address.
        """
        profile = preferences.update_preferences(current_principal().account_id, **changes)
        return preferences.preferences_view(profile)


@blp.route("/devices")
class Devices(MethodView):
    @require_auth
    @blp.response(200, PushDeviceSchema(many=True))
    def get(self):
        """List my devices registered for push messages"""
        return preferences.list_devices(current_principal().account_id)

    @require_auth
    @blp.arguments(PushDeviceRegisterSchema)
    @blp.response(201, PushDeviceSchema)
    @blp.alt_response(200, schema=PushDeviceSchema, description="This token was registered already")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid token or platform")
    def post(self, data):
        """Register this app installation's push token (FCM)"""
        device, created = preferences.register_device(current_principal().account_id, **data)
        return device, 201 if created else 200


@blp.route("/devices/<uuid:device_id>")
class DeviceById(MethodView):
    @require_auth
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="Not a device of mine (`device_not_found`)")
    def delete(self, device_id):
        """Remove a push token (log-out, or the app was uninstalled)"""
        preferences.remove_device(current_principal().account_id, device_id)


# --- provider receipts ----------------------------------------------------------

@blp.route("/receipts/<string:provider>")
class Receipts(MethodView):
    @blp.arguments(DeliveryReceiptSchema)
    @blp.response(200, DeliveryReceiptResultSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Missing or wrong `X-Signature` (`invalid_callback_signature`)")
    @blp.alt_response(404, schema=ErrorSchema,
                      description="Unknown provider (`unknown_provider`) or reference (`unknown_message`)")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid body or unknown status")
    def post(self, receipt, provider):
        """Delivery receipt from an SMS provider (signed callback)

        `X-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with the shared
        secret. Idempotent; statuses only move forward, so a repeated or late
        receipt is answered 200 with `changed: false`.
        """
        delivery_receipts.verify_signature(request.get_data(), request.headers.get("X-Signature"),
                                  current_app.config["NOTIFY_CALLBACK_SECRET"])
        message, changed = delivery_receipts.apply_receipt(provider, receipt["reference"], receipt["status"],
                                                  receipt.get("detail"))
        return {"id": message.id, "status": message.status, "changed": changed}


# --- operators ------------------------------------------------------------------

@blp.route("/messages")
class Messages(MethodView):
    @require_role(ADMIN)
    @blp.arguments(MessageArgsSchema, location="query")
    @blp.response(200, MessagePageSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid filter or cursor")
    def get(self, args):
        """List messages and their delivery state (admin), newest first"""
        statement = select(OutboxMessage)
        for name in ("status", "channel", "event", "account_id"):
            if args.get(name) is not None:
                statement = statement.where(getattr(OutboxMessage, name) == args[name])
        return paginate(db.session, statement, OutboxMessage, cursor=args["cursor"], limit=args["limit"])


@blp.route("/messages/<uuid:message_id>")
class MessageById(MethodView):
    @require_role(ADMIN)
    @blp.response(200, MessageStatusSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such message")
    def get(self, message_id):
        """Read one message's delivery state (admin)"""
        message = db.session.get(OutboxMessage, message_id)
        if message is None:
            raise MessageNotFound(N_("No message has this id."))
        return message
