"""Authorisation helpers used by every domain's routes.

`app.identity.authn` authenticates the bearer token before each request and
puts a `Principal` on `g`; these helpers only read it:

    @blp.route("/dossiers")
    class Dossiers(MethodView):
        @require_role(CITIZEN)
        @require_level(2)
        def post(self): principal = current_principal(); ...

Refusals: 401 `unauthorized` without a valid token, 403 `forbidden_role`,
403 `step_up_required` when the session's level is too low (the client then
asks for level 2 with TOTP or QR), 403 `out_of_scope` for staff outside their
agency or commune.
"""
import functools
import uuid
from dataclasses import dataclass, field

from flask import g

from app.common.errors import OutOfScope, RoleRequired, StepUpRequired
from app.errors import Unauthorized


@dataclass(frozen=True)
class Principal:
    account_id: uuid.UUID
    role: str
    level: int
    methods: tuple[str, ...]
    session_id: uuid.UUID
    device_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None
    commune_code: str | None = None
    # Delegation: a community helper (actor) acting for this account within scopes
    actor_id: uuid.UUID | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_delegated(self) -> bool:
        return self.actor_id is not None


def optional_principal() -> Principal | None:
    """Who is calling, or None for an anonymous caller (public reads)."""
    return g.get("principal")


def current_principal() -> Principal:
    principal = g.get("principal")
    if principal is None:
        raise Unauthorized()
    return principal


def _document(wrapper, *statuses):
    """Adds bearer security and the refusals to the endpoint's OpenAPI doc."""
    doc = getattr(wrapper, "_apidoc", {})
    manual = doc.setdefault("manual_doc", {})
    manual["security"] = [{"bearerAuth": []}]
    responses = manual.setdefault("responses", {})
    names = {401: "UNAUTHORIZED", 403: "FORBIDDEN"}
    for status in statuses:
        responses[status] = names[status]
    wrapper._apidoc = doc
    return wrapper


def require_auth(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        current_principal()
        return view(*args, **kwargs)
    return _document(wrapper, 401)


def require_role(*roles: str):
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if current_principal().role not in roles:
                raise RoleRequired()
            return view(*args, **kwargs)
        return _document(wrapper, 401, 403)
    return decorator


def require_level(level: int):
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if current_principal().level < level:
                raise StepUpRequired(errors={"required_level": [str(level)]})
            return view(*args, **kwargs)
        return _document(wrapper, 401, 403)
    return decorator


def ensure_staff_scope(principal: Principal, *, agency_id=None, commune_code=None) -> None:
    """Staff act only within their agency and commune (admins and leaders everywhere)."""
    if principal.role in ("admin", "leader"):
        return
    if agency_id is not None and principal.agency_id != agency_id:
        raise OutOfScope()
    if commune_code is not None and principal.commune_code not in (None, commune_code):
        raise OutOfScope()
