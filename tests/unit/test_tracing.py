"""OpenTelemetry traces (app/common/tracing.py): a span per request, W3C trace context, trace ids in the logs."""
import io
import json
import logging

import pytest
from flask import Blueprint, jsonify
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from app import create_app
from app.common.errors import ConfigurationError
from app.common.tracing import tracing_kind
from app.config import TestingConfig
from tests.unit.conftest import NOWHERE

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
INCOMING = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


def _probe() -> Blueprint:
    bp = Blueprint("trace_probe", __name__, url_prefix="/_trace")

    @bp.get("/items/<int:number>")
    def item(number):
        logging.getLogger("app.probe").warning("looking at item %s", number)
        if number == 500:
            raise RuntimeError("boom")
        return jsonify(number=number)

    return bp


@pytest.fixture(scope="module")
def traced():
    exporter = InMemorySpanExporter()
    config = TestingConfig({"TEST_DATABASE_URL": NOWHERE, "MOCK_GATEWAYS": "false", "TRACING": "console"})
    config.TRACING_EXPORTER = exporter
    application = create_app(config)
    application.register_blueprint(_probe())
    return application, exporter


def _spans(traced):
    application, exporter = traced
    application.extensions["tracing"].provider.force_flush()
    spans = exporter.get_finished_spans()
    exporter.clear()
    return spans


def test_a_request_runs_in_a_server_span_with_its_route_and_status(traced):
    application, _ = traced
    _spans(traced)
    response = application.test_client().get("/_trace/items/7")
    assert response.status_code == 200
    (span,) = _spans(traced)
    assert span.name == "GET /_trace/items/<int:number>"
    assert span.kind == SpanKind.SERVER
    assert span.attributes["http.route"] == "/_trace/items/<int:number>"
    assert span.attributes["url.path"] == "/_trace/items/7"
    assert span.attributes["http.request.method"] == "GET"
    assert span.attributes["http.response.status_code"] == 200
    assert span.attributes["smart.request_id"] == response.headers["X-Request-ID"]
    assert span.status.status_code == StatusCode.UNSET
    assert span.resource.attributes["service.name"] == "smart-province"


def test_an_error_answer_marks_the_span_as_failed(traced):
    application, _ = traced
    _spans(traced)
    application.testing = False        # the app's own 500 handler, as in production
    try:
        response = application.test_client().get("/_trace/items/500")
    finally:
        application.testing = True
    assert response.status_code == 500
    (span,) = _spans(traced)
    assert span.attributes["http.response.status_code"] == 500
    assert span.status.status_code == StatusCode.ERROR


def test_an_incoming_traceparent_is_continued_and_the_answer_carries_the_context(traced):
    application, _ = traced
    _spans(traced)
    response = application.test_client().get("/healthz", headers={"traceparent": INCOMING})
    (span,) = _spans(traced)
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert format(span.parent.span_id, "016x") == "00f067aa0ba902b7"
    assert response.headers["traceparent"] == f"00-{TRACE_ID}-{format(span.context.span_id, '016x')}-01"


def test_without_traceparent_a_new_trace_starts_and_is_answered(traced):
    application, _ = traced
    _spans(traced)
    response = application.test_client().get("/healthz")
    (span,) = _spans(traced)
    assert span.parent is None
    version, trace_id, span_id, flags = response.headers["traceparent"].split("-")
    assert (trace_id, span_id) == (format(span.context.trace_id, "032x"), format(span.context.span_id, "016x"))


def test_a_malformed_traceparent_starts_a_new_trace(traced):
    application, _ = traced
    _spans(traced)
    application.test_client().get("/healthz", headers={"traceparent": "00-zzzz-not-a-trace"})
    (span,) = _spans(traced)
    assert span.parent is None and span.context.trace_id != 0


def test_every_log_line_of_the_request_carries_the_trace_id(traced):
    application, _ = traced
    _spans(traced)
    logger = logging.getLogger("app")
    (handler,) = [h for h in logger.handlers if h.filters]   # the app's JSON line handler, with its filter
    buffer, level = io.StringIO(), logger.level
    previous = handler.setStream(buffer)
    logger.setLevel(logging.INFO)
    try:
        response = application.test_client().get("/_trace/items/3", headers={"traceparent": INCOMING})
    finally:
        handler.setStream(previous)
        logger.setLevel(level)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    (span,) = _spans(traced)
    probe = next(line for line in lines if line["logger"] == "app.probe")
    request_line = next(line for line in lines if line["logger"] == "app.request")
    for line in (probe, request_line):
        assert line["trace_id"] == TRACE_ID
        assert line["span_id"] == format(span.context.span_id, "016x")
        assert line["request_id"] == response.headers["X-Request-ID"]


def test_off_by_default_nothing_is_installed(app):
    """The unit tests' app is configured like a default deployment: no tracing."""
    assert app.config["TRACING"] == ""
    assert "tracing" not in app.extensions
    hooks = [f.__module__ for f in app.before_request_funcs[None] + app.after_request_funcs[None]]
    assert "app.common.tracing" not in hooks
    assert not isinstance(trace.get_tracer_provider(), TracerProvider)   # the global provider is left alone
    logger = logging.getLogger("app")
    record = logging.LogRecord("app.x", logging.WARNING, __file__, 1, "no span here", None, None)
    for handler in logger.handlers:
        for f in handler.filters:
            f.filter(record)
    assert not hasattr(record, "trace_id")


def test_off_the_answer_has_no_trace_header(app):
    response = app.test_client().get("/healthz", headers={"traceparent": INCOMING})
    assert response.status_code == 200
    assert "traceparent" not in response.headers


@pytest.mark.parametrize("environ, kind", [
    ({}, ""),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, "otlp"),
    ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, "otlp"),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "TRACING": "off"}, ""),
    ({"TRACING": "console"}, "console"),
    ({"TRACING": " OTLP "}, "otlp"),
    ({"TRACING": ""}, ""),
])
def test_the_tracing_setting(environ, kind):
    assert tracing_kind(environ) == kind


def test_an_unknown_tracing_setting_is_refused():
    with pytest.raises(ConfigurationError, match="TRACING"):
        tracing_kind({"TRACING": "jaeger"})


def test_otlp_builds_the_otlp_exporter(monkeypatch):
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    from app.common.tracing import _exporter

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector.invalid:4318")
    exporter = _exporter("otlp")
    assert isinstance(exporter, OTLPSpanExporter)
    exporter.shutdown()
