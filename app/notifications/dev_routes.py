"""Development only: read back every message the mock channels "sent".

Registered only when DEV_ENDPOINTS is true (development and tests); a
production app has no such route, and production refuses mock channels.
"""
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import delete, select

from app.common.api import ErrorSchema
from app.extensions import db
from app.notifications.models import MockDelivery
from app.notifications.schemas import DevMessagesClearedSchema, DevMessageArgsSchema, DevMessageSchema

blp = Blueprint("dev_messages", __name__, description="Development only (absent in production)")


@blp.route("/messages")
class DevMessages(MethodView):
    @blp.arguments(DevMessageArgsSchema, location="query")
    @blp.response(200, DevMessageSchema(many=True))
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid filter")
    def get(self, args):
        """Development only: messages sent by the mock SMS, push and e-mail channels

        Newest first, with their full text (OTP codes included). Filter by
        `channel`, `address` (phone, e-mail or push token), `event` or `account_id`.
        The worker must be running (`scripts/run.sh` starts it).
        """
        statement = select(MockDelivery)
        for name in ("channel", "address", "event", "account_id"):
            if args.get(name) is not None:
                statement = statement.where(getattr(MockDelivery, name) == args[name])
        return list(db.session.scalars(
            statement.order_by(MockDelivery.created_at.desc(), MockDelivery.id.desc()).limit(args["limit"])))

    @blp.response(200, DevMessagesClearedSchema)
    def delete(self):
        """Development only: forget every message the mock channels sent"""
        deleted = db.session.execute(delete(MockDelivery)).rowcount
        db.session.commit()
        return {"deleted": deleted}
