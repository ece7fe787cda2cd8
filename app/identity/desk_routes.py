"""The desk side of level 2 (staff API): activation codes, re-proofing, lost phones.

Officers (provincial police, commune one-stop desks) act at level 2 within
their scope; community helpers may only open a re-proofing request or report a
lost phone, with the resident present and consenting. Thin: the rules are in
in_person.py and lost_device.py.
"""
from flask.views import MethodView
from flask_smorest import Blueprint

from app.common.api import ErrorSchema
from app.common.auth import current_principal, require_level, require_role
from app.identity import in_person, lost_device
from app.common.roles import ASSISTANT, OFFICER
from app.identity.schemas import (
    DeskCitizenArgs, DeskReproofingArgs, DeskVerificationArgs, EidDeviceSchema, HelperArgs, InPersonCodeSchema,
    ReproofingRequestSchema,
)

blp = Blueprint("identity_desk", __name__, description="E-ID level 2 at the desk: activation, re-proofing, lost phones")


def refusals(*pairs):
    def decorator(view):
        for status, description in reversed(pairs):
            view = blp.alt_response(status, schema=ErrorSchema, description=description)(view)
        return view
    return decorator


SCOPE = (403, "Not an officer at level 2, or the citizen lives outside the officer's scope (`out_of_scope`)")
NO_CITIZEN = (404, "No living citizen or e-ID account for this personal id")
BAD_INPUT = (422, "A field is missing or not valid")
VERIFY = (422, "The in-person identity check failed (`identity_verification_failed`), or a field is not valid")


@blp.route("/desk/activations")
class DeskActivations(MethodView):
    @require_role(OFFICER)
    @require_level(2)
    @blp.arguments(DeskCitizenArgs)
    @blp.response(201, InPersonCodeSchema)
    @refusals(SCOPE, NO_CITIZEN, BAD_INPUT)
    def post(self, args):
        """Issue an in-person activation code (officer, after the biometric enrolment)

        Valid at most 7 days, single use; earlier open activation codes of the
        citizen stop working. Hand it over: it is never sent by SMS.
        """
        return in_person.issue_activation(current_principal(), args["personal_id"])


@blp.route("/desk/reproofings")
class DeskReproofings(MethodView):
    @require_role(OFFICER)
    @require_level(2)
    @blp.arguments(DeskReproofingArgs)
    @blp.response(201, InPersonCodeSchema)
    @refusals(SCOPE, (404, "No account, or no open request with this id"), VERIFY)
    def post(self, args):
        """Re-proof a citizen in person (officer): a short single-use code for a new phone

        The check goes through the configured `IdentityVerifier` (chip-card
        read or face match) and into the audit log.
        """
        return in_person.authorise_reproofing(current_principal(), args["personal_id"], method=args["method"],
                                              evidence=args["evidence"], request_id=args["request_id"])


@blp.route("/desk/lost-devices")
class DeskLostDevices(MethodView):
    @require_role(OFFICER)
    @require_level(2)
    @blp.arguments(DeskVerificationArgs)
    @blp.response(200, EidDeviceSchema)
    @refusals(SCOPE, (404, "No account or no bound device"), VERIFY)
    def post(self, args):
        """Freeze a citizen's lost phone at the desk (officer, after an in-person check)"""
        return lost_device.report_at_desk(current_principal(), args["personal_id"], method=args["method"],
                                          evidence=args["evidence"])


@blp.route("/assist/reproofing-requests")
class HelperReproofingRequests(MethodView):
    @require_role(ASSISTANT)
    @blp.arguments(HelperArgs)
    @blp.response(201, ReproofingRequestSchema)
    @refusals((403, "Not a community helper, or the resident lives outside the helper's commune"),
              NO_CITIZEN, (422, "No consent, or a field is not valid"))
    def post(self, args):
        """Open a re-proofing request (community helper, resident present and consenting)

        Only an officer authorises it (`POST /desk/reproofings` with `request_id`).
        """
        return in_person.start_reproofing_request(current_principal(), args["personal_id"],
                                                  consent=args["resident_consent"])


@blp.route("/assist/lost-devices")
class HelperLostDevices(MethodView):
    @require_role(ASSISTANT)
    @blp.arguments(HelperArgs)
    @blp.response(200, EidDeviceSchema)
    @refusals((403, "Not a community helper, or the resident lives outside the helper's commune"),
              (404, "No account or no bound device"), (422, "No consent, or a field is not valid"))
    def post(self, args):
        """Report a resident's phone lost (community helper, resident present and consenting)"""
        return lost_device.report_by_helper(current_principal(), args["personal_id"],
                                            consent=args["resident_consent"])
