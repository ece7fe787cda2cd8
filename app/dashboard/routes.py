"""Operations-centre figures for province leaders and administrators (read-only)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from app.common.api import ErrorSchema
from app.common.auth import require_role
from app.common.database import reads_only
from app.dashboard import exports, present, service
from app.dashboard.counters import Filters
from app.dashboard.errors import TableNotFound
from app.dashboard.schemas import (
    AssistanceFiguresSchema, CommuneArgsSchema, DossierFiguresSchema, EidFiguresSchema, FilterArgsSchema,
    OverdueArgsSchema, OverduePageSchema, PaymentFiguresSchema, PeriodCommuneArgsSchema, RegistryQualitySchema,
)
from app.common.roles import ADMIN, LEADER

blp = Blueprint("dashboard", __name__, description="Operations-centre figures (leaders and administrators)")


def _filters(args: dict) -> Filters:
    return Filters(**{name: args.get(name) for name in Filters.__dataclass_fields__})


@blp.route("/dossiers")
class DossierFigures(MethodView):
    @reads_only
    @require_role(LEADER, ADMIN)
    @blp.arguments(FilterArgsSchema, location="query")
    @blp.response(200, DossierFiguresSchema)
    def get(self, args):
        """Dossiers by status, online versus desk, on time versus late, processing time

        Statuses and channels count dossiers submitted in the period; timeliness
        and processing time count dossiers decided (result issued or rejected)
        in the period. Processing time is in working days from reception to
        decision, days waiting for the citizen's supplements left out.
        """
        return service.dossier_figures(_filters(args))


@blp.route("/dossiers/overdue")
class OverdueDossiers(MethodView):
    @reads_only
    @require_role(LEADER, ADMIN)
    @blp.arguments(OverdueArgsSchema, location="query")
    @blp.response(200, OverduePageSchema)
    def get(self, args):
        """Dossiers overdue now, most overdue first

        Dossiers whose processing clock runs and whose due date has passed
        (those waiting for a citizen's supplement are not overdue).
        """
        return present.overdue_page_json(service.overdue_dossiers(_filters(args), cursor=args["cursor"],
                                                                  limit=args["limit"]))


@blp.route("/payments")
class PaymentFigures(MethodView):
    @reads_only
    @require_role(LEADER, ADMIN)
    @blp.arguments(FilterArgsSchema, location="query")
    @blp.response(200, PaymentFiguresSchema)
    def get(self, args):
        """Fees collected per gateway and per day, refunds, payments stuck pending

        Fees count payments taken on days in the period (a payment refunded
        later still counts as collected; its refund counts under refunds).
        Commune and agency are the dossier's. The daily series lists the
        period's days; without `from` it lists the last 92 days up to `to`
        (or today), while totals and gateways still cover the whole period.
        """
        return present.payment_figures_json(service.payment_figures(_filters(args)))


@blp.route("/assistance")
class AssistanceFigures(MethodView):
    @reads_only
    @require_role(LEADER, ADMIN)
    @blp.arguments(PeriodCommuneArgsSchema, location="query")
    @blp.response(200, AssistanceFiguresSchema)
    def get(self, args):
        """Help given by community digital-tech teams, per commune

        Counted where the team works, on the day of the help: residents helped
        (once per team and day), accounts registered and activated, dossiers
        submitted and fees paid with a member's help.
        """
        return service.assistance_figures(_filters(args))


@blp.route("/eid")
class EidFigures(MethodView):
    @reads_only
    @require_role(LEADER, ADMIN)
    @blp.arguments(PeriodCommuneArgsSchema, location="query")
    @blp.response(200, EidFiguresSchema)
    def get(self, args):
        """e-ID accounts registered, activated and at level 2, as shares of the adults, per commune

        Counts citizen accounts created (activated, reaching level 2) within the
        period, all time without one; adults are the registry's living citizens
        aged 14 or more, counted by the latest registry refresh.
        """
        return service.eid_figures(_filters(args))


@blp.route("/registry-quality")
class RegistryQuality(MethodView):
    @reads_only
    @require_role(LEADER, ADMIN)
    @blp.arguments(CommuneArgsSchema, location="query")
    @blp.response(200, RegistryQualitySchema)
    def get(self, args):
        """Registry records with missing or inconsistent fields, as counts and shares, per commune"""
        return service.registry_quality(_filters(args))


@blp.route("/exports/<string:table>.csv")
class Export(MethodView):
    @reads_only
    @require_role(LEADER, ADMIN)
    @blp.arguments(FilterArgsSchema, location="query")
    @blp.response(200, content_type="text/csv", description=(
        "The table as CSV, UTF-8 with a byte order mark. Tables: " + ", ".join(exports.TABLES)))
    @blp.alt_response(404, schema=ErrorSchema, description="No table has this name")
    def get(self, args, table):
        """One figure table as a CSV file (same filters as the figure)"""
        if table not in exports.TABLES:
            raise TableNotFound()
        return exports.csv_response(table, _filters(args))
