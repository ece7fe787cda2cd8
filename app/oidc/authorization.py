"""The OAuth 2.0 / OpenID Connect server, built on Authlib.

Authlib runs the protocol (request validation, client authentication, PKCE,
the ID token, revocation, introspection, userinfo); this module supplies the
storage and our rules:

- authorization code grant only, PKCE with S256 required for every client;
- codes live `code_ttl_seconds` (60), are single use and bound to the client,
  the redirect URI and the PKCE verifier; a code presented twice revokes the
  tokens issued from it (RFC 6749 §4.1.2, RFC 9700 §4.5);
- client authentication: `private_key_jwt` (RFC 7523, keys from the client's
  JWKS or JWKS URI, `jti` single use) or `client_secret_basic` (RFC 6749
  §2.3.1, form-decoded), as registered per client;
- opaque access tokens (stored hashed) for userinfo; refresh tokens only when
  `offline_access` was granted, rotated on use;
- ID tokens signed ES256 with the current key (`kid` in the header).
"""
import base64
import binascii
import hashlib
import json
import secrets
import time
import urllib.request
import uuid
from urllib.parse import unquote_plus
from datetime import datetime, timedelta

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Request, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oidc.core import UserInfo, UserInfoEndpoint
from authlib.oidc.core.grants import OpenIDCode
from flask import current_app, g, request
from joserfc.jwk import KeySet
from sqlalchemy import select, update

from app.common.clock import utcnow
from app.extensions import db
from app.identity.audit import audit
from app.oidc import keys
from app.oidc.assurance import PERSONAL_ID_SCOPE, SUPPORTED_SCOPES, acr_for
from app.oidc.claims import pairwise_subject, session_id_for, user_claims
from app.oidc.clients import find_client, secret_matches
from app.oidc.models import (
    CLIENT_SECRET_BASIC, PRIVATE_KEY_JWT, OidcAuthorizationCode, OidcClient, OidcToken, OidcUsedAssertion,
)
from app.oidc.people import EndUser, live_user
from app.oidc.issuer import current_issuer
from app.oidc.settings import settings

AUTH_METHODS = [CLIENT_SECRET_BASIC, PRIVATE_KEY_JWT]
_JWKS_CACHE_SECONDS = 300


def issuer() -> str:
    """OIDC_ISSUER, or (development) the URL this request reached."""
    return current_issuer()


def endpoint(path: str) -> str:
    return issuer() + path


def hash_value(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


# --- Authlib's views of our rows ---------------------------------------------------

class Client(ClientMixin):
    def __init__(self, row: OidcClient):
        self.row = row
        self.client_id = row.client_id
        self.client_metadata = {}

    def get_client_id(self):
        return self.row.client_id

    def get_default_redirect_uri(self):
        return None          # the redirect_uri is required in every request

    def get_allowed_scope(self, scope):
        asked = scope_to_list(scope) or []
        if any(item not in self.row.allowed_scopes for item in asked):
            return None
        return " ".join(asked)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in (self.row.redirect_uris or [])

    def check_client_secret(self, client_secret):
        return secret_matches(self.row, client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return self.row.active and method == self.row.token_endpoint_auth_method

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in ("authorization_code", "refresh_token")


class Code:
    """An authorization code row as Authlib's AuthorizationCodeMixin."""

    def __init__(self, row: OidcAuthorizationCode):
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self):
        return self.row.redirect_uri

    def get_scope(self):
        return self.row.scope

    def get_nonce(self):
        return self.row.nonce

    def get_auth_time(self):
        return _timestamp(self.row.auth_time)

    def get_acr(self):
        return self.row.acr

    def get_amr(self):
        return list(self.row.amr or [])


class Token:
    """An issued token row as Authlib's TokenMixin."""

    def __init__(self, row: OidcToken, kind: str = "access_token"):
        self.row = row
        self.kind = kind
        self.scope = row.scope

    def check_client(self, client):
        return client.get_client_id() == self.row.client_id

    def get_scope(self):
        return self.row.scope

    def get_expires_in(self):
        return int((self.row.access_expires_at - self.row.created_at).total_seconds())

    def is_expired(self):
        expiry = self.row.refresh_expires_at if self.kind == "refresh_token" else self.row.access_expires_at
        return expiry is None or expiry <= utcnow()

    def is_revoked(self):
        return self.row.revoked_at is not None or live_user(self.row.auth_session_id) is None

    def get_user(self):
        return live_user(self.row.auth_session_id)

    def get_client(self):
        row = find_client(self.row.client_id)
        return Client(row) if row else None


def query_client(client_id):
    row = find_client(client_id)
    return Client(row) if row is not None and row.active else None


def save_token(token: dict, oauth_request) -> None:
    now = utcnow()
    user: EndUser = oauth_request.user
    code = getattr(oauth_request, "authorization_code", None)
    refresh = token.get("refresh_token")
    acr = code.get_acr() if code else acr_for(user.level)
    if getattr(oauth_request, "refresh_token", None) is not None:
        acr = oauth_request.refresh_token.row.acr
    db.session.add(OidcToken(
        access_token_hash=hash_value(token["access_token"]),
        refresh_token_hash=hash_value(refresh) if refresh else None,
        client_id=oauth_request.client.get_client_id(), account_id=user.account_id,
        auth_session_id=user.session_id, code_id=code.row.id if code else None, scope=token.get("scope", ""),
        acr=acr, access_expires_at=now + timedelta(seconds=int(token["expires_in"])),
        refresh_expires_at=now + timedelta(seconds=settings().refresh_token_ttl_seconds) if refresh else None))
    db.session.commit()
    audit("oidc.token_issued", account_id=user.account_id, client_id=oauth_request.client.get_client_id(),
          session_id=user.session_id, refresh=bool(refresh))


def find_token(token_string: str | None, hint: str | None = None) -> Token | None:
    if not token_string:
        return None
    digest = hash_value(token_string)
    order = ["refresh_token", "access_token"] if hint == "refresh_token" else ["access_token", "refresh_token"]
    for kind in order:
        column = OidcToken.refresh_token_hash if kind == "refresh_token" else OidcToken.access_token_hash
        row = db.session.scalar(select(OidcToken).where(column == digest))
        if row is not None:
            return Token(row, kind)
    return None


# --- client authentication ------------------------------------------------------------

def secret_basic(query_client, oauth_request):
    """client_secret_basic, the id and secret form-decoded as RFC 6749 §2.3.1 says ("+" is a space)."""
    scheme, _, value = oauth_request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not sep:
        return None
    client = query_client(unquote_plus(user))
    if client is not None and client.check_client_secret(unquote_plus(password)):
        return client
    return None


class PrivateKeyJwt(JWTBearerClientAssertion):
    CLIENT_AUTH_METHOD = PRIVATE_KEY_JWT

    def get_audiences(self):
        base = issuer()
        return [base, base + "/oidc/token", base + "/oidc/par", base + "/oidc/introspect", base + "/oidc/revoke"]

    def validate_jti(self, claims, jti):
        digest = hash_value(f"{claims['sub']}|{jti}")
        if db.session.scalar(select(OidcUsedAssertion.id).where(OidcUsedAssertion.jti_hash == digest)):
            return False
        expires = datetime.fromtimestamp(int(claims.get("exp", time.time() + 600)), tz=utcnow().tzinfo)
        db.session.add(OidcUsedAssertion(jti_hash=digest, expires_at=max(expires, utcnow())))
        db.session.commit()           # spent even when the rest of the request fails
        return True

    def resolve_client_public_key(self, client):
        row = client.row
        if row.jwks:
            return KeySet.import_key_set(row.jwks)
        return KeySet.import_key_set(_fetch_jwks(row.jwks_uri))


def _fetch_jwks(uri: str | None) -> dict:
    cache = current_app.extensions.setdefault("oidc_client_jwks", {})
    hit = cache.get(uri)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    with urllib.request.urlopen(uri, timeout=settings().backchannel_timeout) as response:  # noqa: S310 (https, registered by an admin)
        data = json.loads(response.read(65536))
    cache[uri] = (time.monotonic() + _JWKS_CACHE_SECONDS, data)
    return data


# --- grants -----------------------------------------------------------------------

class S256Required(CodeChallenge):
    """PKCE for every client, S256 only (plain is refused)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge with code_challenge_method=S256.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256.")
        return super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def save_authorization_code(self, code, oauth_request):
        user: EndUser = oauth_request.user
        data = oauth_request.payload.data
        now = utcnow()
        row = OidcAuthorizationCode(
            code_hash=hash_value(code), client_id=oauth_request.client.get_client_id(),
            account_id=user.account_id, auth_session_id=user.session_id,
            redirect_uri=oauth_request.payload.redirect_uri, scope=oauth_request.scope or "",
            nonce=data.get("nonce"), code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"], acr=acr_for(user.level),
            amr=list(user.amr), auth_time=user.auth_time,
            expires_at=now + timedelta(seconds=settings().code_ttl_seconds))
        db.session.add(row)
        db.session.commit()
        audit("oidc.code_issued", account_id=user.account_id, client_id=row.client_id, session_id=user.session_id)

    def query_authorization_code(self, code, client):
        row = db.session.scalar(select(OidcAuthorizationCode).where(
            OidcAuthorizationCode.code_hash == hash_value(code),
            OidcAuthorizationCode.client_id == client.get_client_id()))
        if row is None:
            return None
        taken = db.session.execute(update(OidcAuthorizationCode).where(
            OidcAuthorizationCode.id == row.id, OidcAuthorizationCode.used_at.is_(None)
        ).values(used_at=utcnow())).rowcount
        if not taken:
            revoke_tokens_of_code(row.id)
            db.session.commit()
            audit("oidc.code_replayed", ok=False, client_id=row.client_id, account_id=row.account_id)
            return None
        db.session.commit()      # spent even if the rest of the exchange fails (PKCE, redirect URI)
        if row.expires_at <= utcnow():
            audit("oidc.code_expired", ok=False, client_id=row.client_id, account_id=row.account_id)
            return None
        return Code(row)

    def delete_authorization_code(self, authorization_code):
        pass                      # already marked used when it was queried

    def authenticate_user(self, authorization_code):
        user = live_user(authorization_code.row.auth_session_id)
        if user is None or user.account_id != authorization_code.row.account_id:
            return None
        return user

    def generate_token(self, user=None, scope=None, grant_type=None, expires_in=None,
                       include_refresh_token=True):
        offline = "offline_access" in (scope_to_list(scope) or [])
        return super().generate_token(user=user, scope=scope, grant_type=grant_type, expires_in=expires_in,
                                      include_refresh_token=include_refresh_token and offline)


def revoke_tokens_of_code(code_id: uuid.UUID) -> int:
    return db.session.execute(update(OidcToken).where(
        OidcToken.code_id == code_id, OidcToken.revoked_at.is_(None)).values(revoked_at=utcnow())).rowcount


class IdToken(OpenIDCode):
    """The ID token: ES256 with the current key; `sub` pairwise, `sid` per client, acr/amr/auth_time."""

    def exists_nonce(self, nonce, oauth_request):
        return db.session.scalar(select(OidcAuthorizationCode.id).where(
            OidcAuthorizationCode.client_id == oauth_request.payload.client_id,
            OidcAuthorizationCode.nonce == nonce).limit(1)) is not None

    def resolve_client_private_key(self, client):
        return keys.private_key_set()[1]

    def get_client_algorithm(self, client):
        return keys.ALGORITHM

    def get_encode_header(self, client):
        return {"alg": keys.ALGORITHM, "kid": keys.current_key().kid, "typ": "JWT"}

    def get_client_claims(self, client):
        now = int(time.time())
        return {"iss": issuer(), "aud": [client.get_client_id()], "iat": now,
                "exp": now + settings().id_token_ttl_seconds}

    def generate_user_info(self, user: EndUser, scope):
        client = find_client(g.oidc_id_token_client)
        return UserInfo(sub=pairwise_subject(client, user.account_id),
                        sid=session_id_for(client, user.session_id))

    def encode_id_token(self, token, oauth_request):
        g.oidc_id_token_client = oauth_request.client.get_client_id()
        return super().encode_id_token(token, oauth_request)


class RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        token = find_token(refresh_token, "refresh_token")
        if token is None or token.kind != "refresh_token" or token.is_expired() or token.is_revoked():
            return None
        self.request.refresh_token = token
        return token

    def authenticate_user(self, refresh_token):
        return refresh_token.get_user()

    def revoke_old_credential(self, refresh_token):
        refresh_token.row.revoked_at = utcnow()
        db.session.commit()


# --- revocation, introspection, userinfo ----------------------------------------

class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string, token_type_hint):
        return find_token(token_string, token_type_hint)

    def revoke_token(self, token, oauth_request):
        if token.row.revoked_at is None:
            token.row.revoked_at = utcnow()
        db.session.commit()
        audit("oidc.token_revoked", client_id=token.row.client_id, account_id=token.row.account_id)


class Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string, token_type_hint):
        return find_token(token_string, token_type_hint)

    def check_permission(self, token, client, oauth_request):
        return token.check_client(client)        # a client sees only its own tokens

    def introspect_token(self, token):
        row = token.row
        client = find_client(row.client_id)
        expiry = row.refresh_expires_at if token.kind == "refresh_token" else row.access_expires_at
        return {"active": True, "client_id": row.client_id, "scope": row.scope, "token_type": "Bearer"
                if token.kind == "access_token" else "refresh_token", "sub": pairwise_subject(client, row.account_id),
                "iss": issuer(), "iat": _timestamp(row.created_at), "exp": _timestamp(expiry), "acr": row.acr}


class OpaqueBearer(BearerTokenValidator):
    def authenticate_token(self, token_string):
        token = find_token(token_string, "access_token")
        return token if token is not None and token.kind == "access_token" else None


class UserInfoClaims(UserInfoEndpoint):
    def get_issuer(self):
        return issuer()

    def resolve_private_key(self):
        return keys.private_key_set()[1]

    def generate_user_info(self, user: EndUser, scope):
        token = self.resource_protector.acquire_token("openid")
        client = find_client(token.row.client_id)
        scopes = scope_to_list(scope) or []
        if PERSONAL_ID_SCOPE in scopes and not client.may_receive_personal_id:
            scopes.remove(PERSONAL_ID_SCOPE)
        return UserInfo(user_claims(client, user.account_id, scopes))


# --- the server -------------------------------------------------------------------

def _expires_in(client, grant_type):
    return settings().access_token_ttl_seconds


class Server(AuthorizationServer):
    def create_oauth2_request(self, request):
        # a stored request (after login, or pushed) is used as it is, not the current HTTP request
        if isinstance(request, OAuth2Request):
            return request
        return super().create_oauth2_request(request)


def build_server(app) -> AuthorizationServer:
    server = Server()
    server.init_app(app, query_client=query_client, save_token=save_token)
    server.scopes_supported = list(SUPPORTED_SCOPES)
    server.register_token_generator("default", BearerTokenGenerator(
        lambda **_: secrets.token_urlsafe(32), lambda **_: secrets.token_urlsafe(48), _expires_in))
    server.register_client_auth_method(CLIENT_SECRET_BASIC, secret_basic)
    server.register_client_auth_method(PRIVATE_KEY_JWT, PrivateKeyJwt())
    server.register_grant(CodeGrant, [S256Required(required=True), IdToken(require_nonce=False)])
    server.register_grant(RefreshGrant)
    server.register_endpoint(Revocation)
    server.register_endpoint(Introspection)
    protector = ResourceProtector()
    protector.register_token_validator(OpaqueBearer())
    server.register_endpoint(UserInfoClaims(resource_protector=protector))
    app.extensions["oidc_server"] = server
    return server


def server() -> AuthorizationServer:
    return current_app.extensions["oidc_server"]


def oauth_request(params: dict) -> OAuth2Request:
    """An Authlib request for stored authorization parameters (after login, or from PAR)."""
    built = OAuth2Request("GET", endpoint("/oidc/authorize"), headers=dict(request.headers))
    built.payload = BasicOAuth2Payload({key: value for key, value in params.items() if value is not None})
    return built
