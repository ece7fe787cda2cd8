"""The OpenID provider's tunables.

Environment variables (read into the config by `app/config.py`):

- `OIDC_ISSUER`: the issuer URL relying parties see (`https://id.example.gov.vn`).
  Empty in development and tests: the issuer is then the URL the server is
  reached at (`request.url_root`). Production refuses to start without it.
- `OIDC_KEY_ROTATION_DAYS` (30): a new ES256 signing key after this many days;
  the old key stays published until every token it signed has expired.
- `OIDC_CLIENT_RATE_LIMIT` ("60 per minute"): default per-client limit on the
  token, PAR, introspection and revocation endpoints (a client may have its own).
"""
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class OidcSettings:
    issuer: str = ""                       # empty: the URL the request reached
    code_ttl_seconds: int = 60             # authorization codes: single use, one minute
    request_ttl_seconds: int = 600         # an authorization request waiting for login/consent
    par_ttl_seconds: int = 90              # a pushed request_uri
    access_token_ttl_seconds: int = 600
    id_token_ttl_seconds: int = 600
    refresh_token_ttl_seconds: int = 30 * 86400
    key_rotation_days: int = 30
    client_rate_limit: str = "60 per minute"
    logout_token_ttl_seconds: int = 120
    backchannel_timeout: float = 5.0
    backchannel_max_attempts: int = 8

    @property
    def longest_token_seconds(self) -> int:
        """How long a retired key must stay published (the longest thing it signed)."""
        return max(self.id_token_ttl_seconds, self.logout_token_ttl_seconds, self.access_token_ttl_seconds)


def settings() -> OidcSettings:
    """The settings of the current app (built once per app)."""
    cached = current_app.extensions.get("oidc_settings")
    if cached is None:
        config = current_app.config
        cached = OidcSettings(
            issuer=config.get("OIDC_ISSUER", ""),
            key_rotation_days=config.get("OIDC_KEY_ROTATION_DAYS", 30),
            client_rate_limit=config.get("OIDC_CLIENT_RATE_LIMIT", "60 per minute"),
            backchannel_timeout=config.get("OIDC_BACKCHANNEL_TIMEOUT", 5.0),
        )
        current_app.extensions["oidc_settings"] = cached
    return cached
