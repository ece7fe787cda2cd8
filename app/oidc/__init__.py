"""OpenID Connect provider: one province login for the provincial portals (relying parties).

`init_app(app)` registers the pages and protocol endpoints (/oidc/...), the
discovery document, the JSON API (/api/v1/oidc), Authlib's server, the
`identity.sessions_ended` subscriber (back-channel logout) and `flask oidc`.
See docs/oidc.md.
"""
import functools
from collections.abc import Callable

from flask import Flask, request

from app.common import events
from app.extensions import api
from app.identity.sessions import SESSIONS_ENDED
from app.oidc import cli, pages, routes
from app.oidc.authorization import build_server
from app.oidc.logout import on_sessions_ended

PROTOCOL_PREFIX = "/oidc/"


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")     # the login pages' cookie
    build_server(app)
    app.register_blueprint(pages.blp)
    api.register_blueprint(routes.wellknown)
    api.register_blueprint(routes.blp, url_prefix="/api/v1/oidc")
    events.subscribe(SESSIONS_ENDED, on_sessions_ended)
    app.cli.add_command(cli.oidc_cli)


def except_protocol_endpoints(load_principal: Callable[[], None]) -> Callable[[], None]:
    """The API's bearer-token check, except for what the protocol endpoints read themselves.

    On /oidc/... clients send Basic credentials (token, revocation, introspection)
    and the provider's own opaque access tokens (userinfo); those are left to
    Authlib. An API token (a JWT) is still checked there as everywhere, so a
    community helper's delegated token is refused on these routes too.
    """
    @functools.wraps(load_principal)
    def load_principal_outside_protocol() -> None:
        if request.path.startswith(PROTOCOL_PREFIX):
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or token.strip().count(".") != 2:
                return
        load_principal()
    return load_principal_outside_protocol
