"""Domain errors and the one JSON error envelope.

Every error the API returns has the shape
``{"code": "<stable_machine_code>", "status": <http status>, "message": "<human>",
"errors": {...}}``. The message is translated by `Accept-Language` (Vietnamese by
default). Services raise `AppError` subclasses; Flask's and webargs' own
exceptions are mapped onto the same envelope, and anything unexpected becomes a
logged 500 whose body never shows the exception.
"""
import logging

from flask import jsonify
from flask_babel import gettext
from werkzeug.exceptions import HTTPException


def N_(message: str) -> str:
    """Marks a message for translation; it is translated when rendered."""
    return message


log = logging.getLogger("app.errors")


class AppError(Exception):
    status = 400
    code = "bad_request"
    message = N_("The request is not valid.")

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 errors: dict | None = None, headers: dict | None = None, **params):
        super().__init__(message or self.message)
        if message:
            self.message = message
        if code:
            self.code = code
        self.errors = errors or {}
        self.headers = headers or {}
        self.params = params


class ValidationFailed(AppError):
    status = 422
    code = "validation_error"
    message = N_("Some fields are not valid.")


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    message = N_("Authentication is required.")


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    message = N_("You are not allowed to do this.")


class NotFound(AppError):
    status = 404
    code = "not_found"
    message = N_("The resource was not found.")


class Conflict(AppError):
    status = 409
    code = "conflict"
    message = N_("The request conflicts with the current state.")


class Gone(AppError):
    status = 410
    code = "gone"
    message = N_("The resource is no longer available.")


class Locked(AppError):
    status = 423
    code = "locked"
    message = N_("The resource is locked.")


class TooManyRequests(AppError):
    status = 429
    code = "rate_limited"
    message = N_("Too many requests. Try again later.")


class ServiceUnavailable(AppError):
    status = 503
    code = "unavailable"
    message = N_("The service is temporarily unavailable.")


# Flask's and Werkzeug's own errors, by status: stable code and message.
HTTP_ERRORS = {
    400: ("bad_request", N_("The request is not valid.")),
    401: ("unauthorized", N_("Authentication is required.")),
    403: ("forbidden", N_("You are not allowed to do this.")),
    404: ("not_found", N_("The resource was not found.")),
    405: ("method_not_allowed", N_("This method is not allowed on this resource.")),
    406: ("not_acceptable", N_("The requested response format is not available.")),
    409: ("conflict", N_("The request conflicts with the current state.")),
    413: ("payload_too_large", N_("The request body is too large.")),
    415: ("unsupported_media_type", N_("The request body type is not supported.")),
    422: ("validation_error", N_("Some fields are not valid.")),
    429: ("rate_limited", N_("Too many requests. Try again later.")),
    500: ("internal_error", N_("An unexpected error occurred. It has been logged.")),
    503: ("unavailable", N_("The service is temporarily unavailable.")),
}


def envelope(status: int, code: str, message: str, errors: dict | None = None,
             headers: dict | None = None, **params):
    body = {
        "code": code,
        "status": status,
        "message": gettext(message, **params),
        "errors": _translate_errors(errors or {}),
    }
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _translate_errors(errors):
    """Field messages go through the catalog too (marshmallow's defaults included)."""
    if isinstance(errors, dict):
        return {key: _translate_errors(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [_translate_errors(value) for value in errors]
    if isinstance(errors, str):
        return gettext(errors)
    return errors


def handle_app_error(error: AppError):
    return envelope(error.status, error.code, error.message, error.errors,
                    error.headers, **error.params)


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    code, message = HTTP_ERRORS.get(status, ("http_error", N_("The request could not be served.")))
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages") or {}
    headers = dict(data.get("headers") or {})
    valid_methods = getattr(error, "valid_methods", None)
    if status == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    if status == 429:
        headers.setdefault("Retry-After", str(_retry_after(error)))
    if status == 422:
        errors = _flatten_locations(errors)
    return envelope(status, code, message, errors, headers)


def _retry_after(error) -> int:
    """Seconds until a Flask-Limiter window frees up (60 when unknown)."""
    limit = getattr(error, "limit", None)
    try:
        return max(1, int(limit.limit.get_expiry()))
    except AttributeError:
        return 60


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error")
    code, message = HTTP_ERRORS[500]
    return envelope(500, code, message)


def _flatten_locations(messages: dict) -> dict:
    """webargs nests field errors under their location ('json', 'query'...).

    Clients care about the field, so a single location is unwrapped; several
    stay nested by location.
    """
    if len(messages) == 1:
        (only,) = messages.values()
        if isinstance(only, dict):
            return only
    return messages


def register_error_handlers(app):
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
