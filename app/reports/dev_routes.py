"""Development only: the demo's values for trying citizen reports and Open311 by hand.

Registered only when DEV_ENDPOINTS is true (development and tests); a
production app has no such route.
"""
import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from app.reports import seed
from app.reports.settings import settings

blp = Blueprint("dev_reports", __name__, description="Development only (absent in production)")


class ReportsDemoSchema(ma.Schema):
    open311_api_key = ma.fields.String(metadata={"example": seed.DEV_API_KEY})
    partner = ma.fields.String()
    password = ma.fields.String(metadata={"description": "Of every demo log-in"})
    logins = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(allow_none=True))
    totp_secrets = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    place = ma.fields.Dict(allow_none=True, metadata={"description": "A place in the demo officer's commune"})


@blp.route("/reports-demo")
class ReportsDemo(MethodView):
    @blp.response(200, ReportsDemoSchema)
    def get(self):
        """Development only: the Open311 key of the demo partner app, the demo log-ins, a place to report"""
        return seed.demo_facts(settings().province_code)
