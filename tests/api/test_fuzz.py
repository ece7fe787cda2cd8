"""Property-based fuzzing of every operation in the app's own OpenAPI document.

Schemathesis reads /api/v1/openapi.json through the WSGI app (no network) and,
for each operation, sends generated requests, valid and invalid, once
anonymously and once as a logged-in level-2 citizen. Every response must:

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

# Statuses the framework may answer on any operation, always in the error
# envelope (checked against the "default" response schema): a rate limit and
# request bodies the server refuses before any view runs.
GENERIC_STATUSES = {413, 415, 429}

# Operations whose known defects are tracked elsewhere: {"METHOD /path": reason}.
# Keep this empty; an entry is a bug, not a design decision.
KNOWN_DEFECTS: dict[str, str] = {}


def _spec_app():
    """An app used only to serve the document; requests go to the test app."""
    return create_app(TestingConfig({"TEST_DATABASE_URL": "sqlite://"}))


CONFIG = schemathesis.Config.from_dict({
    "seed": 2025,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": False},
})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _spec_app(), config=CONFIG)


@schemathesis.check
def documented_status_code(ctx, response, case):
    """The status is one the operation lists, not only covered by "default"."""
    documented = {code for code in case.operation.responses.status_codes if code != "default"}
    status = response.status_code
    if status == 405 and case.method.upper() != case.operation.method.upper():
        return None  # an undocumented method was probed: 405 is the right answer
    if str(status) in documented or f"{str(status)[0]}XX" in documented or status in GENERIC_STATUSES:
        return None
    raise AssertionError(
        f"{case.operation.label} answered {status}, which it does not document "
        f"(documented: {', '.join(sorted(documented))})")


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


_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@schema.parametrize()
@_SETTINGS
def test_anonymous(case, app):
    _skip_known_defect(case)
    case.call_and_validate(app=_isolated(app), checks=CHECKS)


@schema.parametrize()
@_SETTINGS
def test_as_citizen(case, app, citizen_headers):
    _skip_known_defect(case)
    case.call_and_validate(app=_isolated(app), checks=CHECKS, headers=citizen_headers)
