"""What a resident's consent lets a helper do: scopes, and the endpoints each one opens.

Default deny: a request with a delegated token reaches only the views their
own domain declared delegable (`app.common.delegable.delegable`) for a scope
the resident consented to; everything else answers 403 `delegation_scope`,
whatever the endpoint's own role checks would say. Some declarations ask for
a narrowing check (only the named procedure's dossiers), applied here.
Opening an endpoint to helpers means declaring it on its view, with a test.
"""
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from app.assistance.errors import OutsideConsent, ResidentAccountRequired
from app.assistance.models import Delegation
from app.catalog import public as catalog
from app.common import delegable
from app.common.delegable import (  # noqa: F401  (the scopes, named where assistance uses them)
    FILE_REPORT, PAY_FEE, READ_STATUS, REGISTER_ACCOUNT, SCOPES, SUBMIT_DOSSIER,
)
from app.dossiers import public as dossiers

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


# -- narrowing checks (delegation, view args, JSON body) -----------------------------------

def _named_procedure(delegation: Delegation, _view_args: dict, body: dict) -> None:
    """Starting a dossier: only for the procedure the resident consented to."""
    try:
        code = catalog.procedure_code(uuid.UUID(str(body.get("procedure_id"))))
    except ValueError:
        return  # the endpoint's own validation answers
    if code is not None and code != delegation.procedure_code:
        raise OutsideConsent()


def _dossier_of_named_procedure(delegation: Delegation, view_args: dict, _body: dict) -> None:
    """A dossier of the resident: only one of the consented procedure.

    Another person's dossier, or none, is left to the endpoint (it answers 404).
    """
    dossier = dossiers.dossier_owner(view_args.get("dossier_id"))
    if dossier is None or dossier.citizen_account_id != delegation.subject_account_id:
        return
    if dossier.procedure_code != delegation.procedure_code:
        raise OutsideConsent()


CHECKS: dict[str, Callable[[Delegation, dict, dict], None]] = {
    delegable.NAMED_PROCEDURE: _named_procedure,
    delegable.DOSSIER_OF_NAMED_PROCEDURE: _dossier_of_named_procedure,
}


def _rule(declaration: delegable.Delegable) -> Rule:
    return Rule(declaration.scopes, act=declaration.act, target=declaration.target,
                check=CHECKS[declaration.check] if declaration.check else None,
                needs_account=declaration.needs_account)


def rules() -> dict[tuple[str, str], Rule]:
    """The application's delegable (endpoint, method) pairs and their rules, read once from the views."""
    table = current_app.extensions.get("assistance_rules")
    if table is None:
        table = current_app.extensions["assistance_rules"] = {
            key: _rule(declaration)
            for key, (declaration, _view) in delegable.declarations(current_app.view_functions).items()}
    return table


def rule_for(endpoint: str | None, method: str) -> Rule | None:
    method = "GET" if method == "HEAD" else method
    return rules().get((endpoint or "", method))


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
