"""An authorization request from arrival to the redirect back: validate, log in, step up, consent.

1. `open_request` checks the client and the redirect URI first: when either is
   wrong the error is shown on our page and nobody is redirected (no open
   redirect). Then Authlib validates the rest (response type, scopes, PKCE
   S256, nonce, prompt) and errors go back to the client's redirect URI.
   The request is stored (10 minutes) and the browser continues with its id.
2. `next_step` says what the citizen must still do: log in (none yet, or
   `prompt=login`, or `max_age` passed), step up to level 2 with the bound
   device, consent, or nothing: `finish` then issues the code.
PAR (RFC 9126): `push_request` stores the validated parameters for a client
authenticated at the PAR endpoint and returns a one-time `request_uri`.
"""
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from authlib.oauth2.rfc6749.errors import InvalidRequestError, OAuth2Error
from sqlalchemy import select, update

from app.common.clock import utcnow
from app.common.pagination import paginate
from app.extensions import db
from app.identity.audit import audit
from app.oidc.assurance import requested_level
from app.oidc.authorization import hash_value, oauth_request, server
from app.oidc.clients import find_client
from app.oidc.errors import (
    ConsentNotFound, ConsentRequired, InteractionRequired, InvalidRedirectUri, RequestExpired, UnknownClient,
    UnmetAuthenticationRequirements,
)
from app.oidc.models import OidcAuthRequest, OidcClient, OidcConsent, OidcToken
from app.oidc.people import EndUser
from app.oidc.settings import settings

REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
LOGIN, STEP_UP, CONSENT, DONE = "login", "step_up", "consent", "done"


@dataclass(frozen=True)
class Pending:
    request: OidcAuthRequest
    client: OidcClient
    level: int

    @property
    def params(self) -> dict:
        return self.request.params

    @property
    def scopes(self) -> list[str]:
        return (self.params.get("scope") or "").split()

    @property
    def prompts(self) -> list[str]:
        return (self.params.get("prompt") or "").split()


def _single_values(params) -> dict:
    return {key: params.get(key) for key in params.keys()} if hasattr(params, "keys") else dict(params)


def check_client_and_redirect(params: dict) -> OidcClient:
    """The client and its exact redirect URI, or a page error (never a redirect)."""
    client = find_client(params.get("client_id"))
    if client is None or not client.active:
        raise UnknownClient()
    if params.get("redirect_uri") not in (client.redirect_uris or []):
        audit("oidc.redirect_uri_refused", ok=False, client_id=client.client_id)
        raise InvalidRedirectUri()
    return client


def _validate(params: dict, client: OidcClient, user: EndUser | None) -> int:
    """Authlib's validation plus ours; returns the level to reach. Raises OAuth2Error."""
    if "request_uri" in params or "request" in params:
        raise InvalidRequestError("request and request_uri are not accepted here.",
                                  redirect_uri=params["redirect_uri"])
    server().get_consent_grant(request=oauth_request(params), end_user=user)
    level = requested_level(params.get("acr_values"), client.allowed_acr)
    if level is None:
        raise InvalidRequestError("No acr value asked for is allowed for this client.",
                                  redirect_uri=params["redirect_uri"])
    if params.get("max_age") not in (None, "") and not str(params["max_age"]).isdigit():
        raise InvalidRequestError("max_age must be a number of seconds.", redirect_uri=params["redirect_uri"])
    return level


def open_request(raw_params, user: EndUser | None) -> OidcAuthRequest:
    """Validates an authorization request (or resolves a pushed one) and stores it."""
    params = _single_values(raw_params)
    if params.get("request_uri"):
        params = _pushed(params)
    client = check_client_and_redirect(params)
    _validate(params, client, user)
    stored = OidcAuthRequest(client_id=client.client_id, params=params,
                             expires_at=utcnow() + timedelta(seconds=settings().request_ttl_seconds))
    db.session.add(stored)
    db.session.commit()
    audit("oidc.authorize_started", client_id=client.client_id, request_id=stored.id)
    return stored


def push_request(client_id: str, raw_params) -> tuple[str, int]:
    """PAR: the authenticated client's request, checked now, redeemable once by `request_uri`."""
    params = _single_values(raw_params)
    for name in ("client_assertion", "client_assertion_type", "client_secret"):
        params.pop(name, None)
    if params.get("client_id") not in (None, client_id):
        raise InvalidRequestError("client_id does not match the authenticated client.")
    params["client_id"] = client_id
    if "request_uri" in params:
        raise InvalidRequestError("request_uri is not accepted at the PAR endpoint.")
    client = find_client(client_id)
    if params.get("redirect_uri") not in (client.redirect_uris or []):
        raise InvalidRequestError("redirect_uri is not registered for this client.")
    try:
        _validate(params, client, None)
    except OAuth2Error as error:
        error.redirect_uri = None            # PAR answers the client directly
        raise
    reference = secrets.token_urlsafe(32)
    ttl = settings().par_ttl_seconds
    db.session.add(OidcAuthRequest(client_id=client_id, params=params, request_uri_hash=hash_value(reference),
                                   expires_at=utcnow() + timedelta(seconds=ttl)))
    db.session.commit()
    audit("oidc.par_stored", client_id=client_id)
    return REQUEST_URI_PREFIX + reference, ttl


def _pushed(params: dict) -> dict:
    reference = str(params["request_uri"]).removeprefix(REQUEST_URI_PREFIX)
    row = db.session.scalar(select(OidcAuthRequest).where(OidcAuthRequest.request_uri_hash == hash_value(reference)))
    if row is None or row.client_id != params.get("client_id"):
        raise RequestExpired()
    taken = db.session.execute(update(OidcAuthRequest).where(
        OidcAuthRequest.id == row.id, OidcAuthRequest.consumed_at.is_(None),
        OidcAuthRequest.expires_at > utcnow()).values(consumed_at=utcnow())).rowcount
    if not taken:
        raise RequestExpired()
    return dict(row.params)


def pending(request_id) -> Pending:
    """A stored request still open (not finished, not expired), or RequestExpired."""
    try:
        row = db.session.get(OidcAuthRequest, uuid.UUID(str(request_id)))
    except ValueError:
        row = None
    if row is None or row.request_uri_hash is not None or row.consumed_at is not None or row.expires_at <= utcnow():
        raise RequestExpired()
    client = find_client(row.client_id)
    if client is None or not client.active:
        raise RequestExpired()
    return Pending(row, client, requested_level(row.params.get("acr_values"), client.allowed_acr) or 2)


def next_step(request: Pending, user: EndUser | None, *, fresh_login: bool) -> str:
    """LOGIN, STEP_UP, CONSENT or DONE. Raises OAuth2Error for prompt=none or an unreachable level."""
    params, prompts = request.params, request.prompts
    step = DONE
    if user is None or ("login" in prompts and not fresh_login):
        step = LOGIN
    elif params.get("max_age") not in (None, "") and (
            utcnow() - user.auth_time).total_seconds() > int(params["max_age"]) and not fresh_login:
        step = LOGIN
    elif request.level > user.level:
        if user.account_level < request.level:
            audit("oidc.level_unmet", ok=False, account_id=user.account_id, client_id=request.client.client_id)
            raise UnmetAuthenticationRequirements(
                "This account cannot reach the assurance level asked for.",
                redirect_uri=params["redirect_uri"])
        step = STEP_UP
    elif "consent" in prompts or not has_consent(user.account_id, request.client.client_id, request.scopes):
        step = CONSENT
    if step != DONE and "none" in prompts:
        error = ConsentRequired if step == CONSENT else InteractionRequired
        raise error(redirect_uri=params["redirect_uri"])
    return step


def finish(request: Pending, user: EndUser | None):
    """The redirect back to the client: with a code (user given) or access_denied (None)."""
    taken = db.session.execute(update(OidcAuthRequest).where(
        OidcAuthRequest.id == request.request.id, OidcAuthRequest.consumed_at.is_(None)
    ).values(consumed_at=utcnow())).rowcount
    if not taken:
        raise RequestExpired()
    db.session.commit()
    built = oauth_request(request.params)
    grant = server().get_consent_grant(request=built, end_user=user)
    if user is None:
        audit("oidc.consent_denied", client_id=request.client.client_id)
    return server().create_authorization_response(request=built, grant_user=user, grant=grant)


def protocol_error_response(params: dict, error: OAuth2Error):
    """The error sent back to the (already validated) redirect URI, with the state."""
    error.state = params.get("state")
    return server().handle_error_response(oauth_request(params), error)


# --- consent -----------------------------------------------------------------------

def has_consent(account_id: uuid.UUID, client_id: str, scopes: list[str]) -> bool:
    consent = _consent(account_id, client_id)
    return consent is not None and consent.revoked_at is None and set(scopes) <= set(consent.scopes)


def _consent(account_id: uuid.UUID, client_id: str) -> OidcConsent | None:
    return db.session.scalar(select(OidcConsent).where(OidcConsent.account_id == account_id,
                                                       OidcConsent.client_id == client_id))


def grant_consent(account_id: uuid.UUID, client_id: str, scopes: list[str]) -> OidcConsent:
    consent = _consent(account_id, client_id)
    now = utcnow()
    if consent is None:
        consent = OidcConsent(account_id=account_id, client_id=client_id, scopes=[])
        db.session.add(consent)
    previous = consent.scopes if consent.revoked_at is None else []
    consent.scopes = sorted(set(previous) | set(scopes))
    consent.granted_at, consent.revoked_at = now, None
    db.session.commit()
    audit("oidc.consent_granted", account_id=account_id, client_id=client_id, scopes=consent.scopes)
    return consent


def list_consents(account_id: uuid.UUID, *, cursor: str | None, limit: int) -> dict:
    """The citizen's live consents, newest first, with each service's name and logo (for the app)."""
    statement = select(OidcConsent).where(OidcConsent.account_id == account_id, OidcConsent.revoked_at.is_(None))
    page = paginate(db.session, statement, OidcConsent, cursor=cursor, limit=limit)
    ids = [consent.client_id for consent in page["items"]]
    known = {client.client_id: client for client in db.session.scalars(
        select(OidcClient).where(OidcClient.client_id.in_(ids)))} if ids else {}
    page["items"] = [{"client_id": consent.client_id, "scopes": consent.scopes, "granted_at": consent.granted_at,
                      "client_name": known[consent.client_id].name if consent.client_id in known else None,
                      "logo_uri": known[consent.client_id].logo_uri if consent.client_id in known else None}
                     for consent in page["items"]]
    return page


def revoke_consent(account_id: uuid.UUID, client_id: str) -> None:
    """The citizen withdraws consent: the client's tokens for them stop working at once."""
    consent = _consent(account_id, client_id)
    if consent is None or consent.revoked_at is not None:
        raise ConsentNotFound()
    now = utcnow()
    consent.revoked_at = now
    db.session.execute(update(OidcToken).where(OidcToken.account_id == account_id, OidcToken.client_id == client_id,
                                               OidcToken.revoked_at.is_(None)).values(revoked_at=now))
    db.session.commit()
    audit("oidc.consent_revoked", account_id=account_id, client_id=client_id)
