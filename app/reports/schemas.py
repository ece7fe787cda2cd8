"""Request and response schemas of the native reports API (present.py builds the outputs)."""
import marshmallow as ma
from flask_smorest.fields import Upload
from werkzeug.datastructures import FileStorage

from app.errors import N_

from app.common.pagination import PageArgsSchema, page_schema
from app.reports import states
from app.reports.models import LEVELS, PHOTO_RULES

NOT_A_FILE = N_("This field takes a file.")


class Photo(Upload):
    """An uploaded file part (a plain text value in its place is refused)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ma.ValidationError(NOT_A_FILE)
        return value


_ID = {"example": "6f1c2a8e-3b7d-4c1e-9a55-1f0e7b3c9d21"}
LAT = {"example": 11.3101, "description": "WGS 84 latitude, inside the province"}
LON = {"example": 106.0987, "description": "WGS 84 longitude, inside the province"}


class CategorySchema(ma.Schema):
    code = ma.fields.String(metadata={"example": "street_lighting"})
    name = ma.fields.String(metadata={"example": "Chiếu sáng công cộng"})
    name_en = ma.fields.String(metadata={"example": "Street lighting"})
    description = ma.fields.String()
    group = ma.fields.String()
    handled_at = ma.fields.String(metadata={"description": "commune | province: the level that receives it"})
    agency_kinds = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), metadata={
        "description": "Responsible agency type per level", "example": {"commune": "commune_committee",
                                                                         "province": "construction_department"}})
    deadline_days = ma.fields.Integer(metadata={"description": "Working days to resolve", "example": 3})
    public = ma.fields.Boolean(metadata={"description": "Reports may be published (officials' conduct: never)"})
    photo_rule = ma.fields.String(metadata={"description": "required | optional"})
    attributes = ma.fields.List(ma.fields.Dict(), metadata={"description": "Open311 extra attributes"})
    active = ma.fields.Boolean()


class CategoryUpdateSchema(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(1, 120))
    name_en = ma.fields.String(validate=ma.validate.Length(1, 120))
    description = ma.fields.String(validate=ma.validate.Length(max=2000))
    handled_at = ma.fields.String(validate=ma.validate.OneOf(LEVELS))
    agency_kinds = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.OneOf(LEVELS)),
                                  values=ma.fields.String(validate=ma.validate.Length(1, 30)))
    deadline_days = ma.fields.Integer(validate=ma.validate.Range(1, 60))
    public = ma.fields.Boolean()
    photo_rule = ma.fields.String(validate=ma.validate.OneOf(PHOTO_RULES))
    active = ma.fields.Boolean()


class FileReportSchema(ma.Schema):
    category = ma.fields.String(required=True, validate=ma.validate.Length(1, 40), metadata={"example": "street_lighting"})
    description = ma.fields.String(required=True, validate=ma.validate.Length(5, 2000), metadata={
        "example": "Đèn đường trước số 12 không sáng ba đêm nay."})
    latitude = ma.fields.Float(required=True, allow_nan=False, validate=ma.validate.Range(-90, 90), metadata=LAT)
    longitude = ma.fields.Float(required=True, allow_nan=False, validate=ma.validate.Range(-180, 180), metadata=LON)
    commune_code = ma.fields.String(validate=ma.validate.Regexp(r"^\d{5}$"), metadata={
        "description": "Optional: derived from the place (nearest commune) when left out", "example": "25459"})
    address = ma.fields.String(validate=ma.validate.Length(max=300), metadata={"example": "Số 12 Đường 30/4"})
    photos = ma.fields.List(Photo(), metadata={"description": "Up to 5 JPEG or PNG photos (metadata removed)"})


class NearbyQuerySchema(ma.Schema):
    category = ma.fields.String(required=True, validate=ma.validate.Length(1, 40), metadata={"example": "street_lighting"})
    latitude = ma.fields.Float(required=True, allow_nan=False, validate=ma.validate.Range(-90, 90), metadata=LAT)
    longitude = ma.fields.Float(required=True, allow_nan=False, validate=ma.validate.Range(-180, 180), metadata=LON)


class ActionSchema(ma.Schema):
    action = ma.fields.String(required=True, validate=ma.validate.OneOf(
        ("route", "refuse", "acknowledge", "note", "transfer")), metadata={"example": "acknowledge"})
    reason = ma.fields.String(validate=ma.validate.Length(max=2000), metadata={
        "description": "Required for refuse (the citizen sees it), note and transfer",
        "example": "Đã giao đội điện lực kiểm tra."})
    agency_id = ma.fields.UUID(metadata={"description": "route, transfer: the agency that must act", **_ID})
    refusal_kind = ma.fields.String(validate=ma.validate.OneOf(("spam", "out_of_scope")), metadata={
        "description": "refuse: spam hides the report from the public"})
    version = ma.fields.Integer(metadata={"description": "The version you read; 409 if it changed", "example": 2})


class ResolveSchema(ma.Schema):
    result = ma.fields.String(required=True, validate=ma.validate.Length(5, 2000), metadata={
        "example": "Đã thay bóng đèn cột CD-0123."})
    version = ma.fields.Integer()
    photos = ma.fields.List(Photo(), metadata={"description": "Up to 5 photos of the result"})


class MergeSchema(ma.Schema):
    into_id = ma.fields.UUID(required=True, metadata={"description": "The report that stays", **_ID})
    version = ma.fields.Integer()


class ReportRatingSchema(ma.Schema):
    rating = ma.fields.Integer(required=True, validate=ma.validate.Range(1, 5), metadata={"example": 5})
    comment = ma.fields.String(validate=ma.validate.Length(max=1000), metadata={"example": "Xử lý nhanh."})


class ReopenSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(5, 2000), metadata={
        "example": "Đèn lại tắt sau hai ngày."})


class HideSchema(ma.Schema):
    hidden = ma.fields.Boolean(load_default=True)


class InboxQuerySchema(PageArgsSchema):
    status = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(states.STATES)))
    category = ma.fields.String(validate=ma.validate.Length(1, 40))
    commune_code = ma.fields.String(validate=ma.validate.Regexp(r"^\d{5}$"))
    overdue = ma.fields.Boolean(load_default=False)


class FeedQuerySchema(PageArgsSchema):
    category = ma.fields.String(validate=ma.validate.Length(1, 40))
    status = ma.fields.String(validate=ma.validate.OneOf(states.STATES))
    commune_code = ma.fields.String(validate=ma.validate.Regexp(r"^\d{5}$"))
    since = ma.fields.Date(metadata={"description": "Filed on or after (local date)"})
    until = ma.fields.Date(metadata={"description": "Filed on or before (local date)"})


class ApiClientCreateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(2, 120), metadata={"example": "Ứng dụng XYZ"})


class ApiClientSchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()
    api_key = ma.fields.String(metadata={"description": "Shown once; keep it secret"})


class PhotoSchema(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.String(metadata={"description": "report | result"})
    content_type = ma.fields.String()
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    hidden = ma.fields.Boolean()
    url = ma.fields.String()


class TimelineSchema(ma.Schema):
    action = ma.fields.String()
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String(allow_none=True)
    at = ma.fields.DateTime()
    by = ma.fields.String(metadata={"description": "citizen | staff | system (who, never named in public)"})
    reason = ma.fields.String(allow_none=True)


class CategoryRefSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()


class ReportSchema(ma.Schema):
    """A report as the reader may see it: the reporter appears only to themself and the staff."""
    id = ma.fields.UUID()
    reference = ma.fields.String(metadata={"example": "6F1C2A8E"})
    category = ma.fields.Nested(CategoryRefSchema)
    description = ma.fields.String()
    latitude = ma.fields.Float()
    longitude = ma.fields.Float()
    commune_code = ma.fields.String()
    address = ma.fields.String()
    status = ma.fields.String()
    agency = ma.fields.Dict(allow_none=True)
    reporter = ma.fields.String(metadata={"description": "Always 'a citizen' in public", "example": "Một người dân"})
    reporter_account_id = ma.fields.UUID(metadata={"description": "Only for the reporter and staff"})
    supporters = ma.fields.Integer(metadata={"description": "The reporter and every 'me too'"})
    filed_at = ma.fields.DateTime()
    due_date = ma.fields.Date(allow_none=True)
    resolved_at = ma.fields.DateTime(allow_none=True)
    closed_at = ma.fields.DateTime(allow_none=True)
    result = ma.fields.String(allow_none=True)
    refusal_reason = ma.fields.String(allow_none=True)
    rating = ma.fields.Integer(allow_none=True)
    merged_into = ma.fields.UUID(allow_none=True)
    overdue = ma.fields.Boolean()
    escalation_level = ma.fields.Integer()
    public = ma.fields.Boolean()
    version = ma.fields.Integer()
    photos = ma.fields.List(ma.fields.Nested(PhotoSchema))
    timeline = ma.fields.List(ma.fields.Nested(TimelineSchema))
    allowed_actions = ma.fields.List(ma.fields.String())


class FiledSchema(ma.Schema):
    report = ma.fields.Nested(ReportSchema)
    likely_duplicates = ma.fields.List(ma.fields.Nested(ReportSchema), metadata={
        "description": "Open reports of the same category nearby: join one with POST /reports/{id}/follow"})


ReportPageSchema = page_schema(ReportSchema, "ReportPage")


class GeometrySchema(ma.Schema):
    type = ma.fields.String(metadata={"example": "Point"})
    coordinates = ma.fields.List(ma.fields.Float(), metadata={"example": [106.0987, 11.3101]})


class FeatureSchema(ma.Schema):
    type = ma.fields.String(metadata={"example": "Feature"})
    id = ma.fields.String()
    geometry = ma.fields.Nested(GeometrySchema)
    properties = ma.fields.Dict()


class FeatureCollectionSchema(ma.Schema):
    type = ma.fields.String(metadata={"example": "FeatureCollection"})
    features = ma.fields.List(ma.fields.Nested(FeatureSchema))
    next_cursor = ma.fields.String(allow_none=True)


class PeriodArgsSchema(ma.Schema):
    since = ma.fields.Date(metadata={"description": "First local date (default: 30 days before `until`)"})
    until = ma.fields.Date(metadata={"description": "Last local date (default: today)"})


class FiguresSchema(ma.Schema):
    period = ma.fields.Dict()
    total = ma.fields.Integer()
    open = ma.fields.Integer()
    by_status = ma.fields.List(ma.fields.Dict())
    by_category = ma.fields.List(ma.fields.Dict())
    by_commune = ma.fields.List(ma.fields.Dict())
    by_agency = ma.fields.List(ma.fields.Dict())
    timeliness = ma.fields.Dict(metadata={"description": "resolved, on_time, late, on_time_rate"})
    resolution_working_days = ma.fields.Dict(metadata={"description": "median and p90, in working days"})
    satisfaction = ma.fields.Dict(metadata={"description": "ratings, average (1-5), satisfied_rate (4 or 5)"})
    reopen_rate = ma.fields.Float(allow_none=True)


class OverdueSchema(ma.Schema):
    report_id = ma.fields.UUID()
    reference = ma.fields.String()
    category = ma.fields.String()
    status = ma.fields.String()
    commune_code = ma.fields.String()
    agency_name = ma.fields.String(allow_none=True)
    filed_on = ma.fields.Date()
    due_date = ma.fields.Date()
    working_days_overdue = ma.fields.Integer()
    escalation_level = ma.fields.Integer()
    latitude = ma.fields.Float()
    longitude = ma.fields.Float()


class PointSchema(ma.Schema):
    lat = ma.fields.Float()
    lon = ma.fields.Float()
    status = ma.fields.String()
    category = ma.fields.String()
    open = ma.fields.Boolean()


class MapSchema(ma.Schema):
    bbox = ma.fields.List(ma.fields.Float(), metadata={"description": "min_lon, min_lat, max_lon, max_lat"})
    outline = ma.fields.List(ma.fields.List(ma.fields.Float()), metadata={"description": "[lon, lat] pairs"})
    points = ma.fields.List(ma.fields.Nested(PointSchema))
