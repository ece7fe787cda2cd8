"""The OpenID provider's JSON shapes (staff client registry, the citizen's consents, discovery)."""
import marshmallow as ma

from app.common.pagination import page_schema
from app.oidc.assurance import LOA_1, LOA_2, SUPPORTED_SCOPES
from app.oidc.models import AUTH_METHODS

URIS = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=500)), validate=ma.validate.Length(max=20))


class ClientArgs(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 120),
                            metadata={"example": "Cổng dịch vụ công tỉnh"})
    logo_uri = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
    redirect_uris = ma.fields.List(ma.fields.String(validate=ma.validate.Length(1, 500)), required=True,
                                   validate=ma.validate.Length(1, 20),
                                   metadata={"example": ["https://dichvucong.example.gov.vn/oidc/callback"]})
    post_logout_redirect_uris = URIS
    backchannel_logout_uri = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
    allowed_scopes = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(SUPPORTED_SCOPES)),
                                    load_default=lambda: ["openid"], validate=ma.validate.Length(1, 10),
                                    metadata={"example": ["openid", "profile", "phone"]})
    allowed_acr = ma.fields.List(ma.fields.Integer(validate=ma.validate.OneOf([1, 2])), load_default=lambda: [1],
                                 validate=ma.validate.Length(1, 2), metadata={"example": [1, 2]})
    token_endpoint_auth_method = ma.fields.String(required=True, validate=ma.validate.OneOf(AUTH_METHODS))
    jwks = ma.fields.Dict(allow_none=True, metadata={"description": "public keys for private_key_jwt"})
    jwks_uri = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
    sector_identifier = ma.fields.String(validate=ma.validate.Length(1, 255),
                                         metadata={"description": "groups pairwise subjects; default: redirect host"})
    contacts = ma.fields.List(ma.fields.String(validate=ma.validate.Length(1, 200)), validate=ma.validate.Length(max=10))
    may_receive_personal_id = ma.fields.Boolean(load_default=False)
    rate_limit = ma.fields.String(allow_none=True, validate=ma.validate.Regexp(r"^\d+ per (second|minute|hour|day)$"),
                                  metadata={"example": "120 per minute"})


class ClientUpdateArgs(ClientArgs):
    """Any subset of the registration's fields (loaded with `partial=True`)."""

    active = ma.fields.Boolean()


class ClientSchema(ma.Schema):
    client_id = ma.fields.String()
    name = ma.fields.String()
    logo_uri = ma.fields.String(allow_none=True)
    redirect_uris = ma.fields.List(ma.fields.String())
    post_logout_redirect_uris = ma.fields.List(ma.fields.String())
    backchannel_logout_uri = ma.fields.String(allow_none=True)
    allowed_scopes = ma.fields.List(ma.fields.String())
    allowed_acr = ma.fields.List(ma.fields.Integer())
    token_endpoint_auth_method = ma.fields.String()
    jwks = ma.fields.Dict(allow_none=True)
    jwks_uri = ma.fields.String(allow_none=True)
    sector_identifier = ma.fields.String()
    contacts = ma.fields.List(ma.fields.String())
    may_receive_personal_id = ma.fields.Boolean()
    rate_limit = ma.fields.String(allow_none=True)
    active = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class ClientCreatedSchema(ma.Schema):
    client = ma.fields.Nested(ClientSchema)
    client_secret = ma.fields.String(allow_none=True, metadata={"description": "client_secret_basic only; shown once"})


class ClientAuditSchema(ma.Schema):
    action = ma.fields.String()
    actor_id = ma.fields.UUID()
    snapshot = ma.fields.Dict()
    created_at = ma.fields.DateTime()


class ConsentSchema(ma.Schema):
    client_id = ma.fields.String()
    client_name = ma.fields.String(allow_none=True, metadata={"example": "Bệnh viện Đa khoa tỉnh"})
    logo_uri = ma.fields.String(allow_none=True)
    scopes = ma.fields.List(ma.fields.String())
    granted_at = ma.fields.DateTime()


ClientPageSchema = page_schema(ClientSchema, "OidcClientPage")
ConsentPageSchema = page_schema(ConsentSchema, "OidcConsentPage")


class JwksSchema(ma.Schema):
    keys = ma.fields.List(ma.fields.Dict(), metadata={"example": [{"kty": "EC", "crv": "P-256", "kid": "20261204-ab12cd34",
                                                                  "use": "sig", "alg": "ES256", "x": "...", "y": "..."}]})


_LISTS = ("scopes_supported", "claims_supported", "response_types_supported", "response_modes_supported",
          "grant_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported",
          "code_challenge_methods_supported", "token_endpoint_auth_methods_supported",
          "token_endpoint_auth_signing_alg_values_supported", "revocation_endpoint_auth_methods_supported",
          "introspection_endpoint_auth_methods_supported", "prompt_values_supported", "ui_locales_supported")
_URLS = ("authorization_endpoint", "pushed_authorization_request_endpoint", "token_endpoint", "userinfo_endpoint",
         "jwks_uri", "revocation_endpoint", "introspection_endpoint", "end_session_endpoint")
_FLAGS = ("claims_parameter_supported", "request_parameter_supported", "request_uri_parameter_supported",
          "require_request_uri_registration", "require_pushed_authorization_requests", "backchannel_logout_supported",
          "backchannel_logout_session_supported", "frontchannel_logout_supported",
          "authorization_response_iss_parameter_supported")

DiscoverySchema = type("DiscoverySchema", (ma.Schema,), {
    "issuer": ma.fields.String(metadata={"example": "https://id.example.gov.vn"}),
    "acr_values_supported": ma.fields.List(ma.fields.String(), metadata={"example": [LOA_1, LOA_2]}),
    **{name: ma.fields.String() for name in _URLS},
    **{name: ma.fields.List(ma.fields.String()) for name in _LISTS},
    **{name: ma.fields.Boolean() for name in _FLAGS},
})
