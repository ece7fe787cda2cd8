"""The provider metadata served at /.well-known/openid-configuration (OIDC Discovery 1.0, RFC 8414)."""
from app.oidc.assurance import LOA_1, LOA_2, SCOPE_CLAIMS, SUPPORTED_SCOPES
from app.oidc.keys import ALGORITHM
from app.oidc.models import AUTH_METHODS


def metadata(issuer: str) -> dict:
    claims = ["sub", "sid", "acr", "amr", "auth_time", "iss", "aud", "nonce"]
    claims += [claim for scope in SUPPORTED_SCOPES for claim in SCOPE_CLAIMS[scope]]
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oidc/authorize",
        "pushed_authorization_request_endpoint": f"{issuer}/oidc/par",
        "token_endpoint": f"{issuer}/oidc/token",
        "userinfo_endpoint": f"{issuer}/oidc/userinfo",
        "jwks_uri": f"{issuer}/oidc/jwks",
        "revocation_endpoint": f"{issuer}/oidc/revoke",
        "introspection_endpoint": f"{issuer}/oidc/introspect",
        "end_session_endpoint": f"{issuer}/oidc/logout",
        "scopes_supported": list(SUPPORTED_SCOPES),
        "claims_supported": list(dict.fromkeys(claims)),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "token_endpoint_auth_signing_alg_values_supported": ["ES256", "EdDSA", "RS256", "PS256"],
        "revocation_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "introspection_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "acr_values_supported": [LOA_1, LOA_2],
        "prompt_values_supported": ["none", "login", "consent"],
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": True,
        "require_request_uri_registration": False,
        "require_pushed_authorization_requests": False,
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "frontchannel_logout_supported": False,
        "ui_locales_supported": ["vi", "en"],
        "authorization_response_iss_parameter_supported": False,
    }
