"""Service quality: ratings, complaints, apologies, stalled dossiers and the Decision 766 index."""
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from app.common.api import ErrorSchema
from app.common.auth import current_principal, require_role
from app.common.delegable import SUBMIT_DOSSIER, delegable
from app.common.idempotency import idempotent
from app.quality import apologies, complaints, figures, present, service
from app.quality.schemas import (
    ApologyInSchema, ApologySchema, ComplaintActionSchema, ComplaintEntrySchema, ComplaintInSchema,
    ComplaintListArgsSchema, ComplaintPageSchema, ComplaintSchema, ComplaintsSummarySchema, CostPageSchema,
    DrillArgsSchema, EarlyWarningSchema, IndexSchema, OpenPageSchema, PeriodArgsSchema, RatingInSchema,
    RatingOptionsSchema, RatingSchema, RatingsSummarySchema, ScopeArgsSchema, ScopePageArgsSchema, rating_options,
)
from app.quality.settings import settings
from app.common.roles import ADMIN, APPROVER, CITIZEN, LEADER, OFFICER

blp = Blueprint("quality", __name__, description="Service quality: ratings, complaints, apologies, Decision 766 index")
STAFF = (OFFICER, APPROVER, LEADER, ADMIN)


def _account():
    return current_principal().account_id


def _errors(*pairs):
    def decorator(view):
        for status, description in reversed(pairs):
            view = blp.alt_response(status, schema=ErrorSchema, description=description)(view)
        return view
    return decorator


SCOPE = (403, "Outside your agency (`out_of_scope`)")
PERIOD = (422, "Bad period (`period_not_valid`) or missing scope_id (`scope_id_required`)")


@blp.route("/options")
class Options(MethodView):
    @blp.response(200, RatingOptionsSchema)
    def get(self):
        """Rating verdicts and reasons, the rating window, and the return / supplement reason codes"""
        return rating_options(settings())


@blp.route("/dossiers/<uuid:dossier_id>/rating")
class DossierRating(MethodView):
    @require_role(CITIZEN)
    @blp.arguments(RatingInSchema)
    @idempotent("quality-rating", owner=_account)
    @blp.response(201, RatingSchema)
    @_errors((404, "No such dossier, or not yours"),
             (409, "Not finished (`dossier_not_finished`), window closed (`rating_window_closed`), "
                   "or already rated (`already_rated`)"))
    def post(self, args, dossier_id):
        """Rate a finished dossier (once, within the window)"""
        return service.rate_dossier(current_principal(), dossier_id, args)


@blp.route("/complaints")
class Complaints(MethodView):
    @require_role(CITIZEN, *STAFF)
    @blp.arguments(ComplaintListArgsSchema, location="query")
    @blp.response(200, ComplaintPageSchema)
    def get(self, args):
        """List complaints: a citizen's own, an officer's agency's, all for province leaders"""
        principal = current_principal()
        return present.complaint_page(complaints.list_complaints(principal, **args), principal)

    @delegable(SUBMIT_DOSSIER, act="complaint_filed", target="complaint")
    @require_role(CITIZEN)
    @blp.arguments(ComplaintInSchema)
    @idempotent("quality-complaint", owner=_account)
    @blp.response(201, ComplaintSchema)
    @_errors((403, "A helper without the resident's consent (`delegation_scope`)"),
             (422, "Neither or both of dossier_id and procedure_code, or not yours (`complaint_target`), "
                   "unknown procedure (`unknown_procedure`)"))
    def post(self, args):
        """File a complaint or petition about a dossier or a procedure

        Routed to the dossier's agency (or the procedure's competent agency for the commune).
        Deadlines: answer within 15 working days, refusal within 2, request for information within 5.
        """
        return service.file_complaint(current_principal(), args)


@blp.route("/complaints/<uuid:complaint_id>")
class ComplaintById(MethodView):
    @require_role(CITIZEN, *STAFF)
    @blp.response(200, ComplaintSchema)
    @_errors((404, "No such complaint, or not yours"), SCOPE)
    def get(self, complaint_id):
        """One complaint"""
        principal = current_principal()
        return present.complaint_view(complaints.get_complaint(principal, complaint_id), principal)


@blp.route("/complaints/<uuid:complaint_id>/transitions")
class ComplaintTransitions(MethodView):
    @require_role(CITIZEN, OFFICER, APPROVER)
    @blp.arguments(ComplaintActionSchema)
    @idempotent("quality-complaint-transition", owner=_account)
    @blp.response(200, ComplaintSchema)
    @_errors((404, "No such complaint, or not yours"), (403, "Role or agency does not allow it"),
             (409, "Not possible in the current state (`transition_not_allowed`)"),
             (422, "A text is required (`note_required`)"))
    def post(self, args, complaint_id):
        """Move a complaint: officers accept, refuse, request_info, answer; citizens provide_info, withdraw"""
        return service.act_on_complaint(current_principal(), complaint_id, args["action"], args.get("note"))


@blp.route("/complaints/<uuid:complaint_id>/timeline")
class ComplaintTimeline(MethodView):
    @require_role(CITIZEN, *STAFF)
    @blp.response(200, ComplaintEntrySchema(many=True))
    @_errors((404, "No such complaint, or not yours"), SCOPE)
    def get(self, complaint_id):
        """The complaint's timeline, oldest first"""
        return complaints.timeline(current_principal(), complaint_id)


@blp.route("/dossiers/<uuid:dossier_id>/apology")
class DossierApology(MethodView):
    @require_role(OFFICER, APPROVER)
    @blp.arguments(ApologyInSchema)
    @idempotent("quality-apology", owner=_account)
    @blp.response(201, ApologySchema)
    @_errors((404, "No such dossier"), (403, "Not the assigned officer or a leader of the agency"),
             (409, "The dossier is finished (`transition_not_allowed`)"),
             (422, "The new date must be after the due date and today (`new_date_not_valid`)"))
    def post(self, args, dossier_id):
        """Apologise for a late dossier with a new date (letter as PDF; the citizen is notified)"""
        return service.issue_apology(current_principal(), dossier_id, args["new_date"], args["reason"])

    @require_role(CITIZEN, *STAFF)
    @blp.response(200, ApologySchema(many=True))
    @_errors((404, "Not a dossier id"))
    def get(self, dossier_id):
        """The dossier's apologies, oldest first (its citizen; staff of its agency)"""
        return [present.apology_view(a) for a in apologies.dossier_apologies(current_principal(), dossier_id)]


@blp.route("/apologies/<uuid:apology_id>/letter.pdf")
class ApologyLetter(MethodView):
    @require_role(CITIZEN, *STAFF)
    @blp.response(200, {"format": "binary", "type": "string"}, content_type="application/pdf")
    @_errors((404, "No such apology, or not yours"), SCOPE)
    def get(self, apology_id):
        """The letter of apology (PDF, Vietnamese)"""
        apology = apologies.get_apology(current_principal(), apology_id)
        return Response(apologies.render_letter(apology), mimetype="application/pdf", headers={
            "Content-Disposition": f'inline; filename="xin-loi-{apology.receipt_code}.pdf"'})


@blp.route("/index")
class Index(MethodView):
    @require_role(*STAFF)
    @blp.arguments(PeriodArgsSchema, location="query")
    @blp.response(200, IndexSchema)
    @_errors(SCOPE, PERIOD)
    def get(self, args):
        """The Decision 766 index for a period and scope: formula, value, points, what is not held"""
        return service.index(current_principal(), args)


@blp.route("/index/<string:indicator>/dossiers")
class IndicatorDrillDown(MethodView):
    @require_role(*STAFF)
    @blp.arguments(DrillArgsSchema, location="query")
    @blp.response(200, CostPageSchema)
    @_errors((404, "No such indicator with a drill-down (`indicator_not_found`)"), SCOPE, PERIOD)
    def get(self, args, indicator):
        """The dossiers (or complaints) of the period that cost the indicator points"""
        return service.drill_down(current_principal(), indicator, args)


@blp.route("/index/<string:indicator>/dossiers.csv")
class IndicatorDrillDownCsv(MethodView):
    @require_role(*STAFF)
    @blp.arguments(PeriodArgsSchema, location="query")
    @blp.response(200, {"format": "binary", "type": "string"}, content_type="text/csv")
    @_errors((404, "No such indicator with a drill-down (`indicator_not_found`)"), SCOPE, PERIOD)
    def get(self, args, indicator):
        """The same drill-down as CSV"""
        body = service.drill_down_csv(current_principal(), indicator, args)
        return Response(body, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="766-{indicator}.csv"'})


@blp.route("/early-warning")
class EarlyWarning(MethodView):
    @require_role(*STAFF)
    @blp.arguments(ScopeArgsSchema, location="query")
    @blp.response(200, EarlyWarningSchema)
    @_errors(SCOPE, PERIOD)
    def get(self, args):
        """The month's projected on-time rate from the dossiers in progress"""
        return figures.early_warning(current_principal(), **args)


@blp.route("/soon-late")
class SoonLate(MethodView):
    @require_role(*STAFF)
    @blp.arguments(ScopePageArgsSchema, location="query")
    @blp.response(200, OpenPageSchema)
    @_errors(SCOPE, PERIOD)
    def get(self, args):
        """Dossiers in progress due by the end of this week: late if nothing moves"""
        return figures.soon_late(current_principal(), **args)


@blp.route("/stalled")
class Stalled(MethodView):
    @require_role(*STAFF)
    @blp.arguments(ScopePageArgsSchema, location="query")
    @blp.response(200, OpenPageSchema)
    @_errors(SCOPE, PERIOD)
    def get(self, args):
        """Dossiers flagged by the stall detector: where and for how long (working hours)"""
        return figures.stalled(current_principal(), **args)


@blp.route("/ratings/summary")
class RatingsSummary(MethodView):
    @require_role(*STAFF)
    @blp.arguments(PeriodArgsSchema, location="query")
    @blp.response(200, RatingsSummarySchema)
    @_errors(SCOPE, PERIOD)
    def get(self, args):
        """Ratings by verdict and reason, average score: counts only, never who rated what"""
        return service.ratings_summary(current_principal(), args)


@blp.route("/complaints/summary")
class ComplaintsSummary(MethodView):
    @require_role(*STAFF)
    @blp.arguments(PeriodArgsSchema, location="query")
    @blp.response(200, ComplaintsSummarySchema)
    @_errors(SCOPE, PERIOD)
    def get(self, args):
        """Complaints closed, on time, open and overdue"""
        return service.complaints_summary(current_principal(), args)
