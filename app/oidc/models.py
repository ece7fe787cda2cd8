"""The OpenID provider's tables: clients, signing keys, requests, codes, tokens, consents.

Secrets (client secrets, codes, access and refresh tokens) are stored only as
SHA-256 hashes of high-entropy random values. Accounts and sessions are the
identity domain's; they are referred to by id only.
"""
import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.common.models import EntityMixin
from app.extensions import db

PRIVATE_KEY_JWT = "private_key_jwt"
CLIENT_SECRET_BASIC = "client_secret_basic"
AUTH_METHODS = (PRIVATE_KEY_JWT, CLIENT_SECRET_BASIC)


class OidcClient(EntityMixin, db.Model):
    """A relying party registered by an administrator."""

    __tablename__ = "oidc_clients"

    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    logo_uri: Mapped[str | None] = mapped_column(String(500))
    redirect_uris: Mapped[list] = mapped_column(JSON, default=list)
    post_logout_redirect_uris: Mapped[list] = mapped_column(JSON, default=list)
    backchannel_logout_uri: Mapped[str | None] = mapped_column(String(500))
    allowed_scopes: Mapped[list] = mapped_column(JSON, default=list)
    allowed_acr: Mapped[list] = mapped_column(JSON, default=list)     # levels: [1, 2]
    token_endpoint_auth_method: Mapped[str] = mapped_column(String(32))
    client_secret_hash: Mapped[str | None] = mapped_column(String(64))
    jwks: Mapped[dict | None] = mapped_column(JSON)
    jwks_uri: Mapped[str | None] = mapped_column(String(500))
    sector_identifier: Mapped[str] = mapped_column(String(255))
    contacts: Mapped[list] = mapped_column(JSON, default=list)
    may_receive_personal_id: Mapped[bool] = mapped_column(Boolean, default=False)
    rate_limit: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OidcClientAudit(EntityMixin, db.Model):
    """Who registered or changed a client, and what it looked like after."""

    __tablename__ = "oidc_client_audit"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("oidc_clients.id"), index=True)
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    action: Mapped[str] = mapped_column(String(32))
    snapshot: Mapped[dict] = mapped_column(JSON)


class OidcSigningKey(EntityMixin, db.Model):
    """One ES256 key: signs while current, published until its last token expired."""

    __tablename__ = "oidc_signing_keys"

    kid: Mapped[str] = mapped_column(String(64), unique=True)
    alg: Mapped[str] = mapped_column(String(16))
    private_jwk: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict] = mapped_column(JSON)
    retired_at: Mapped[datetime | None]          # stopped signing
    unpublish_after: Mapped[datetime | None]     # dropped from the JWKS after this


class OidcAuthRequest(EntityMixin, db.Model):
    """An authorization request waiting for login, step-up and consent (or pushed, PAR)."""

    __tablename__ = "oidc_auth_requests"

    client_id: Mapped[str] = mapped_column(String(64), index=True)
    params: Mapped[dict] = mapped_column(JSON)
    request_uri_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]


class OidcAuthorizationCode(EntityMixin, db.Model):
    __tablename__ = "oidc_authorization_codes"

    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    auth_session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_sessions.id"), index=True)
    redirect_uri: Mapped[str] = mapped_column(String(500))
    scope: Mapped[str] = mapped_column(String(500))
    nonce: Mapped[str | None] = mapped_column(String(255))
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(10))
    acr: Mapped[str] = mapped_column(String(100))
    amr: Mapped[list] = mapped_column(JSON, default=list)
    auth_time: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class OidcToken(EntityMixin, db.Model):
    """An access token (and its refresh token, with offline_access) issued to a client."""

    __tablename__ = "oidc_tokens"

    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    auth_session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_sessions.id"), index=True)
    code_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("oidc_authorization_codes.id"), index=True)
    scope: Mapped[str] = mapped_column(String(500))
    acr: Mapped[str] = mapped_column(String(100))
    access_expires_at: Mapped[datetime]
    refresh_expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class OidcConsent(EntityMixin, db.Model):
    """The scopes a citizen agreed to share with a client, until revoked."""

    __tablename__ = "oidc_consents"
    __table_args__ = (UniqueConstraint("account_id", "client_id"),)

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    granted_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class OidcLogoutDelivery(EntityMixin, db.Model):
    """A back-channel logout token waiting for the worker to POST it to a client."""

    __tablename__ = "oidc_logout_deliveries"

    client_id: Mapped[str] = mapped_column(String(64), index=True)
    uri: Mapped[str] = mapped_column(String(500))
    issuer: Mapped[str] = mapped_column(String(255))       # as the citizen's browser saw it
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    auth_session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_sessions.id"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(255))


class OidcUsedAssertion(EntityMixin, db.Model):
    """A client assertion's `jti`, kept until the assertion expired, so it is used once."""

    __tablename__ = "oidc_used_assertions"

    jti_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
