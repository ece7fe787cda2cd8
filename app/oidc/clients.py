"""Relying parties: registered and changed by an administrator, every change audited.

A client authenticates at the token endpoint with `private_key_jwt` (its public
keys as a JWKS or a JWKS URI) or `client_secret_basic` (a secret shown once,
stored as a SHA-256 hash). Redirect URIs are matched exactly; they must be https
(http only on a loopback host, for development). The sector identifier groups a
client's pairwise subjects; by default it is the host of the first redirect URI.
"""
import hashlib
import hmac
import secrets
import uuid
from urllib.parse import urlsplit

from sqlalchemy import select

from app.common.pagination import paginate
from app.extensions import db
from app.identity.audit import audit
from app.oidc.assurance import PERSONAL_ID_SCOPE, SUPPORTED_SCOPES
from app.oidc.errors import ClientIdTaken, ClientInvalid, ClientNotFound
from app.oidc.models import (
    AUTH_METHODS, CLIENT_SECRET_BASIC, PRIVATE_KEY_JWT, OidcClient, OidcClientAudit,
)

LOOPBACK = ("localhost", "127.0.0.1", "::1")
FIELDS = ("name", "logo_uri", "redirect_uris", "post_logout_redirect_uris", "backchannel_logout_uri",
          "allowed_scopes", "allowed_acr", "token_endpoint_auth_method", "jwks", "jwks_uri",
          "sector_identifier", "contacts", "may_receive_personal_id", "rate_limit", "active")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(client: OidcClient, secret: str | None) -> bool:
    return bool(client.client_secret_hash and secret) and hmac.compare_digest(
        client.client_secret_hash, hash_secret(secret))


def _problems_with_uri(uri: str | None, *, optional: bool = False) -> str | None:
    if not uri:
        return None if optional else "required"
    parts = urlsplit(uri)
    if parts.fragment or not parts.netloc:
        return "must be an absolute URI without a fragment"
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK):
        return None
    return "must use https (http only on a loopback host)"


def _validate(client: OidcClient) -> None:
    errors: dict[str, list[str]] = {}
    if not client.redirect_uris:
        errors["redirect_uris"] = ["at least one"]
    for field in ("redirect_uris", "post_logout_redirect_uris"):
        for uri in getattr(client, field) or []:
            if problem := _problems_with_uri(uri):
                errors.setdefault(field, []).append(f"{uri}: {problem}")
    for field in ("backchannel_logout_uri", "jwks_uri", "logo_uri"):
        if problem := _problems_with_uri(getattr(client, field), optional=True):
            errors[field] = [problem]
    unknown = [scope for scope in client.allowed_scopes if scope not in SUPPORTED_SCOPES]
    if unknown or "openid" not in client.allowed_scopes:
        errors["allowed_scopes"] = [f"must include openid; known scopes: {', '.join(SUPPORTED_SCOPES)}"]
    if PERSONAL_ID_SCOPE in client.allowed_scopes and not client.may_receive_personal_id:
        errors["may_receive_personal_id"] = ["needed for the vn_personal_id scope"]
    if not client.allowed_acr or any(level not in (1, 2) for level in client.allowed_acr):
        errors["allowed_acr"] = ["levels 1 and/or 2"]
    if client.token_endpoint_auth_method not in AUTH_METHODS:
        errors["token_endpoint_auth_method"] = [" or ".join(AUTH_METHODS)]
    if client.token_endpoint_auth_method == PRIVATE_KEY_JWT:
        if not client.jwks and not client.jwks_uri:
            errors["jwks"] = ["private_key_jwt needs jwks or jwks_uri"]
        elif client.jwks and not isinstance(client.jwks.get("keys"), list):
            errors["jwks"] = ["a JWK Set: {\"keys\": [...]}"]
    if errors:
        raise ClientInvalid(errors=errors)


def _snapshot(client: OidcClient) -> dict:
    return {field: getattr(client, field) for field in FIELDS} | {"client_id": client.client_id}


def _record(client: OidcClient, actor_id: uuid.UUID, action: str) -> None:
    db.session.add(OidcClientAudit(client_id=client.id, actor_id=actor_id, action=action,
                                   snapshot=_snapshot(client)))
    audit(f"oidc.client_{action}", account_id=actor_id, client_id=client.client_id)


def register_client(actor_id: uuid.UUID, data: dict, *, client_id: str | None = None,
                    client_secret: str | None = None) -> tuple[OidcClient, str | None]:
    """Registers a relying party; returns it and its secret (client_secret_basic only, shown once).

    `client_id`/`client_secret` are chosen by the caller only for the demo seed.
    """
    client_id = client_id or "sp-" + secrets.token_urlsafe(12)
    if db.session.scalar(select(OidcClient.id).where(OidcClient.client_id == client_id)):
        raise ClientIdTaken()
    client = OidcClient(client_id=client_id, active=True, contacts=[], post_logout_redirect_uris=[],
                        may_receive_personal_id=False)
    _apply(client, data)
    secret = None
    if client.token_endpoint_auth_method == CLIENT_SECRET_BASIC:
        secret = client_secret or secrets.token_urlsafe(32)
        client.client_secret_hash = hash_secret(secret)
    db.session.add(client)
    db.session.flush()
    _record(client, actor_id, "registered")
    db.session.commit()
    return client, secret


def _apply(client: OidcClient, data: dict) -> None:
    for field in FIELDS:
        if field in data:
            setattr(client, field, data[field])
    client.allowed_scopes = list(dict.fromkeys(client.allowed_scopes or ["openid"]))
    client.allowed_acr = sorted({int(level) for level in (client.allowed_acr or [1])})
    if not data.get("sector_identifier") and not client.sector_identifier and client.redirect_uris:
        client.sector_identifier = urlsplit(client.redirect_uris[0]).hostname or ""
    _validate(client)


def update_client(actor_id: uuid.UUID, client_id: str, data: dict) -> OidcClient:
    client = get_client(client_id)
    before = client.token_endpoint_auth_method
    _apply(client, data)
    if client.token_endpoint_auth_method != before and client.token_endpoint_auth_method == PRIVATE_KEY_JWT:
        client.client_secret_hash = None
    _record(client, actor_id, "updated")
    db.session.commit()
    return client


def new_client_secret(actor_id: uuid.UUID, client_id: str) -> tuple[OidcClient, str]:
    """A new secret for a client_secret_basic client; the old one stops working."""
    client = get_client(client_id)
    if client.token_endpoint_auth_method != CLIENT_SECRET_BASIC:
        raise ClientInvalid(errors={"token_endpoint_auth_method": ["not client_secret_basic"]})
    secret = secrets.token_urlsafe(32)
    client.client_secret_hash = hash_secret(secret)
    _record(client, actor_id, "secret_rotated")
    db.session.commit()
    return client, secret


def get_client(client_id: str) -> OidcClient:
    client = find_client(client_id)
    if client is None:
        raise ClientNotFound()
    return client


def find_client(client_id: str | None) -> OidcClient | None:
    if not client_id or not isinstance(client_id, str):
        return None
    return db.session.scalar(select(OidcClient).where(OidcClient.client_id == client_id))


def list_clients(*, cursor: str | None, limit: int) -> dict:
    return paginate(db.session, select(OidcClient), OidcClient, cursor=cursor, limit=limit)


def client_history(client_id: str) -> list[OidcClientAudit]:
    client = get_client(client_id)
    return list(db.session.scalars(select(OidcClientAudit).where(OidcClientAudit.client_id == client.id)
                                   .order_by(OidcClientAudit.created_at)))
