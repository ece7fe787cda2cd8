"""Property-based fuzzing of every operation in the app's own OpenAPI document.

Schemathesis reads /api/v1/openapi.json through the WSGI app (no network) and,
for each operation, sends generated requests, valid and invalid: public
operations anonymously; operations that take a bearer token as a logged-in
level-2 citizen, and a few times without a valid token (which must answer 401).
Every response must:

- not be a server error (5xx);
- have a status code the operation documents explicitly (flask-smorest adds a
  catch-all "default" response to every operation, which would otherwise
  allow any status), apart from the few statuses any endpoint may answer
  (GENERIC_STATUSES);
- have a documented content type and a body matching the documented schema.

New endpoints are covered without touching this file. Generation is seeded and
bounded so the run is fast and reproducible; each operation runs inside the
rolled-back per-test transaction of tests/conftest.py.
"""
import json
import os

import pytest
import schemathesis
from flask.globals import _cv_app
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from app import create_app
from app.config import TestingConfig
from app.extensions import limiter
from tests.factories import AccountFactory, RegistryCitizenFactory, bearer

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", 25))
REFUSAL_EXAMPLES = 5

# Statuses the framework may answer on any operation, always in the error
# envelope (checked against the "default" response schema): a rate limit and
# request bodies the server refuses before any view runs. A 400 is accepted
# only for a body that is not JSON at all (see _body_is_not_json) and for text
# with a NUL character (app.common.input_guard).
GENERIC_STATUSES = {413, 415, 429}

# Operations whose known defects are tracked elsewhere: {"METHOD /path": reason}.
# Keep this empty; an entry is a bug, not a design decision.
KNOWN_DEFECTS: dict[str, str] = {}


def _load(max_examples: int, coverage: bool):
    config = schemathesis.Config.from_dict({
        "seed": 2025,
        "generation": {"mode": "all", "max-examples": max_examples},
        "phases": {"coverage": {"enabled": coverage}},
    })
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _SPEC_APP, config=config)


# An app used only to serve the document; requests go to the test session's app.
_SPEC_APP = create_app(TestingConfig({"TEST_DATABASE_URL": "sqlite://"}))
# Full generation (seeded examples, boundary cases, then random valid and invalid inputs)
schema = _load(MAX_EXAMPLES, coverage=True)
# A token-protected operation without a token only has to refuse: a few inputs suffice
refusal_schema = _load(REFUSAL_EXAMPLES, coverage=False)


@schemathesis.check
def documented_status_code(ctx, response, case):
    """The status is one the operation lists, not only covered by "default"."""
    documented = {code for code in case.operation.responses.status_codes if code != "default"}
    status = response.status_code
    if case.method.upper() != case.operation.method.upper():
        return _check_method_probe(case, status)
    if str(status) in documented or f"{str(status)[0]}XX" in documented or status in GENERIC_STATUSES:
        return None
    if status == 400 and (_body_is_not_json(response) or _error_code(response) == "invalid_characters"):
        return None
    raise AssertionError(
        f"{case.operation.label} answered {status}, which it does not document "
        f"(documented: {', '.join(sorted(documented))})")


def _check_method_probe(case, status):
    """A method the operation does not have: Flask answers OPTIONS and HEAD itself, 405 otherwise.

    The bearer token is checked before routing, so a bad token gets 401 first.
    """
    method = case.method.upper()
    if method == "HEAD" or (method == "OPTIONS" and status == 200) or status in (401, 405):
        return None
    raise AssertionError(f"{method} {case.operation.path} answered {status}; expected 405")


def _body_is_not_json(response) -> bool:
    """The request claimed JSON but its body does not parse: a 400 `bad_request` before any view."""
    sent = response.request.body
    if not sent or "json" not in (response.request.headers.get("Content-Type") or ""):
        return False
    try:
        json.loads(sent)
    except ValueError:
        return _error_code(response) == "bad_request"
    return False


def _error_code(response):
    try:
        return json.loads(response.content).get("code")
    except (ValueError, AttributeError):
        return None


CHECKS = [
    not_a_server_error,
    documented_status_code,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _isolated(app):
    """The WSGI app, each request in its own app context (as IsolatedClient does)."""

    def wsgi(environ, start_response):
        token = _cv_app.set(None)
        try:
            return app(environ, start_response)
        finally:
            _cv_app.reset(token)

    return wsgi


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Fuzzing exhausts rate limits; later tests must start with fresh counters."""
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def citizen_headers(db_session):
    citizen = RegistryCitizenFactory(biometric_enrolled=True)
    account = AccountFactory(citizen=citizen, level=2)
    return bearer(account, level=2, methods=("pwd", "totp"))


def _skip_known_defect(case):
    reason = KNOWN_DEFECTS.get(case.operation.label)
    if reason:
        pytest.xfail(reason)


def _settings(max_examples: int):
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )


def _needs_a_token(ctx) -> bool:
    return bool(ctx.operation.definition.raw.get("security"))


@schema.exclude(_needs_a_token).parametrize()
@_settings(MAX_EXAMPLES)
def test_public(case, app):
    _skip_known_defect(case)
    case.call_and_validate(app=_isolated(app), checks=CHECKS)


@schema.include(_needs_a_token).parametrize()
@_settings(MAX_EXAMPLES)
def test_as_citizen(case, app, citizen_headers):
    _skip_known_defect(case)
    case.call_and_validate(app=_isolated(app), checks=CHECKS, headers=citizen_headers)


@refusal_schema.include(_needs_a_token).parametrize()
@_settings(REFUSAL_EXAMPLES)
def test_without_token(case, app):
    _skip_known_defect(case)
    response = case.call_and_validate(app=_isolated(app), checks=CHECKS)
    if case.method.upper() != case.operation.method.upper():
        return
    # a path parameter the route's converter refuses (not a UUID) matches no route: 404;
    # text with a NUL character is refused before any view (app.common.input_guard): 400
    routing_miss = response.status_code == 404 and _error_code(response) == "not_found"
    refused_text = response.status_code == 400 and _error_code(response) == "invalid_characters"
    assert response.status_code == 401 or routing_miss or refused_text, (
        f"{case.operation.label} without a valid token answered {response.status_code}")
