"""What a resident's consent lets a helper do: scopes, and the endpoints each one opens.

Default deny: a request with a delegated token reaches only the endpoints
listed in `RULES` (by Flask endpoint name and method) for a scope the
resident consented to; everything else answers 403 `delegation_scope`,
whatever the endpoint's own role checks would say. Some rules narrow
further (only the named procedure's dossiers). Adding an endpoint a helper
may use means adding it here, with a test.
"""
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from app.assistance.errors import OutsideConsent, ResidentAccountRequired
from app.assistance.models import Delegation
from app.catalog.models import Procedure
from app.dossiers.models import Dossier
from app.extensions import db

REGISTER_ACCOUNT = "register_account"   # start a level-1 registration; it completes with the resident's SMS code
SUBMIT_DOSSIER = "submit_dossier"       # start, fill in and submit a dossier of one named procedure
PAY_FEE = "pay_fee"                     # start paying a dossier's fee; the link goes to the resident's phone
READ_STATUS = "read_status"             # the list of the resident's dossiers and their status
FILE_REPORT = "file_report"             # file a citizen report (phản ánh hiện trường) in the resident's name
SCOPES = (REGISTER_ACCOUNT, SUBMIT_DOSSIER, PAY_FEE, READ_STATUS, FILE_REPORT)
# The scope the payments domain checks on a delegated principal (app.payments.service.PAYMENT_SCOPE)
PAYMENTS_DOMAIN_SCOPE = "payments"


def principal_scopes(scopes) -> frozenset[str]:
    """The scopes a delegated Principal carries (what other domains check)."""
    granted = set(scopes)
    if PAY_FEE in granted:
        granted.add(PAYMENTS_DOMAIN_SCOPE)
    return frozenset(granted)


@dataclass(frozen=True)
class Rule:
    scopes: frozenset[str]
    act: str | None = None          # the act-log name; None: not logged here (read-only or logged by the service)
    target: str | None = None       # what the act is about ("dossier", "document")
    check: Callable[[Delegation, dict, dict], None] | None = None
    needs_account: bool = True      # the resident must have an account (not for assisted registration)


def _rule(*scopes, **kwargs) -> Rule:
    return Rule(frozenset(scopes), **kwargs)


# -- narrowing checks (delegation, view args, JSON body) -----------------------------------

def _named_procedure(delegation: Delegation, _view_args: dict, body: dict) -> None:
    """Starting a dossier: only for the procedure the resident consented to."""
    try:
        procedure = db.session.get(Procedure, uuid.UUID(str(body.get("procedure_id"))))
    except ValueError:
        return  # the endpoint's own validation answers
    if procedure is not None and procedure.code != delegation.procedure_code:
        raise OutsideConsent()


def _dossier_of_named_procedure(delegation: Delegation, view_args: dict, _body: dict) -> None:
    """A dossier of the resident: only one of the consented procedure.

    Another person's dossier, or none, is left to the endpoint (it answers 404).
    """
    dossier = db.session.get(Dossier, view_args.get("dossier_id"))
    if dossier is None or dossier.citizen_account_id != delegation.subject_account_id:
        return
    if dossier.procedure.code != delegation.procedure_code:
        raise OutsideConsent()


SUBMIT_EDIT = dict(check=_dossier_of_named_procedure, target="dossier")

RULES: dict[tuple[str, str], Rule] = {
    # the session itself: what was consented, until when
    ("assistance.CurrentDelegation", "GET"): _rule(*SCOPES, needs_account=False),
    # assisted registration (logged by the assistance service)
    ("assistance.DelegatedRegistration", "POST"): _rule(REGISTER_ACCOUNT, needs_account=False),
    ("assistance.DelegatedRegistrationVerify", "POST"): _rule(REGISTER_ACCOUNT, needs_account=False),
    ("assistance.DelegatedRegistrationResend", "POST"): _rule(REGISTER_ACCOUNT, needs_account=False),
    # dossier submission for the named procedure (the dossiers domain's own endpoints)
    ("catalog.Procedures", "GET"): _rule(SUBMIT_DOSSIER),
    ("catalog.ProcedureById", "GET"): _rule(SUBMIT_DOSSIER),
    ("dossiers.Dossiers", "POST"): _rule(SUBMIT_DOSSIER, act="dossier_started", target="dossier",
                                         check=_named_procedure),
    ("dossiers.DossierById", "GET"): _rule(SUBMIT_DOSSIER, act="dossier_read", **SUBMIT_EDIT),
    ("dossiers.DossierForm", "PATCH"): _rule(SUBMIT_DOSSIER, act="dossier_form_filled", **SUBMIT_EDIT),
    ("dossiers.DossierDocuments", "POST"): _rule(SUBMIT_DOSSIER, act="document_uploaded", **SUBMIT_EDIT),
    ("dossiers.DossierDocument", "DELETE"): _rule(SUBMIT_DOSSIER, act="document_removed", **SUBMIT_EDIT),
    ("dossiers.SubmitDossier", "POST"): _rule(SUBMIT_DOSSIER, act="dossier_submitted", **SUBMIT_EDIT),
    ("dossiers.DossierTimeline", "GET"): _rule(SUBMIT_DOSSIER, **SUBMIT_EDIT),
    # a complaint about the resident's dossier or the consented procedure (service quality)
    ("quality.Complaints", "POST"): _rule(SUBMIT_DOSSIER, act="complaint_filed", target="complaint"),
    # status of the resident's dossiers: the summary list only (no form values)
    ("dossiers.Dossiers", "GET"): _rule(READ_STATUS, act="status_read"),
    # fees: through the assistance endpoints, which never hand the payment link to the helper
    ("assistance.DelegatedPayments", "POST"): _rule(PAY_FEE),
    ("assistance.DelegatedPaymentById", "GET"): _rule(PAY_FEE),
    # citizen reports in the resident's name (the report records the helper too)
    ("reports.Categories", "GET"): _rule(FILE_REPORT),
    ("reports.Nearby", "GET"): _rule(FILE_REPORT),
    ("reports.Reports", "POST"): _rule(FILE_REPORT, act="report_filed", target="report"),
}


def rule_for(endpoint: str | None, method: str) -> Rule | None:
    method = "GET" if method == "HEAD" else method
    return RULES.get((endpoint or "", method))


def enforce(delegation: Delegation, endpoint: str | None, method: str, view_args: dict, body: dict) -> Rule:
    """The rule that lets this request through, or the refusal (403)."""
    rule = rule_for(endpoint, method)
    if rule is None or not rule.scopes & set(delegation.scopes):
        raise OutsideConsent(errors={"endpoint": [f"{method} {endpoint}"]})
    if rule.needs_account and delegation.subject_account_id is None:
        raise ResidentAccountRequired()
    if rule.check is not None:
        rule.check(delegation, view_args or {}, body or {})
    return rule
