"""Relying parties registered by an administrator through the staff API, every change audited."""
from app.extensions import db
from app.common import roles
from app.oidc.clients import hash_secret
from app.oidc.models import OidcClient, OidcClientAudit
from tests.factories import AccountFactory, bearer
from tests.identity_fixtures import active_citizen, fresh_rate_limits  # noqa: F401  (fixture)

API = "/api/v1/oidc/clients"
HOSPITAL = {"name": "Bệnh viện Đa khoa tỉnh", "redirect_uris": ["https://datlich.benhvien.example.vn/auth/callback"],
            "allowed_scopes": ["openid", "profile", "phone"], "allowed_acr": [1, 2],
            "token_endpoint_auth_method": "client_secret_basic", "contacts": ["cntt@benhvien.example.vn"],
            "logo_uri": "https://datlich.benhvien.example.vn/logo.png", "rate_limit": "120 per minute"}
JWKS = {"keys": [{"kty": "EC", "crv": "P-256", "kid": "k1", "x": "3oS7AGYxZplWeTq157npxTATaTiDzJJEXghA5XnUDUU",
                  "y": "MfI5vNHEjMK9zK7qXl0_94qTByXQluWp1lOVILTdudE"}]}


def _admin():
    account = AccountFactory(role=roles.ADMIN)
    return account, bearer(account, level=2)


def test_an_admin_registers_a_client_and_sees_the_secret_once(client):
    admin, headers = _admin()
    response = client.post(API, json=HOSPITAL, headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    secret = body["client_secret"]
    registered = body["client"]
    assert registered["client_id"].startswith("sp-") and registered["sector_identifier"] == "datlich.benhvien.example.vn"
    assert registered["allowed_acr"] == [1, 2] and registered["may_receive_personal_id"] is False
    row = db.session.query(OidcClient).filter_by(client_id=registered["client_id"]).one()
    assert row.client_secret_hash == hash_secret(secret) and secret not in str(registered)
    fetched = client.get(f"{API}/{registered['client_id']}", headers=headers).get_json()
    assert "client_secret" not in fetched and fetched["name"] == HOSPITAL["name"]
    listed = client.get(API, headers=headers).get_json()["items"]
    assert [item["client_id"] for item in listed] == [registered["client_id"]]
    audit = db.session.query(OidcClientAudit).one()
    assert audit.actor_id == admin.id and audit.action == "registered"
    assert audit.snapshot["redirect_uris"] == HOSPITAL["redirect_uris"]


def test_changes_and_new_secrets_are_audited(client):
    _, headers = _admin()
    client_id = client.post(API, json=HOSPITAL, headers=headers).get_json()["client"]["client_id"]
    changed = client.patch(f"{API}/{client_id}", json={"allowed_acr": [2], "active": False}, headers=headers)
    assert changed.status_code == 200 and changed.get_json()["allowed_acr"] == [2]
    assert changed.get_json()["active"] is False
    rotated = client.post(f"{API}/{client_id}/secret", headers=headers)
    assert rotated.status_code == 201 and rotated.get_json()["client_secret"]
    history = client.get(f"{API}/{client_id}/history", headers=headers).get_json()
    assert [entry["action"] for entry in history] == ["registered", "updated", "secret_rotated"]


def test_registrations_that_would_be_unsafe_are_refused(client):
    _, headers = _admin()
    cases = [
        ({"redirect_uris": ["http://portal.example.vn/cb"]}, "redirect_uris"),
        ({"redirect_uris": ["https://portal.example.vn/cb#frag"]}, "redirect_uris"),
        ({"redirect_uris": ["/relative"]}, "redirect_uris"),
        ({"token_endpoint_auth_method": "private_key_jwt"}, "jwks"),
        ({"allowed_scopes": ["openid", "vn_personal_id"]}, "may_receive_personal_id"),
        ({"allowed_scopes": ["profile"]}, "allowed_scopes"),
        ({"backchannel_logout_uri": "http://portal.example.vn/logout"}, "backchannel_logout_uri"),
    ]
    for change, field in cases:
        response = client.post(API, json={**HOSPITAL, **change}, headers=headers)
        assert response.status_code == 422, change
        assert field in response.get_json()["errors"], (change, response.get_json())
    loopback = client.post(API, json={**HOSPITAL, "redirect_uris": ["http://127.0.0.1:8765/callback"]}, headers=headers)
    assert loopback.status_code == 201
    keyed = client.post(API, json={**HOSPITAL, "token_endpoint_auth_method": "private_key_jwt", "jwks": JWKS},
                        headers=headers)
    assert keyed.status_code == 201 and keyed.get_json()["client_secret"] is None


def test_only_admins_manage_clients(client):
    citizen = active_citizen()
    assert client.post(API, json=HOSPITAL, headers=bearer(citizen)).status_code == 403
    assert client.get(API).status_code == 401
    _, headers = _admin()
    missing = client.get(f"{API}/sp-nobody", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["code"] == "oidc_client_not_found"
    assert missing.get_json()["message"] == "Không có dịch vụ nào mang mã client này."
