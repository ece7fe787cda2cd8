"""Per-client rate limits on the back-channel endpoints (token, PAR, revocation, introspection).

The key is the client id the request claims (Basic user name, the assertion's
`sub`, or `client_id`), before authentication: a flood under one client's name
is cut off without a signature check per request. A client has its own limit
(`rate_limit`, e.g. "600 per minute") or the default `OIDC_CLIENT_RATE_LIMIT`.
"""
import base64
import json
from urllib.parse import unquote

from flask import request
from flask_limiter.util import get_remote_address

from app.oidc.clients import find_client
from app.oidc.settings import settings


def claimed_client_id() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            return unquote(base64.b64decode(header[6:]).decode().split(":", 1)[0])
        except (ValueError, UnicodeDecodeError):
            return None
    assertion = request.form.get("client_assertion")
    if assertion and assertion.count(".") == 2:
        payload = assertion.split(".")[1]
        try:
            sub = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get("sub")
        except (ValueError, UnicodeDecodeError, AttributeError):
            return None
        return sub if isinstance(sub, str) else None
    return request.form.get("client_id")


def client_key() -> str:
    client_id = claimed_client_id()
    return f"oidc-client:{client_id}" if client_id else f"oidc-ip:{get_remote_address()}"


def client_limit() -> str:
    client = find_client(claimed_client_id())
    return (client.rate_limit if client is not None and client.rate_limit else None) or settings().client_rate_limit
