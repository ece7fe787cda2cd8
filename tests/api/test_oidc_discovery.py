"""Discovery, the JWKS and key rotation: what a relying party reads before anything else."""
from datetime import timedelta

import time_machine
from joserfc import jwt
from joserfc.jwk import KeySet

from app.common.clock import utcnow
from app.extensions import db
from app.oidc import keys
from app.oidc.assurance import LOA_1, LOA_2


def test_discovery_names_the_issuer_the_endpoints_and_what_is_supported(client):
    response = client.get("/.well-known/openid-configuration")
    assert response.status_code == 200
    meta = response.get_json()
    assert meta["issuer"] == "http://localhost"          # development: the URL the server is reached at
    assert meta["authorization_endpoint"] == "http://localhost/oidc/authorize"
    assert meta["token_endpoint"] == "http://localhost/oidc/token"
    assert meta["jwks_uri"] == "http://localhost/oidc/jwks"
    assert meta["revocation_endpoint"] == "http://localhost/oidc/revoke"
    assert meta["introspection_endpoint"] == "http://localhost/oidc/introspect"
    assert meta["pushed_authorization_request_endpoint"] == "http://localhost/oidc/par"
    assert meta["end_session_endpoint"] == "http://localhost/oidc/logout"
    assert meta["backchannel_logout_supported"] is True and meta["backchannel_logout_session_supported"] is True
    assert meta["acr_values_supported"] == [LOA_1, LOA_2]
    assert LOA_1.endswith("loa-1") and LOA_2.endswith("loa-2")
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["response_types_supported"] == ["code"]
    assert meta["subject_types_supported"] == ["pairwise"]
    assert meta["id_token_signing_alg_values_supported"] == ["ES256"]
    assert set(meta["token_endpoint_auth_methods_supported"]) == {"private_key_jwt", "client_secret_basic"}
    assert {"openid", "profile", "phone", "address", "vn_personal_id", "offline_access"} <= set(meta["scopes_supported"])
    assert "vn_personal_id" in meta["claims_supported"]


def test_the_issuer_follows_the_host_the_server_is_reached_at(client):
    meta = client.get("/.well-known/openid-configuration", base_url="https://id.tayninh.example.gov.vn").get_json()
    assert meta["issuer"] == "https://id.tayninh.example.gov.vn"


def test_a_configured_issuer_wins(app, client):
    from app.oidc.settings import settings
    current = settings()
    app.extensions["oidc_settings"] = type(current)(**{**current.__dict__, "issuer": "https://id.example.gov.vn"})
    try:
        meta = client.get("/.well-known/openid-configuration").get_json()
    finally:
        app.extensions["oidc_settings"] = current
    assert meta["issuer"] == "https://id.example.gov.vn"
    assert meta["token_endpoint"] == "https://id.example.gov.vn/oidc/token"


def test_jwks_has_public_ec_keys_only_with_kids(client):
    keys.current_key()
    db.session.flush()
    published = client.get("/oidc/jwks").get_json()["keys"]
    assert published and all(key["kty"] == "EC" and key["crv"] == "P-256" and key["alg"] == "ES256" for key in published)
    assert all(key["kid"] and "d" not in key for key in published)


def test_rotation_keeps_the_old_key_published_until_its_tokens_expired(client):
    old = keys.current_key()
    token = keys.sign({"hello": "world"})
    new = keys.rotate_keys()
    db.session.flush()
    assert new.kid != old.kid
    published = {key["kid"] for key in client.get("/oidc/jwks").get_json()["keys"]}
    assert {old.kid, new.kid} <= published
    assert jwt.decode(token, KeySet.import_key_set(client.get("/oidc/jwks").get_json())).claims == {"hello": "world"}
    assert jwt.decode(keys.sign({"a": 1}), KeySet.import_key_set({"keys": [new.public_jwk]})).header["kid"] == new.kid
    with time_machine.travel(utcnow() + timedelta(hours=1), tick=False):
        published = {key["kid"] for key in client.get("/oidc/jwks").get_json()["keys"]}
    assert old.kid not in published and new.kid in published


def test_keys_rotate_by_themselves_when_due(client):
    old = keys.current_key()
    with time_machine.travel(utcnow() + timedelta(days=31), tick=False):
        fresh = keys.current_key()
        assert fresh.kid != old.kid and old.retired_at is not None
