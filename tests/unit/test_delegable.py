"""Delegable endpoints are declared on their own views by their own domain; the set is the one consent opens."""
import pytest

from app.assistance import scopes
from app.common import delegable

# What a delegated token opens, as it was when assistance listed other domains' endpoint names itself:
# (endpoint, method, scopes, act, target, narrowing check, the resident must have an account)
OPENED = {
    ("assistance.CurrentDelegation", "GET",
     ("file_report", "pay_fee", "read_status", "register_account", "submit_dossier"), None, None, None, False),
    ("assistance.DelegatedPaymentById", "GET", ("pay_fee",), None, None, None, True),
    ("assistance.DelegatedPayments", "POST", ("pay_fee",), None, None, None, True),
    ("assistance.DelegatedRegistration", "POST", ("register_account",), None, None, None, False),
    ("assistance.DelegatedRegistrationResend", "POST", ("register_account",), None, None, None, False),
    ("assistance.DelegatedRegistrationVerify", "POST", ("register_account",), None, None, None, False),
    ("catalog.ProcedureById", "GET", ("submit_dossier",), None, None, None, True),
    ("catalog.Procedures", "GET", ("submit_dossier",), None, None, None, True),
    ("dossiers.DossierById", "GET", ("submit_dossier",), "dossier_read", "dossier", "dossier_of_named_procedure",
     True),
    ("dossiers.DossierDocument", "DELETE", ("submit_dossier",), "document_removed", "dossier",
     "dossier_of_named_procedure", True),
    ("dossiers.DossierDocuments", "POST", ("submit_dossier",), "document_uploaded", "dossier",
     "dossier_of_named_procedure", True),
    ("dossiers.DossierForm", "PATCH", ("submit_dossier",), "dossier_form_filled", "dossier",
     "dossier_of_named_procedure", True),
    ("dossiers.DossierTimeline", "GET", ("submit_dossier",), None, "dossier", "dossier_of_named_procedure", True),
    ("dossiers.Dossiers", "GET", ("read_status",), "status_read", None, None, True),
    ("dossiers.Dossiers", "POST", ("submit_dossier",), "dossier_started", "dossier", "named_procedure", True),
    ("dossiers.SubmitDossier", "POST", ("submit_dossier",), "dossier_submitted", "dossier",
     "dossier_of_named_procedure", True),
    ("quality.Complaints", "POST", ("submit_dossier",), "complaint_filed", "complaint", None, True),
    ("reports.Categories", "GET", ("file_report",), None, None, None, True),
    ("reports.Nearby", "GET", ("file_report",), None, None, None, True),
    ("reports.Reports", "POST", ("file_report",), "report_filed", "report", None, True),
}


@pytest.fixture
def context(app):
    with app.app_context():
        yield app


def test_the_declared_endpoints_are_exactly_those_consent_opened(context):
    declared = {(endpoint, method, tuple(sorted(d.scopes)), d.act, d.target, d.check, d.needs_account)
                for (endpoint, method), (d, _view) in delegable.declarations(context.view_functions).items()}
    assert declared == OPENED


def test_assistance_checks_them_as_declared(context):
    checks = {check: name for name, check in scopes.CHECKS.items()}
    enforced = {(endpoint, method, tuple(sorted(rule.scopes)), rule.act, rule.target, checks.get(rule.check),
                 rule.needs_account) for (endpoint, method), rule in scopes.rules().items()}
    assert enforced == OPENED
    assert scopes.rule_for("dossiers.Dossiers", "HEAD") is scopes.rule_for("dossiers.Dossiers", "GET")


def test_every_delegable_endpoint_is_declared_by_its_own_domain(context):
    found = delegable.declarations(context.view_functions)
    assert found
    for (endpoint, _method), (_declaration, view) in found.items():
        blueprint = endpoint.split(".")[0]
        assert view.__module__.split(".")[:2] == ["app", blueprint], (endpoint, view.__module__)


def test_a_declaration_names_known_scopes_and_checks():
    with pytest.raises(ValueError):
        delegable.delegable("everything")
    with pytest.raises(ValueError):
        delegable.delegable()
    with pytest.raises(ValueError):
        delegable.delegable(delegable.READ_STATUS, check="anything_goes")
    assert delegable.declared(None, "GET") is None
