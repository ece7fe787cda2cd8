"""Two demo relying parties for a development province (skipped in production).

The portal authenticates with `private_key_jwt`, the hospital booking site with
`client_secret_basic` (its secret has a space, a slash and Vietnamese letters,
so clients must form-encode it as RFC 6749 §2.3.1 says). Their ids, redirect
URIs and development keys are in examples/rp/config.json, which the sample
relying party (examples/rp/rp.py) and docs/oidc.md use. Idempotent.
"""
from flask import current_app

from app.identity import public as identity
from app.oidc import clients

CALLBACKS = "http://127.0.0.1:8765"
PORTAL_PUBLIC_JWK = {"crv": "P-256", "x": "2vcEwmZQ_GQfvwbJx8Q-V6nvsDRcgMkdHplfDUbjqjU",
                     "y": "Pe__o3xcI5MOHw6a45SBcZP90YqVA8bP2REgnH83yK0", "kty": "EC",
                     "kid": "demo-portal-2026", "use": "sig", "alg": "ES256"}
HOSPITAL_SECRET = "demo-hospital-secret/2026 đặt lịch"

DEMO_CLIENTS = {
    "demo-portal": {
        "name": "Cổng dịch vụ công tỉnh (demo)",
        "redirect_uris": [f"{CALLBACKS}/portal/callback", "https://dichvucong.example.gov.vn/oidc/callback"],
        "post_logout_redirect_uris": [f"{CALLBACKS}/portal/"],
        "backchannel_logout_uri": f"{CALLBACKS}/portal/backchannel-logout",
        "allowed_scopes": ["openid", "profile", "phone", "address", "vn_personal_id"], "allowed_acr": [1, 2],
        "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [PORTAL_PUBLIC_JWK]},
        "may_receive_personal_id": True, "contacts": ["cntt@dichvucong.example.gov.vn"],
    },
    "demo-hospital": {
        "name": "Bệnh viện Đa khoa tỉnh - Đặt lịch khám (demo)",
        "redirect_uris": [f"{CALLBACKS}/hospital/callback", "https://datlich.benhvien.example.vn/auth/callback"],
        "post_logout_redirect_uris": [f"{CALLBACKS}/hospital/"],
        "backchannel_logout_uri": f"{CALLBACKS}/hospital/backchannel-logout",
        "allowed_scopes": ["openid", "profile", "phone", "offline_access"], "allowed_acr": [1, 2],
        "token_endpoint_auth_method": "client_secret_basic", "contacts": ["cntt@benhvien.example.vn"],
        "sector_identifier": "benhvien.example.vn",
    },
}


def seed_demo_clients() -> list[str]:
    """Registers the demo clients that are missing (as demo.admin); returns the lines to print."""
    if current_app.config["APP_ENV"] == "production":
        return []
    admin_id = identity.account_id_by_login("demo.admin")
    if admin_id is None:
        return []
    lines = ["OpenID Connect demo clients (examples/rp/config.json):"]
    for client_id, data in DEMO_CLIENTS.items():
        if clients.find_client(client_id) is None:
            clients.register_client(admin_id, data, client_id=client_id,
                                    client_secret=HOSPITAL_SECRET if client_id == "demo-hospital" else None)
        lines.append(f"client {client_id} ({data['token_endpoint_auth_method']}): {data['redirect_uris'][0]}")
    return lines
