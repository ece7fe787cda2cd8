"""OpenTelemetry traces: each request in a server span, its trace id in the log lines.

Off by default: with `TRACING` empty (and no `OTEL_EXPORTER_OTLP_ENDPOINT`)
nothing is installed, no hook runs and the log lines are unchanged.

On (`TRACING=otlp` or `console`, see app/config.py), this app gets its own
tracer provider (the SDK; the global provider is left alone), and each request:
- continues the W3C trace context of an incoming `traceparent` (and
  `tracestate`), or starts a new trace;
- runs in a SERVER span named `METHOD /route/{pattern}` with the method, route,
  path, status code and request id as attributes (status ERROR from 500 on);
- puts `trace_id` and `span_id` (hex) next to `request_id` in every log line
  written while it runs (app/common/logging.py);
- answers with the span's context in `traceparent` (and `tracestate`), so a
  client or the proxy can find the trace.
The exporter batches spans in a background thread (BatchSpanProcessor) and is
flushed when the process exits. gunicorn builds the app after forking
(no preload), so each worker process has its own exporter thread.
"""
import atexit
from dataclasses import dataclass

from flask import Flask, current_app, g, request
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from app.common.errors import ConfigurationError

KINDS = ("otlp", "console")
_propagator = TraceContextTextMapPropagator()


def tracing_kind(environ) -> str:
    """TRACING from the environment: `otlp`, `console` or '' (off).

    Unset, it is `otlp` when OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-only
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, else off.
    """
    kind = environ.get("TRACING")
    if kind is None:
        endpoint = environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        return "otlp" if endpoint else ""
    kind = kind.strip().lower()
    if kind in ("", "off", "none", "0", "false"):
        return ""
    if kind not in KINDS:
        raise ConfigurationError(f"TRACING must be one of {', '.join(KINDS)} or empty, not {kind!r}")
    return kind


@dataclass
class Tracing:
    provider: TracerProvider
    tracer: trace.Tracer


def init_app(app: Flask) -> None:
    """Install the request span hooks when TRACING is on; nothing at all when off."""
    kind = app.config.get("TRACING", "")
    if not kind:
        return
    provider = TracerProvider(resource=Resource.create({
        "service.name": app.config.get("OTEL_SERVICE_NAME") or "smart-province",
        "deployment.environment": app.config.get("APP_ENV", ""),
    }))
    provider.add_span_processor(BatchSpanProcessor(app.config.get("TRACING_EXPORTER") or _exporter(kind)))
    atexit.register(provider.shutdown)
    app.extensions["tracing"] = Tracing(provider, provider.get_tracer("app"))
    # First of the hooks: rate limits, guards and the request log all run inside the span
    app.before_request_funcs.setdefault(None, []).insert(0, _start_span)
    app.after_request(_finish_span)       # registered early, so it runs after the others
    app.teardown_request(_end_span)


def _exporter(kind: str) -> SpanExporter:
    if kind == "console":
        return ConsoleSpanExporter()
    return _otlp_exporter()


def _otlp_exporter() -> SpanExporter:
    # The OTLP/HTTP exporter reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _HEADERS, _TIMEOUT itself
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # loads protobuf: only when chosen

    return OTLPSpanExporter()


def current_ids() -> tuple[str, str] | None:
    """(trace_id, span_id) in hex of the span running now, or None (tracing off, no span)."""
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None
    return format(span_context.trace_id, "032x"), format(span_context.span_id, "016x")


def _start_span():
    tracing: Tracing = _tracing()
    parent = _propagator.extract(carrier=request.headers)
    route = request.url_rule.rule if request.url_rule is not None else None
    span = tracing.tracer.start_span(
        f"{request.method} {route}" if route else request.method, context=parent, kind=SpanKind.SERVER,
        attributes={"http.request.method": request.method, "url.path": request.path,
                    "url.scheme": request.scheme, **({"http.route": route} if route else {})})
    g.otel_span = span
    g.otel_token = otel_context.attach(trace.set_span_in_context(span))
    ids = current_ids()
    g.trace_id, g.span_id = ids if ids else (None, None)


def _finish_span(response):
    span = g.get("otel_span")
    if span is None:
        return response
    span.set_attribute("http.response.status_code", response.status_code)
    if g.get("request_id"):
        span.set_attribute("smart.request_id", g.request_id)
    if response.status_code >= 500:
        span.set_status(Status(StatusCode.ERROR))
    carrier: dict[str, str] = {}
    _propagator.inject(carrier, context=trace.set_span_in_context(span))
    for name, value in carrier.items():
        response.headers[name] = value
    return response


def _end_span(error):
    span = g.pop("otel_span", None)
    token = g.pop("otel_token", None)
    if span is not None:
        if error is not None:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR))
        span.end()
    if token is not None:
        try:
            otel_context.detach(token)
        except ValueError:   # a streamed answer ends in another context: the span is ended all the same
            pass


def _tracing() -> Tracing:
    return current_app.extensions["tracing"]
