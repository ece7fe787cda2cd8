"""Each error code means one HTTP status, across every domain.

A client branches on `code`; if one code came with two statuses, the code
would not say what happened. The walk covers every `AppError` class in
`app/errors.py`, `app/common/errors.py` and `app/<domain>/errors.py` (the
status and code a class inherits count too), Flask's own errors
(`HTTP_ERRORS`), and the codes raised from a state machine's refusal tables
(`code=error.code`, the only dynamic codes: `tests/unit/test_architecture.py`
refuses a literal one).
"""
import importlib
import inspect
from collections import defaultdict
from pathlib import Path

import pytest

import app as app_package
from app.dossiers import transitions as dossier_transitions
from app.errors import HTTP_ERRORS, AppError
from app.reports import errors as report_errors

APP = Path(app_package.__file__).parent

# Codes still shared by two statuses, with the owners' files: only ever shrinks (the test below
# fails when an entry is no longer needed). Empty: every code means one status.
NOT_YET_ONE_STATUS: dict[str, dict[int, set[str]]] = {}


def errors_modules() -> list[str]:
    domains = sorted(path.parent.name for path in APP.glob("*/errors.py") if path.parent.name != "common")
    return ["app.errors", "app.common.errors", *(f"app.{domain}.errors" for domain in domains)]


def error_classes():
    for module_name in errors_modules():
        module = importlib.import_module(module_name)
        for name, cls in vars(module).items():
            if inspect.isclass(cls) and issubclass(cls, AppError) and cls.__module__ == module_name:
                yield f"{module_name}.{name}", cls


def statuses_by_code() -> dict[str, dict[int, set[str]]]:
    found: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for where, cls in error_classes():
        found[cls.code][cls.status].add(where)
    for status, (code, _message) in HTTP_ERRORS.items():
        found[code][status].add(f"app.errors.HTTP_ERRORS[{status}]")
    # raised as Forbidden / RefusedAction (403) and Conflict (409) with the state machines' codes
    for code in dossier_transitions.REFUSALS:
        found[code][403].add("app.dossiers.transitions.REFUSALS")
    found["fee_unpaid"][409].add("app.dossiers.transitions (GuardFailed)")
    for code in report_errors.REFUSALS:
        found[code][403].add("app.reports.errors.REFUSALS")
    return {code: dict(statuses) for code, statuses in found.items()}


def shared(found: dict[str, dict[int, set[str]]]) -> dict[str, dict[int, set[str]]]:
    return {code: statuses for code, statuses in found.items() if len(statuses) > 1}


def test_the_walk_sees_every_domains_errors_module():
    modules = errors_modules()
    assert {"app.errors", "app.common.errors", "app.payments.errors", "app.notifications.errors",
            "app.catalog.errors", "app.identity.errors", "app.dossiers.errors"} <= set(modules)
    assert len(modules) == len(list(APP.glob("*/errors.py"))) + 1


def test_each_error_code_is_answered_with_one_status():
    unexpected = {code: statuses for code, statuses in shared(statuses_by_code()).items()
                  if code not in NOT_YET_ONE_STATUS}
    assert unexpected == {}, "give each meaning its own code (e.g. invalid_ipn_signature, not invalid_signature)"


def test_an_unknown_procedure_code_in_a_body_is_not_a_missing_procedure():
    found = statuses_by_code()
    assert found["procedure_not_found"] == {404: {"app.catalog.errors.ProcedureNotFound"}}
    assert found["unknown_procedure"] == {422: {"app.assistance.errors.ProcedureNotFound",
                                                "app.quality.errors.ProcedureUnknown"}}


def test_signature_refusals_have_a_code_per_meaning():
    found = statuses_by_code()
    assert found["invalid_signature"] == {422: {"app.payments.errors.BadGatewaySignature"}}
    assert found["invalid_ipn_signature"] == {400: {"app.payments.errors.IpnSignatureRefused"}}
    assert found["invalid_callback_signature"] == {401: {"app.notifications.errors.InvalidSignature"}}


def test_the_walk_would_catch_a_code_used_with_two_statuses_even_through_inheritance(monkeypatch):
    from app.payments.errors import IpnSignatureRefused

    class LaterRefusal(IpnSignatureRefused):        # inherits code "invalid_ipn_signature"
        status = 409

    real = error_classes
    monkeypatch.setitem(globals(), "error_classes",
                        lambda: [*real(), ("app.payments.errors.LaterRefusal", LaterRefusal)])
    assert shared(statuses_by_code())["invalid_ipn_signature"] == {
        400: {"app.payments.errors.IpnSignatureRefused"}, 409: {"app.payments.errors.LaterRefusal"}}
