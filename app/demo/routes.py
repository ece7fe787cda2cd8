"""Development only: the demo as JSON or shell variables, and tokens for demo accounts."""
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from app.common.api import ErrorSchema
from app.demo import facts, service
from app.demo.schemas import DemoSchema, DevTokenArgs, DevTokensSchema
from app.demo.settings import settings

blp = Blueprint("dev_demo", __name__, description="Development only (absent in production)")


@blp.route("/demo")
class Demo(MethodView):
    @blp.response(200, DemoSchema)
    def get(self):
        """Development only: the demo accounts, dossiers and links

        Who to log in as (every role), a citizen ready to register, a resident
        for a team visit, the demo dossiers by state, a payable dossier and a
        result's verification code. Read from the database on every call.
        """
        return facts.demo_facts(settings().public_url, settings().province_code)


@blp.route("/demo/env")
class DemoEnv(MethodView):
    @blp.response(200, description="`export NAME='value'` lines for a POSIX shell",
                  content_type="text/plain")
    def get(self):
        """Development only: the demo as shell variables (`eval "$(curl -fsS .../dev/demo/env)"`)"""
        found = facts.demo_facts(settings().public_url, settings().province_code)
        return Response(facts.shell_exports(found), mimetype="text/plain")


@blp.route("/tokens")
class DevTokens(MethodView):
    @blp.arguments(DevTokenArgs)
    @blp.response(201, DevTokensSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No active account has this login")
    def post(self, args):
        """Development only: a session for any active account, without password or second factor

        Staff get level 2, citizens their account's level. For trying the API
        from these docs: log in as `demo.officer`, `demo.leader`... at once.
        """
        return service.development_tokens(args["login"])

