"""The authorization code flow through the provider's pages, with the Flask test client."""
import base64

from app.extensions import db
from tests.identity_fixtures import PASSWORD, active_citizen, bound_citizen, fresh_rate_limits, last_code, totp_code  # noqa: F401
from tests.oidc_fixtures import (
    HOSPITAL_REDIRECT, HOSPITAL_SECRET, LOA_1, LOA_2, Browser, admin, hospital_client, pkce, query_of,
)


def _basic(client_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def _authorize_params(client, challenge, **extra):
    return {"response_type": "code", "client_id": client.client_id, "redirect_uri": HOSPITAL_REDIRECT,
            "scope": "openid profile", "state": "s-123", "nonce": "n-456", "code_challenge": challenge,
            "code_challenge_method": "S256", **extra}


def test_level_1_login_with_sms_consent_and_code(client):
    hospital, _ = hospital_client(admin().id)
    citizen = active_citizen()
    browser = Browser(client)
    verifier, challenge = pkce()
    response = browser.follow(browser.authorize(**_authorize_params(hospital, challenge, acr_values=LOA_1)))
    assert response.status_code == 200 and "/oidc/login/" in browser.location
    response = browser.follow(browser.log_in(citizen.login, PASSWORD, method="sms",
                                             code=lambda: last_code(citizen.phone)))
    assert "/oidc/consent/" in browser.location, response.get_data(as_text=True)
    response = browser.follow(browser.post_form(browser.location, {"decision": "allow"}))
    assert response.location.startswith(HOSPITAL_REDIRECT), response.location
    answer = query_of(response.location)
    assert answer["state"] == "s-123" and answer["code"]
    token = client.post("/oidc/token", data={"grant_type": "authorization_code", "code": answer["code"],
                                             "redirect_uri": HOSPITAL_REDIRECT, "code_verifier": verifier},
                        headers=_basic(hospital.client_id, HOSPITAL_SECRET))
    assert token.status_code == 200, token.get_json()
    body = token.get_json()
    assert body["id_token"] and body["access_token"] and "refresh_token" not in body
    info = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.status_code == 200, info.get_data(as_text=True)
    assert info.get_json()["name"]
