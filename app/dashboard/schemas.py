"""Query arguments and responses of the figures."""
import marshmallow as ma

from app.errors import N_

KEPT_BY_MONTH = ("Figures older than the months kept day by day (the last 24 by default, "
                 "DASHBOARD_DAY_ROWS_MONTHS) are kept by month: a period reaching them must start on a "
                 "month's first day and end on a month's last day, or 422 `period_before_day_rows`.")
COMMUNE_CODE = {"description": "5-digit commune code (GSO)", "example": "27727"}


class CommuneArgsSchema(ma.Schema):
    commune_code = ma.fields.String(load_default=None, validate=ma.validate.Regexp(r"^[0-9]{5}$"),
                                    metadata=COMMUNE_CODE)


class ScopeArgsSchema(CommuneArgsSchema):
    agency_id = ma.fields.UUID(load_default=None, metadata={
        "description": "Only dossiers of this agency", "example": "2f1d0c5e-8a7b-4c1e-9a53-2d7e6b1f0a11"})
    procedure_code = ma.fields.String(load_default=None, validate=ma.validate.Length(1, 64), metadata={
        "description": "Only dossiers of this procedure", "example": "1.001193"})


class PeriodCommuneArgsSchema(CommuneArgsSchema):
    start = ma.fields.Date(data_key="from", load_default=None, metadata={
        "description": "First day of the period (Vietnam time), inclusive. " + KEPT_BY_MONTH,
        "example": "2026-01-01"})
    end = ma.fields.Date(data_key="to", load_default=None, metadata={
        "description": "Last day of the period (Vietnam time), inclusive. " + KEPT_BY_MONTH,
        "example": "2026-12-31"})

    @ma.validates_schema
    def period_in_order(self, data, **_kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ma.ValidationError(N_("The period ends before it starts."), field_name="to")


class FilterArgsSchema(ScopeArgsSchema, PeriodCommuneArgsSchema):
    """Period, commune, agency and procedure."""


def _share(description: str):
    return ma.fields.Float(allow_none=True, metadata={
        "description": f"{description} (0 to 1, 4 decimals; null without a denominator)", "example": 0.6425})


class CommuneRowSchema(ma.Schema):
    commune_code = ma.fields.String(allow_none=True, metadata={
        "description": "null on the totals row", "example": "27727"})
    commune_name = ma.fields.String(allow_none=True, metadata={"example": "Xã Hưng Điền"})


class EidRowSchema(CommuneRowSchema):
    adults = ma.fields.Integer(metadata={
        "description": "Living citizens aged 14 or more in the registry", "example": 10230})
    registered = ma.fields.Integer(metadata={"description": "Citizen accounts of any status", "example": 8120})
    registered_share = _share("registered / adults")
    activated = ma.fields.Integer(metadata={"description": "Active citizen accounts", "example": 6573})
    activated_share = _share("activated / adults")
    level2 = ma.fields.Integer(metadata={"description": "Active accounts at level 2", "example": 4410})
    level2_share = _share("level2 / adults")


class EidFiguresSchema(ma.Schema):
    registry_refreshed_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "When the adult population was last counted", "example": "2026-11-21T08:00:00+00:00"})
    totals = ma.fields.Nested(EidRowSchema)
    communes = ma.fields.List(ma.fields.Nested(EidRowSchema))


class QualityRowSchema(CommuneRowSchema):
    records = ma.fields.Integer(metadata={"description": "Registry records", "example": 15800})
    with_issues = ma.fields.Integer(metadata={"description": "Records with any problem", "example": 52})
    with_issues_share = _share("with_issues / records")
    missing = ma.fields.Integer(metadata={"description": "Records with a required field empty", "example": 47})
    missing_share = _share("missing / records")
    inconsistent = ma.fields.Integer(metadata={
        "description": "Records whose fields disagree (personal id vs date of birth or gender, ...)",
        "example": 5})
    inconsistent_share = _share("inconsistent / records")
    clean_share = _share("records without any problem / records")


class QualityCheckSchema(ma.Schema):
    check = ma.fields.String(metadata={"example": "missing.ethnicity"})
    count = ma.fields.Integer(metadata={"example": 47})
    share = _share("count / records")


class RegistryQualitySchema(ma.Schema):
    refreshed_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "When the registry was last checked (null before the first check)",
        "example": "2026-11-21T08:00:00+00:00"})
    totals = ma.fields.Nested(QualityRowSchema)
    checks = ma.fields.List(ma.fields.Nested(QualityCheckSchema))
    communes = ma.fields.List(ma.fields.Nested(QualityRowSchema))


class StatusCountSchema(ma.Schema):
    status = ma.fields.String(metadata={"example": "in_processing"})
    count = ma.fields.Integer(metadata={"example": 1250})


class ChannelCountSchema(ma.Schema):
    channel = ma.fields.String(metadata={"description": "online | desk", "example": "online"})
    count = ma.fields.Integer(metadata={"example": 9120})
    share = _share("count / submitted dossiers")


class TimelinessSchema(ma.Schema):
    resolved = ma.fields.Integer(metadata={"description": "Decided: result issued or rejected", "example": 8000})
    on_time = ma.fields.Integer(metadata={"description": "Decided on or before the due date", "example": 7680})
    late = ma.fields.Integer(metadata={"example": 320})
    on_time_share = _share("on_time / resolved")


class ProcessingTimeSchema(ma.Schema):
    count = ma.fields.Integer(metadata={"description": "Decided dossiers measured", "example": 8000})
    average = ma.fields.Float(allow_none=True, metadata={
        "description": "Average working days from reception to decision, pauses left out", "example": 3.42})
    p90 = ma.fields.Integer(allow_none=True, metadata={
        "description": "90th percentile (nearest rank) of the same, in whole working days", "example": 7})


class DossierFiguresSchema(ma.Schema):
    total = ma.fields.Integer(metadata={"description": "Dossiers submitted in the period", "example": 10000})
    statuses = ma.fields.List(ma.fields.Nested(StatusCountSchema), metadata={
        "description": "Dossiers submitted in the period, by their status now"})
    channels = ma.fields.List(ma.fields.Nested(ChannelCountSchema))
    online_share = _share("dossiers received online / all")
    timeliness = ma.fields.Nested(TimelinessSchema, metadata={"description": "Dossiers decided in the period"})
    processing_days = ma.fields.Nested(ProcessingTimeSchema, metadata={
        "description": "Dossiers decided in the period"})


class OverdueArgsSchema(ScopeArgsSchema):
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=200), metadata={
        "description": "`next_cursor` of the previous page"})
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(1, 100))


class OverdueDossierSchema(ma.Schema):
    dossier_id = ma.fields.UUID(metadata={"example": "6a1f3c1e-0c55-4f0e-b3c7-9f3f2d6f1a20"})
    receipt_code = ma.fields.String(allow_none=True, metadata={"example": "UBND-27727-261103-0042"})
    status = ma.fields.String(metadata={"example": "in_processing"})
    procedure_code = ma.fields.String(metadata={"example": "1.001193"})
    procedure_name = ma.fields.String(allow_none=True, metadata={"example": "Đăng ký khai sinh"})
    agency_id = ma.fields.UUID(metadata={"example": "2f1d0c5e-8a7b-4c1e-9a53-2d7e6b1f0a11"})
    agency_name = ma.fields.String(allow_none=True, metadata={"example": "Ủy ban nhân dân Xã Hưng Điền"})
    commune_code = ma.fields.String(allow_none=True, metadata={"example": "27727"})
    commune_name = ma.fields.String(allow_none=True, metadata={"example": "Xã Hưng Điền"})
    submitted_at = ma.fields.AwareDateTime(metadata={"example": "2026-11-03T02:15:00+00:00"})
    due_date = ma.fields.Date(metadata={"example": "2026-11-06"})
    working_days_overdue = ma.fields.Integer(metadata={"example": 11})


class OverduePageSchema(ma.Schema):
    total = ma.fields.Integer(metadata={"description": "Overdue dossiers matching the filters", "example": 37})
    items = ma.fields.List(ma.fields.Nested(OverdueDossierSchema))
    next_cursor = ma.fields.String(allow_none=True, metadata={"description": "null on the last page"})


VND = {"description": "Whole VND"}


class PaymentTotalsSchema(ma.Schema):
    payments = ma.fields.Integer(metadata={"description": "Payments taken", "example": 5210})
    collected = ma.fields.Integer(metadata={**VND, "example": 61_250_000})
    refunds = ma.fields.Integer(metadata={"description": "Refunds paid back", "example": 12})
    refunded = ma.fields.Integer(metadata={**VND, "example": 180_000})


class GatewayFiguresSchema(PaymentTotalsSchema):
    gateway = ma.fields.String(metadata={"example": "vnpay"})


class DailyFeesSchema(ma.Schema):
    day = ma.fields.Date(metadata={"description": "Day paid (Vietnam time)", "example": "2026-11-20"})
    gateway = ma.fields.String(metadata={"example": "momo"})
    payments = ma.fields.Integer(metadata={"example": 212})
    collected = ma.fields.Integer(metadata={**VND, "example": 2_480_000})


class RefundFiguresSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "requested | succeeded | failed", "example": "succeeded"})
    refunds = ma.fields.Integer(metadata={"example": 12})
    amount = ma.fields.Integer(metadata={**VND, "example": 180_000})


class StuckPaymentSchema(ma.Schema):
    payment_id = ma.fields.UUID(metadata={"example": "0c8a4d6e-3a51-4a8e-9b4e-1f0d2c3b4a59"})
    gateway = ma.fields.String(metadata={"example": "paygov"})
    amount = ma.fields.Integer(metadata={**VND, "example": 15_000})
    status = ma.fields.String(metadata={"example": "pending"})
    procedure_code = ma.fields.String(metadata={"example": "1.004873"})
    dossier_receipt_code = ma.fields.String(metadata={"example": "UBND-27727-261120-0007"})
    created_at = ma.fields.AwareDateTime(metadata={"example": "2026-11-20T03:10:00+00:00"})
    expires_at = ma.fields.AwareDateTime(metadata={"example": "2026-11-20T03:25:00+00:00"})


class PaymentFiguresSchema(ma.Schema):
    totals = ma.fields.Nested(PaymentTotalsSchema)
    gateways = ma.fields.List(ma.fields.Nested(GatewayFiguresSchema))
    daily_from = ma.fields.Date(metadata={
        "description": "First day of the daily series: `from`, or 92 days before `to` when `from` is not given; "
                       "never before the first day kept day by day (for an older period it is after `daily_to` "
                       "and the series is empty)",
        "example": "2026-08-22"})
    daily_to = ma.fields.Date(metadata={"description": "Last day of the daily series: `to`, or today",
                                        "example": "2026-11-21"})
    daily = ma.fields.List(ma.fields.Nested(DailyFeesSchema), metadata={
        "description": "Fees per day and gateway from `daily_from` to `daily_to` (days without any left out)"})
    refunds = ma.fields.List(ma.fields.Nested(RefundFiguresSchema), metadata={
        "description": "Refunds asked for in the period, by their status now"})
    stuck_pending = ma.fields.Integer(metadata={
        "description": "Payments still open after their time to pay ran out (now, whatever the period)",
        "example": 2})
    stuck = ma.fields.List(ma.fields.Nested(StuckPaymentSchema), metadata={"description": "The oldest 20"})


class AssistanceRowSchema(CommuneRowSchema):
    residents_helped = ma.fields.Integer(metadata={
        "description": "Residents helped, counted once per team and day", "example": 340})
    accounts_registered = ma.fields.Integer(metadata={"example": 120})
    accounts_activated = ma.fields.Integer(metadata={"example": 95})
    dossiers_submitted = ma.fields.Integer(metadata={"example": 210})
    payments_completed = ma.fields.Integer(metadata={"example": 64})


class AssistanceFiguresSchema(ma.Schema):
    totals = ma.fields.Nested(AssistanceRowSchema)
    communes = ma.fields.List(ma.fields.Nested(AssistanceRowSchema))
