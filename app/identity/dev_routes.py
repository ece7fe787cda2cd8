"""Development only: read back the SMS the app queued, to walk through flows by hand.

Registered only when `DEV_ENDPOINTS` is true (development and testing); a
production app has no such route. It reads the notifications outbox, where
OTP codes wait for the SMS worker, and the text the mock SMS channel sent once
the worker has delivered them (their codes are then erased from the outbox).
"""
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from app.common.api import ErrorSchema
from app.extensions import db
from app.identity.accounts import normalize_phone
from app.identity.schemas import DevSmsSchema, SmsQueryArgs
from app.notifications.models import SMS, MockDelivery, OutboxMessage

blp = Blueprint("dev_sms", __name__, description="Development only (absent in production)")


@blp.route("/sms")
class DevSms(MethodView):
    @blp.arguments(SmsQueryArgs, location="query")
    @blp.response(200, DevSmsSchema(many=True))
    @blp.alt_response(422, schema=ErrorSchema, description="The phone is missing or not valid")
    def get(self, args):
        """Development only: the latest SMS queued for a phone, with their codes

        Not available in production. Use it to read the OTP when trying the
        registration and login flows by hand.
        """
        rows = list(db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == SMS, OutboxMessage.address == normalize_phone(args["phone"]))
            .order_by(OutboxMessage.created_at.desc()).limit(args["limit"])))
        return [_with_sent_text(row) for row in rows]


def _with_sent_text(row: OutboxMessage) -> dict:
    """Once the worker sent an OTP its code is erased from the outbox row; the mock
    SMS channel kept the text as sent, so show that instead."""
    sent = db.session.scalar(select(MockDelivery.body).where(MockDelivery.message_id == row.id))
    return {"id": row.id, "created_at": row.created_at, "event": row.event, "address": row.address,
            "params": row.params, "status": row.status, "body": sent or row.body}
