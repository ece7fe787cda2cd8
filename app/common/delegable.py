"""Which endpoints a community helper may call for a resident, declared by the domain that owns each view.

A resident's consent (app/assistance) names scopes; a request with a delegated
token reaches only the views declared delegable under one of them. The
owning domain marks its own view method:

    @delegable(SUBMIT_DOSSIER, act="dossier_submitted", target="dossier", check=DOSSIER_OF_NAMED_PROCEDURE)
    def post(self, dossier_id): ...

Assistance sits above the domains it opens (they may not import it), so the
scope names and the narrowing checks' names live here, and assistance reads the
declaration of the matched view (`declared`) and applies the checks.
Everything not declared is refused to a delegated token (default deny).
"""
from collections.abc import Callable, Mapping
from dataclasses import dataclass

REGISTER_ACCOUNT = "register_account"   # start a level-1 registration; it completes with the resident's SMS code
SUBMIT_DOSSIER = "submit_dossier"       # start, fill in and submit a dossier of one named procedure
PAY_FEE = "pay_fee"                     # start paying a dossier's fee; the link goes to the resident's phone
READ_STATUS = "read_status"             # the list of the resident's dossiers and their status
FILE_REPORT = "file_report"             # file a citizen report (phản ánh hiện trường) in the resident's name
SCOPES = (REGISTER_ACCOUNT, SUBMIT_DOSSIER, PAY_FEE, READ_STATUS, FILE_REPORT)

# Narrowing checks assistance applies on top of the scope (app/assistance/scopes.py)
NAMED_PROCEDURE = "named_procedure"                         # the body's procedure_id is the consented procedure
DOSSIER_OF_NAMED_PROCEDURE = "dossier_of_named_procedure"   # the resident's dossier is of the consented procedure
CHECKS = (NAMED_PROCEDURE, DOSSIER_OF_NAMED_PROCEDURE)

_ATTRIBUTE = "delegable_as"


@dataclass(frozen=True)
class Delegable:
    scopes: frozenset[str]
    act: str | None = None          # the act-log name; None: not logged there (read-only or logged by the service)
    target: str | None = None       # what the act is about ("dossier", "report", ...)
    check: str | None = None        # one of CHECKS
    needs_account: bool = True      # the resident must have an account (not for assisted registration)


def delegable(*scopes: str, act: str | None = None, target: str | None = None, check: str | None = None,
              needs_account: bool = True) -> Callable:
    """Marks a view method as callable with a delegated token holding one of `scopes`."""
    unknown = set(scopes) - set(SCOPES)
    if not scopes or unknown or (check is not None and check not in CHECKS):
        raise ValueError(f"delegable: unknown scope or check {sorted(unknown) or check}")
    declaration = Delegable(frozenset(scopes), act=act, target=target, check=check, needs_account=needs_account)

    def mark(method: Callable) -> Callable:
        setattr(method, _ATTRIBUTE, declaration)
        return method
    return mark


def declared(view_function: Callable | None, method: str) -> Delegable | None:
    """The declaration of a Flask view function (a MethodView's) for an HTTP method (HEAD is GET)."""
    view_class = getattr(view_function, "view_class", None)
    if view_class is None:
        return None
    handler = getattr(view_class, ("GET" if method == "HEAD" else method).lower(), None)
    return getattr(handler, _ATTRIBUTE, None)


def declarations(view_functions: Mapping[str, Callable]) -> dict[tuple[str, str], tuple[Delegable, type]]:
    """Every declared (endpoint, method) of an application: its declaration and its view class."""
    found = {}
    for endpoint, view_function in view_functions.items():
        view_class = getattr(view_function, "view_class", None)
        for method in sorted(getattr(view_class, "methods", None) or ()):
            declaration = declared(view_function, method)
            if declaration is not None:
                found[(endpoint, method)] = (declaration, view_class)
    return found
