"""One JSON line per log record, one per request, personal data masked."""
import logging
import re
import sys
import time
import base64
import secrets

from flask import g, request
from pythonjsonlogger.json import JsonFormatter

from app.common.masking import mask_text
from app.common.tracing import current_ids

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
request_log = logging.getLogger("app.request")


class MaskingJsonFormatter(JsonFormatter):
    """Serialises the record as JSON, then masks ids and phones in the whole line."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


class RequestIdFilter(logging.Filter):
    """The request id on every record; with tracing on, the trace and span ids too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            try:
                record.request_id = g.get("request_id")
            except RuntimeError:  # outside a request
                record.request_id = None
        if not hasattr(record, "trace_id"):
            ids = current_ids()   # None when tracing is off: the line has no trace fields
            if ids:
                record.trace_id, record.span_id = ids
        return True


def configure_logging(app) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MaskingJsonFormatter(
        "{asctime}{levelname}{name}{message}", style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    ))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger("app")
    root.handlers[:] = [handler]
    root.setLevel(app.config["LOG_LEVEL"])
    root.propagate = False

    app.before_request(_start_request)
    app.after_request(_log_request)


def new_request_id() -> str:
    """32 characters of base32 (a-z, 2-7): random, and never a digit run that
    the masking of personal ids and phones would mangle in the log line."""
    return base64.b32encode(secrets.token_bytes(20)).decode().lower()


def _start_request():
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else new_request_id()
    g.request_started = time.perf_counter()


def _log_request(response):
    request_id = g.get("request_id") or new_request_id()
    started = g.get("request_started", time.perf_counter())
    response.headers["X-Request-ID"] = request_id
    trace_ids = {"trace_id": g.trace_id, "span_id": g.span_id} if g.get("trace_id") else {}
    request_log.info("request", extra={
        "request_id": request_id,
        **trace_ids,
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
    })
    return response
