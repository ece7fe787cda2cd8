"""Development only: read back the SMS the app queued, to walk through flows by hand.

Registered only when `DEV_ENDPOINTS` is true (development and testing); a
production app has no such route. It reads the notifications outbox, where
OTP codes wait for the SMS worker.
"""
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from app.common.api import ErrorSchema
from app.extensions import db
from app.identity.accounts import normalize_phone
from app.identity.schemas import DevSmsSchema, SmsQueryArgs
from app.notifications.models import SMS, OutboxMessage

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
        return list(db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == SMS, OutboxMessage.address == normalize_phone(args["phone"]))
            .order_by(OutboxMessage.created_at.desc()).limit(args["limit"])))
