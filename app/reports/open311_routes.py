"""Open311 GeoReport v2 at /open311/v2 (JSON), for partner apps and existing Open311 clients.

Errors follow the specification: a list of `{"code", "description"}` with the
HTTP status as the code (400 bad input, 403 missing or wrong API key, 404
unknown service or request).
"""
import re
import uuid

import marshmallow as ma
from flask import jsonify
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

from app.errors import AppError, handle_app_error
from app.reports import open311

blp = Blueprint("open311", __name__, description="Open311 GeoReport v2 (partner apps and Open311 clients)")
ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_]{1,40})\]$")


class Open311ErrorSchema(ma.Schema):
    code = ma.fields.Integer(metadata={"example": 403})
    description = ma.fields.String(metadata={"example": "The API key is missing or not valid."})


class JurisdictionSchema(ma.Schema):
    jurisdiction_id = ma.fields.String(metadata={"description": "Accepted and ignored: one jurisdiction here"})


class ServiceSchema(ma.Schema):
    service_code = ma.fields.String(metadata={"example": "street_lighting"})
    service_name = ma.fields.String()
    description = ma.fields.String()
    metadata = ma.fields.Boolean()
    type = ma.fields.String(metadata={"example": "realtime"})
    keywords = ma.fields.String()
    group = ma.fields.String()


class AttributeValueSchema(ma.Schema):
    key = ma.fields.String()
    name = ma.fields.String()


class AttributeSchema(ma.Schema):
    variable = ma.fields.Boolean()
    code = ma.fields.String(metadata={"example": "pole_number"})
    datatype = ma.fields.String(metadata={"example": "string"})
    required = ma.fields.Boolean()
    datatype_description = ma.fields.String(allow_none=True)
    order = ma.fields.Integer()
    description = ma.fields.String()
    values = ma.fields.List(ma.fields.Nested(AttributeValueSchema))


class ServiceDefinitionSchema(ma.Schema):
    service_code = ma.fields.String()
    attributes = ma.fields.List(ma.fields.Nested(AttributeSchema))


class RequestsQuerySchema(JurisdictionSchema):
    service_request_id = ma.fields.String(metadata={"description": "Comma-separated ids; overrides the other filters"})
    service_code = ma.fields.String(metadata={"description": "Comma-separated service codes"})
    start_date = ma.fields.AwareDateTime(metadata={"description": "W3C, e.g. 2026-11-01T00:00:00+07:00"})
    end_date = ma.fields.AwareDateTime(metadata={"description": "W3C; without dates: the last 90 days"})
    status = ma.fields.String(metadata={"description": "open, closed or open,closed"})

    @ma.validates("status")
    def _status(self, value, **_kwargs):
        if not set(value.split(",")) <= {"open", "closed"}:
            raise ma.ValidationError("status is open, closed or both")

    @ma.validates("service_request_id")
    def _ids(self, value, **_kwargs):
        try:
            [uuid.UUID(part) for part in value.split(",")]
        except ValueError:
            raise ma.ValidationError("service_request_id is a comma-separated list of ids") from None

    @ma.post_load
    def _query(self, data, **_kwargs):
        return open311.Query(
            service_request_ids=tuple(uuid.UUID(p) for p in data["service_request_id"].split(","))
            if data.get("service_request_id") else (),
            service_codes=tuple(filter(None, (data.get("service_code") or "").split(","))),
            start=data.get("start_date"), end=data.get("end_date"),
            statuses=tuple(filter(None, (data.get("status") or "").split(","))))


class RequestCreateSchema(JurisdictionSchema):
    class Meta:
        unknown = ma.EXCLUDE

    api_key = ma.fields.String(metadata={"description": "The key an admin issued to your app"})
    service_code = ma.fields.String(required=True, metadata={"example": "street_lighting"})
    lat = ma.fields.Float(allow_nan=False, validate=ma.validate.Range(-90, 90), metadata={"example": 11.3101})
    long = ma.fields.Float(allow_nan=False, validate=ma.validate.Range(-180, 180), metadata={"example": 106.0987})
    address_string = ma.fields.String(validate=ma.validate.Length(max=300))
    address_id = ma.fields.String()
    description = ma.fields.String(validate=ma.validate.Length(max=2000))
    email = ma.fields.String()
    device_id = ma.fields.String()
    account_id = ma.fields.String()
    first_name = ma.fields.String()
    last_name = ma.fields.String()
    phone = ma.fields.String()
    media_url = ma.fields.String(metadata={"description": "Accepted, not fetched"})
    attributes = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), metadata={
        "description": "Sent as attribute[code]=value form fields"})

    @ma.pre_load
    def _attributes(self, data, **_kwargs):
        plain = {key: data.get(key) for key in data}
        attributes = {m.group(1): value for key, value in plain.items() if (m := ATTRIBUTE.match(key))}
        plain = {key: value for key, value in plain.items() if not ATTRIBUTE.match(key)}
        if attributes:
            plain["attributes"] = attributes
        return plain


class RequestSchema(ma.Schema):
    service_request_id = ma.fields.String()
    status = ma.fields.String(metadata={"description": "open | closed"})
    status_notes = ma.fields.String(allow_none=True)
    service_name = ma.fields.String()
    service_code = ma.fields.String()
    description = ma.fields.String()
    agency_responsible = ma.fields.String(allow_none=True)
    service_notice = ma.fields.String(allow_none=True)
    requested_datetime = ma.fields.String(metadata={"description": "W3C datetime"})
    updated_datetime = ma.fields.String(allow_none=True)
    expected_datetime = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True)
    address_id = ma.fields.String(allow_none=True)
    zipcode = ma.fields.String(allow_none=True)
    lat = ma.fields.Float()
    long = ma.fields.Float()
    media_url = ma.fields.String(allow_none=True)


class CreatedSchema(ma.Schema):
    service_request_id = ma.fields.String()
    token = ma.fields.String(allow_none=True)
    service_notice = ma.fields.String(allow_none=True)
    account_id = ma.fields.String(allow_none=True)


class TokenSchema(ma.Schema):
    service_request_id = ma.fields.String()
    token = ma.fields.String()


def _errors(*statuses):
    def decorator(view):
        for status in reversed(statuses):
            view = blp.alt_response(status, schema=Open311ErrorSchema(many=True),
                                    description="Open311 error list")(view)
        return view
    return decorator


# Refusals of the whole API (a community helper's delegated token outside its consent) keep the
# API's own envelope: they are not Open311 answers
PASS_THROUGH = frozenset({"delegation_scope", "resident_account_required"})


@blp.errorhandler(AppError)
def _app_error(error: AppError):
    if error.code in PASS_THROUGH:
        return handle_app_error(error)
    status = 400 if error.status in (400, 409, 422, 429) else error.status
    return _error_list(status, gettext(error.message, **error.params))


@blp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    status = 400 if error.code in (400, 422) else error.code or 500
    data = getattr(error, "data", None) or {}
    detail = data.get("messages") or data.get("errors") or error.description
    return _error_list(status, str(detail))


def _error_list(status: int, description: str):
    response = jsonify([{"code": status, "description": description}])
    response.status_code = status
    return response


@blp.route("/services.json")
class Services(MethodView):
    @blp.arguments(JurisdictionSchema, location="query")
    @blp.response(200, ServiceSchema(many=True))
    @_errors(400)
    def get(self, _args):
        """GET Service List"""
        return open311.services()


@blp.route("/services/<string:service_code>.json")
class ServiceDefinition(MethodView):
    @blp.arguments(JurisdictionSchema, location="query")
    @blp.response(200, ServiceDefinitionSchema)
    @_errors(400, 404)
    def get(self, _args, service_code):
        """GET Service Definition (extra attributes of a service with metadata: true)"""
        return open311.definition(service_code)


@blp.route("/requests.json")
class Requests(MethodView):
    @blp.arguments(RequestsQuerySchema, location="query")
    @blp.response(200, RequestSchema(many=True))
    @_errors(400)
    def get(self, query):
        """GET Service Requests (the last 90 days without dates; at most 1000)"""
        return open311.find(query)

    @blp.arguments(RequestCreateSchema, location="form")
    @blp.response(201, CreatedSchema(many=True))
    @_errors(400, 403, 404)
    def post(self, form):
        """POST Service Request (form-encoded, with the api_key an admin issued to your app)"""
        return open311.create(form)


@blp.route("/requests/<string:service_request_id>.json")
class RequestById(MethodView):
    @blp.arguments(JurisdictionSchema, location="query")
    @blp.response(200, RequestSchema(many=True))
    @_errors(400, 404)
    def get(self, _args, service_request_id):
        """GET Service Request"""
        return open311.one(service_request_id)


@blp.route("/tokens/<string:token>.json")
class Token(MethodView):
    @blp.arguments(JurisdictionSchema, location="query")
    @blp.response(200, TokenSchema(many=True))
    @_errors(400, 404)
    def get(self, _args, token):
        """GET service_request_id from a token"""
        return open311.token(token)
