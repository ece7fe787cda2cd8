"""Citizen reports: filing, "me too", triage, handling, the reporter's rating, the public feed."""
from flask.views import MethodView

from app.common.api import ErrorSchema
from app.common.auth import current_principal, optional_principal, require_level, require_role
from app.common.delegable import FILE_REPORT, delegable
from app.common.idempotency import idempotent
from app.common.pagination import PageArgsSchema
from app.dossiers.multipart import Blueprint
from app.common.roles import ADMIN, APPROVER, CITIZEN, DISPATCHER, LEADER, OFFICER
from app.reports import api_clients, figures, present, service, views
from app.reports.schemas import (
    ActionSchema, ApiClientCreateSchema, ApiClientSchema, CategorySchema, CategoryUpdateSchema,
    FeatureCollectionSchema, FeedQuerySchema, FiguresSchema, MapSchema, OverdueSchema, PeriodArgsSchema, FiledSchema, FileReportSchema, HideSchema, InboxQuerySchema,
    MergeSchema, NearbyQuerySchema, PhotoSchema, ReportRatingSchema, ReopenSchema, ReportPageSchema, ReportSchema,
    ResolveSchema,
)

blp = Blueprint("reports", __name__, description="Citizen reports (phản ánh hiện trường)")
STAFF = (OFFICER, APPROVER, DISPATCHER, ADMIN, LEADER)


def _account():
    return current_principal().account_id


def _errors(*pairs):
    def decorator(view):
        for status, description in reversed(pairs):
            view = blp.alt_response(status, schema=ErrorSchema, description=description)(view)
        return view
    return decorator


NOT_FOUND = (404, "No such report, or not visible to you")
INVALID = (422, "A field is missing or not valid (one error per field)")
CONFLICT = (409, "Not possible in the report's current state, or changed meanwhile (`concurrent_change`)")
SCOPE = (403, "Your role may not, or the report is outside your agency or commune")


@blp.route("/categories")
class Categories(MethodView):
    @delegable(FILE_REPORT)
    @blp.response(200, CategorySchema(many=True))
    def get(self):
        """The report categories (public)"""
        return service.categories()


@blp.route("/categories/<string:code>")
class Category(MethodView):
    @require_role(ADMIN)
    @blp.arguments(CategoryUpdateSchema)
    @blp.response(200, CategorySchema)
    @_errors((404, "No such category"), INVALID)
    def patch(self, args, code):
        """Edit a category (admin): deadline, public flag, photo rule, responsible agencies"""
        return service.update_category(code, args)


@blp.route("")
class Reports(MethodView):
    @require_role(CITIZEN)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, ReportPageSchema)
    @_errors(INVALID)
    def get(self, args):
        """My reports, newest first"""
        return views.page(service.my_reports(current_principal(), **args), present.REPORTER)

    @delegable(FILE_REPORT, act="report_filed", target="report")
    @require_role(CITIZEN)
    @require_level(1)
    @blp.arguments(FileReportSchema, location="multipart")
    @idempotent("report-file", owner=_account)
    @blp.response(201, FiledSchema)
    @_errors(INVALID, (409, "A request with this Idempotency-Key is still running"),
             (429, "Daily limit per account or per place reached"))
    def post(self, args):
        """File a report: category, description, place, up to 5 photos (multipart)

        The commune is derived from the place when not given; the report is routed
        at once to the competent agency. `likely_duplicates` lists open reports of
        the same category nearby, which the citizen may join instead ("me too").
        """
        return views.filed(service.file_report(current_principal(), args, views.files_of(args)), current_principal())


@blp.route("/nearby")
class Nearby(MethodView):
    @delegable(FILE_REPORT)
    @blp.arguments(NearbyQuerySchema, location="query")
    @blp.response(200, ReportSchema(many=True))
    @_errors(INVALID)
    def get(self, args):
        """Likely duplicates before filing: open reports of the category within the radius"""
        return views.listing(service.nearby(args["category"], args["latitude"], args["longitude"]))


@blp.route("/feed")
class Feed(MethodView):
    @blp.arguments(FeedQuerySchema, location="query")
    @blp.response(200, FeatureCollectionSchema)
    @_errors(INVALID)
    def get(self, args):
        """Published reports as a GeoJSON FeatureCollection (public), newest first, paginated"""
        return views.geojson(service.public_feed(**args))


@blp.route("/inbox")
class Inbox(MethodView):
    @require_role(*STAFF)
    @blp.arguments(InboxQuerySchema, location="query")
    @blp.response(200, ReportPageSchema)
    @_errors(INVALID)
    def get(self, args):
        """Officers: their agency's reports; dispatcher and leaders: the province's"""
        return views.page(service.inbox(current_principal(), **args), present.STAFF)


@blp.route("/figures")
class Figures(MethodView):
    @require_role(LEADER, ADMIN, DISPATCHER)
    @blp.arguments(PeriodArgsSchema, location="query")
    @blp.response(200, FiguresSchema)
    @_errors(INVALID)
    def get(self, args):
        """IOC figures for a period: by category, status, commune, agency; on time, resolution days, satisfaction"""
        return figures.report_figures(figures.Period.of(args.get("since"), args.get("until")))


@blp.route("/figures/overdue")
class Overdue(MethodView):
    @require_role(LEADER, ADMIN, DISPATCHER)
    @blp.response(200, OverdueSchema(many=True))
    def get(self):
        """Open reports past their due date, most overdue first (at most 100; the CSV has them all)"""
        return figures.overdue()


@blp.route("/figures/map")
class MapLayer(MethodView):
    @require_role(LEADER, ADMIN, DISPATCHER)
    @blp.arguments(PeriodArgsSchema, location="query")
    @blp.response(200, MapSchema)
    @_errors(INVALID)
    def get(self, args):
        """The offline map layer: the province's outline and the period's reports as points"""
        return views.map_layer(figures.Period.of(args.get("since"), args.get("until")))


@blp.route("/figures/exports/<string:table>.csv")
class FiguresExport(MethodView):
    @require_role(LEADER, ADMIN, DISPATCHER)
    @blp.arguments(PeriodArgsSchema, location="query")
    @blp.response(200, content_type="text/csv", description="UTF-8 CSV with a byte order mark. Tables: "
                  "reports-categories, reports-status, reports-communes, reports-agencies, reports-overdue")
    @_errors((404, "No table has this name"), INVALID)
    def get(self, args, table):
        """One report figure table as CSV"""
        return views.csv_response(table, figures.Period.of(args.get("since"), args.get("until")))


@blp.route("/<uuid:report_id>")
class ReportById(MethodView):
    @blp.response(200, ReportSchema)
    @_errors(NOT_FOUND, SCOPE)
    def get(self, report_id):
        """A report: anyone for a published one (reporter never shown); reporter and staff in full"""
        return views.detail(service.get_report(optional_principal(), report_id))


@blp.route("/<uuid:report_id>/follow")
class Follow(MethodView):
    @require_role(CITIZEN)
    @require_level(1)
    @blp.response(200, ReportSchema)
    @_errors(NOT_FOUND, (409, "Already following, or the report is no longer open"))
    def post(self, report_id):
        """"Me too": join a report instead of filing a duplicate"""
        return views.detail(service.follow(current_principal(), report_id))


@blp.route("/<uuid:report_id>/transitions")
class Transitions(MethodView):
    @require_role(OFFICER, APPROVER, DISPATCHER)
    @blp.arguments(ActionSchema)
    @blp.response(200, ReportSchema)
    @_errors(NOT_FOUND, SCOPE, CONFLICT, INVALID)
    def post(self, args, report_id):
        """Triage (route, refuse) and handling (acknowledge, note, transfer)"""
        return views.detail(service.act(current_principal(), report_id, **args))


@blp.route("/<uuid:report_id>/resolve")
class Resolve(MethodView):
    @require_role(OFFICER, APPROVER)
    @blp.arguments(ResolveSchema, location="multipart")
    @blp.response(200, ReportSchema)
    @_errors(NOT_FOUND, SCOPE, CONFLICT, INVALID)
    def post(self, args, report_id):
        """Resolve with what was done, and photos of the result (multipart)"""
        return views.detail(service.resolve(current_principal(), report_id, args["result"], views.files_of(args),
                                            version=args.get("version")))


@blp.route("/<uuid:report_id>/merge")
class Merge(MethodView):
    @require_role(DISPATCHER)
    @blp.arguments(MergeSchema)
    @blp.response(200, ReportSchema)
    @_errors(NOT_FOUND, CONFLICT, INVALID)
    def post(self, args, report_id):
        """Merge this duplicate into another report: followers and counts move, everyone is told"""
        return views.detail(service.merge(current_principal(), report_id, args["into_id"], version=args.get("version")))


@blp.route("/<uuid:report_id>/rating")
class Rating(MethodView):
    @require_role(CITIZEN)
    @blp.arguments(ReportRatingSchema)
    @blp.response(200, ReportSchema)
    @_errors(NOT_FOUND, SCOPE, (409, "Not resolved, or the 7 days are over (`window_closed`)"), INVALID)
    def post(self, args, report_id):
        """The reporter rates the result (1 to 5) within 7 days of resolution; this closes the report"""
        return views.detail(service.rate(current_principal(), report_id, args["rating"], args.get("comment")))


@blp.route("/<uuid:report_id>/reopen")
class Reopen(MethodView):
    @require_role(CITIZEN)
    @blp.arguments(ReopenSchema)
    @blp.response(200, ReportSchema)
    @_errors(NOT_FOUND, SCOPE, (409, "Not resolved, already reopened once (`reopen_used`), or too late"), INVALID)
    def post(self, args, report_id):
        """The reporter reopens the report once, within 7 days of resolution, with a reason"""
        return views.detail(service.reopen(current_principal(), report_id, args["reason"]))


@blp.route("/<uuid:report_id>/photos/<uuid:photo_id>")
class Photo(MethodView):
    @blp.response(200, content_type="image/jpeg")
    @_errors(NOT_FOUND)
    def get(self, report_id, photo_id):
        """A photo's file (public for published reports unless hidden)"""
        return views.photo_response(*service.photo_file(optional_principal(), report_id, photo_id))

    @require_role(DISPATCHER, ADMIN, OFFICER, APPROVER)
    @blp.arguments(HideSchema)
    @blp.response(200, PhotoSchema)
    @_errors(NOT_FOUND, SCOPE, INVALID)
    def patch(self, args, report_id, photo_id):
        """Hide a photo from the public (faces, plates), or show it again"""
        photo = service.hide_photo(current_principal(), report_id, photo_id, args["hidden"])
        return present.photo_view(photo.report, photo)


@blp.route("/api-clients")
class ApiClients(MethodView):
    @require_role(ADMIN)
    @blp.arguments(ApiClientCreateSchema)
    @blp.response(201, ApiClientSchema)
    @_errors(INVALID)
    def post(self, args):
        """Issue an Open311 API key to a partner application (shown once)"""
        return api_clients.issue_for_partner(args["name"], created_by=current_principal().account_id)
