"""The authorization code flow through the provider's pages, and every refusal on the way."""
import base64
import secrets
import time
from datetime import timedelta

import time_machine
from joserfc import jwt
from joserfc.jwk import ECKey

from app.common.clock import utcnow
from app.extensions import db
from app.identity import accounts
from app.oidc.models import OidcAuthorizationCode, OidcLogoutDelivery, OidcToken
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    PASSWORD, active_citizen, bound_citizen, fresh_rate_limits, last_code, next_step, totp_code,
)
from tests.oidc_fixtures import (
    HOSPITAL_REDIRECT, HOSPITAL_SECRET, LOA_1, LOA_2, PORTAL_REDIRECT, Browser, admin, hospital_client,
    pkce, portal_client, query_of,
)

TOKEN = "/oidc/token"


def _basic(client_id, secret=HOSPITAL_SECRET):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def _params(client, challenge, redirect_uri=HOSPITAL_REDIRECT, **extra):
    return {"response_type": "code", "client_id": client.client_id, "redirect_uri": redirect_uri,
            "scope": "openid profile", "state": "s-123", "nonce": secrets.token_urlsafe(8), "code_challenge": challenge,
            "code_challenge_method": "S256", **extra}


def _sms_login(browser, citizen):
    return browser.follow(browser.log_in(citizen.login, PASSWORD, method="sms", code=lambda: last_code(citizen.phone)))


def _code(client_app, hospital, citizen, *, browser=None, consent=True, **extra):
    """Runs the flow for `citizen` at the hospital; returns (browser, verifier, code)."""
    browser = browser or Browser(client_app)
    verifier, challenge = pkce()
    response = browser.follow(browser.authorize(**_params(hospital, challenge, **extra)))
    if "/oidc/login/" in (browser.location or "") and response.status_code == 200:
        response = _sms_login(browser, citizen)
    if consent and "/oidc/consent/" in (browser.location or "") and response.status_code == 200:
        response = browser.follow(browser.post_form(browser.location, {"decision": "allow"}))
    assert response.location and response.location.startswith(HOSPITAL_REDIRECT), response.get_data(as_text=True)
    return browser, verifier, query_of(response.location)["code"]


def _exchange(client, hospital, code, verifier, **headers):
    return client.post(TOKEN, data={"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                                    "redirect_uri": HOSPITAL_REDIRECT},
                       headers=headers or _basic(hospital.client_id))


def _userinfo(client, access_token):
    return client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {access_token}"})


def test_level_1_login_with_sms_consent_code_and_userinfo(client):
    hospital, _ = hospital_client(admin().id)
    citizen = active_citizen()
    browser, verifier, code = _code(client, hospital, citizen, acr_values=LOA_1)
    token = _exchange(client, hospital, code, verifier)
    assert token.status_code == 200, token.get_json()
    body = token.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600 and "refresh_token" not in body
    stored = db.session.query(OidcAuthorizationCode).one()
    assert code not in stored.code_hash and stored.used_at is not None
    assert stored.expires_at - stored.created_at <= timedelta(seconds=60)
    info = _userinfo(client, body["access_token"]).get_json()
    assert info["name"] == citizen.full_name and "phone_number" not in info


# --- refusals before anything is issued -------------------------------------------------

def test_an_unregistered_redirect_uri_is_shown_on_our_page_never_redirected(client):
    hospital, _ = hospital_client(admin().id)
    _, challenge = pkce()
    for uri in ("https://evil.example.com/cb", HOSPITAL_REDIRECT + "/", HOSPITAL_REDIRECT + "?x=1", None):
        response = Browser(client).authorize(**_params(hospital, challenge, redirect_uri=uri))
        assert response.status_code == 400 and response.location is None
        page = response.get_data(as_text=True)
        assert "oidc_invalid_redirect_uri" in page and "Địa chỉ quay lại chưa được đăng ký" in page
    unknown = Browser(client, language="en").authorize(**{**_params(hospital, challenge), "client_id": "nobody"})
    assert unknown.status_code == 400 and unknown.location is None
    assert "not registered with the province login" in unknown.get_data(as_text=True)


def test_pkce_is_required_and_only_s256(client):
    hospital, _ = hospital_client(admin().id)
    _, challenge = pkce()
    for extra in ({"code_challenge": None, "code_challenge_method": None}, {"code_challenge_method": "plain"},
                  {"code_challenge_method": None}):
        response = Browser(client).authorize(**{**_params(hospital, challenge), **extra})
        assert response.status_code == 302
        answer = query_of(response.location)
        assert response.location.startswith(HOSPITAL_REDIRECT)
        assert answer["error"] == "invalid_request" and answer["state"] == "s-123" and "code" not in answer


def test_unknown_and_unregistered_scopes_are_refused(client):
    hospital, _ = hospital_client(admin().id)            # registered: openid profile phone offline_access
    _, challenge = pkce()
    for scope in ("openid email", "openid vn_personal_id", "openid address"):
        response = Browser(client).authorize(**_params(hospital, challenge, scope=scope))
        assert query_of(response.location)["error"] == "invalid_scope", scope


def test_an_acr_the_client_may_not_ask_for_is_refused(client):
    hospital, _ = hospital_client(admin().id, allowed_acr=[1])
    _, challenge = pkce()
    response = Browser(client).authorize(**_params(hospital, challenge, acr_values=LOA_2))
    assert query_of(response.location)["error"] == "invalid_request"


def test_prompt_none_without_a_session_answers_the_client(client):
    hospital, _ = hospital_client(admin().id)
    _, challenge = pkce()
    response = Browser(client).authorize(**_params(hospital, challenge, prompt="none"))
    assert query_of(response.location)["error"] == "login_required"


def test_forms_without_the_csrf_token_are_refused(client):
    hospital, _ = hospital_client(admin().id)
    citizen = active_citizen()
    browser = Browser(client)
    _, challenge = pkce()
    browser.follow(browser.authorize(**_params(hospital, challenge)))
    response = client.post(browser.location, data={"login": citizen.login, "password": PASSWORD})
    assert response.status_code == 403 and "oidc_csrf_refused" in response.get_data(as_text=True)


# --- the code exchange --------------------------------------------------------------------

def test_a_replayed_code_is_refused_and_revokes_what_it_issued(client):
    hospital, _ = hospital_client(admin().id)
    _, verifier, code = _code(client, hospital, active_citizen())
    first = _exchange(client, hospital, code, verifier).get_json()
    assert _userinfo(client, first["access_token"]).status_code == 200
    again = _exchange(client, hospital, code, verifier)
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"
    assert _userinfo(client, first["access_token"]).status_code == 401
    assert db.session.query(OidcToken).one().revoked_at is not None


def test_an_expired_code_is_refused(client):
    hospital, _ = hospital_client(admin().id)
    _, verifier, code = _code(client, hospital, active_citizen())
    with time_machine.travel(utcnow() + timedelta(seconds=61), tick=False):
        response = _exchange(client, hospital, code, verifier)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_grant"


def test_the_code_is_bound_to_the_verifier_the_redirect_uri_and_the_client(client):
    actor = admin().id
    hospital, _ = hospital_client(actor)
    other, other_secret = hospital_client(actor, name="Another hospital")
    citizen = active_citizen()
    browser, verifier, code = _code(client, hospital, citizen)
    assert _exchange(client, hospital, code, pkce()[0]).get_json()["error"] == "invalid_grant"
    browser, verifier, code = _code(client, hospital, citizen, browser=browser)
    assert _exchange(client, other, code, verifier, **_basic(other.client_id, other_secret)).get_json()["error"] \
        == "invalid_grant"
    browser, verifier, code = _code(client, hospital, citizen, browser=browser)
    response = client.post(TOKEN, data={"grant_type": "authorization_code", "code": code, "code_verifier": verifier},
                           headers=_basic(hospital.client_id))
    assert response.get_json()["error"] == "invalid_grant"          # redirect_uri missing
    browser, verifier, code = _code(client, hospital, citizen, browser=browser)
    response = client.post(TOKEN, data={"grant_type": "authorization_code", "code": code,
                                        "redirect_uri": HOSPITAL_REDIRECT}, headers=_basic(hospital.client_id))
    assert response.get_json()["error"] == "invalid_request"        # code_verifier missing


def test_a_wrong_secret_or_a_wrong_client_key_is_refused(client):
    actor = admin().id
    hospital, _ = hospital_client(actor)
    _, verifier, code = _code(client, hospital, active_citizen())
    response = _exchange(client, hospital, code, verifier, **_basic(hospital.client_id, "not-the-secret"))
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"

    portal, key = portal_client(actor)
    stranger = ECKey.generate_key("P-256", private=True)
    now = int(time.time())
    claims = {"iss": portal.client_id, "sub": portal.client_id, "aud": "http://localhost/oidc/token",
              "iat": now, "exp": now + 60, "jti": "j-1"}
    for signing_key in (stranger, key):
        assertion = jwt.encode({"alg": "ES256"}, {**claims, "jti": f"j-{id(signing_key)}"}, signing_key)
        response = client.post(TOKEN, data={
            "grant_type": "authorization_code", "code": "nothing", "redirect_uri": PORTAL_REDIRECT,
            "code_verifier": "x" * 43, "client_assertion": assertion,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"})
        expected = "invalid_client" if signing_key is stranger else "invalid_grant"
        assert response.get_json()["error"] == expected
    replay = jwt.encode({"alg": "ES256"}, {**claims, "jti": f"j-{id(key)}"}, key)
    response = client.post(TOKEN, data={
        "grant_type": "authorization_code", "code": "nothing", "redirect_uri": PORTAL_REDIRECT, "code_verifier": "x" * 43,
        "client_assertion": replay, "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"})
    assert response.get_json()["error"] == "invalid_client"          # the assertion's jti is single use
    # a client registered for private_key_jwt may not use a secret, and the other way round
    response = _exchange(client, portal, "nothing", "x" * 43, **_basic(portal.client_id, "anything"))
    assert response.get_json()["error"] == "invalid_client"


# --- assurance --------------------------------------------------------------------------

def test_level_2_is_never_reached_with_sms(client):
    hospital, _ = hospital_client(admin().id)
    citizen = bound_citizen()                           # level-2 account with a bound phone
    browser = Browser(client)
    _, challenge = pkce()
    browser.follow(browser.authorize(**_params(hospital, challenge, acr_values=LOA_2)))
    started = browser.post_form(browser.location, {"login": citizen.account.login, "password": PASSWORD})
    factor_page = browser.get(started.location).get_data(as_text=True)
    assert 'id="totp"' in factor_page and 'id="sms"' not in factor_page and 'id="send-sms"' not in factor_page
    refused = browser.client.post(started.location, data={
        "csrf_token": browser.get(started.location).get_data(as_text=True).split('name="csrf_token" value="')[1][:32],
        "method": "sms", "code": "123456"}, headers=browser.headers)
    assert refused.status_code == 403 and refused.location is None

    sms_only = active_citizen(level=2)                  # level 2 in the registry, but no bound phone
    browser = Browser(client)
    browser.follow(browser.authorize(**_params(hospital, challenge, acr_values=LOA_2)))
    refused = browser.post_form(browser.location, {"login": sms_only.login, "password": PASSWORD})
    assert refused.status_code == 403 and 'id="error"' in refused.get_data(as_text=True)
    assert refused.location is None and "/oidc/login/" in browser.location


def test_a_level_1_account_asking_for_level_2_goes_back_with_unmet_requirements(client):
    hospital, _ = hospital_client(admin().id)
    citizen = active_citizen()
    browser, _, _ = _code(client, hospital, citizen)              # logged in at level 1
    _, challenge = pkce()
    response = browser.follow(browser.authorize(**_params(hospital, challenge, acr_values=LOA_2)))
    assert query_of(response.location)["error"] == "unmet_authentication_requirements"


def test_prompt_login_and_max_age_force_a_new_login(client):
    hospital, _ = hospital_client(admin().id)
    citizen = active_citizen()
    browser, _, _ = _code(client, hospital, citizen)
    _, challenge = pkce()
    response = browser.follow(browser.authorize(**_params(hospital, challenge)))
    assert response.location.startswith(HOSPITAL_REDIRECT)              # session and consent remembered
    with next_step():                                  # a new SMS code may be sent a minute later
        browser.follow(browser.authorize(**_params(hospital, challenge, prompt="login")))
        assert "/oidc/login/" in browser.location
        response = _sms_login(browser, citizen)
        assert response.location.startswith(HOSPITAL_REDIRECT)
        with time_machine.travel(utcnow() + timedelta(seconds=120), tick=False):
            browser.follow(browser.authorize(**_params(hospital, challenge, max_age="60")))
            assert "/oidc/login/" in browser.location
            response = browser.follow(browser.authorize(**_params(hospital, challenge, max_age="600")))
            assert response.location.startswith(HOSPITAL_REDIRECT)


def test_the_id_token_carries_acr_amr_auth_time_and_nonce(client):
    hospital, _ = hospital_client(admin().id)
    _, verifier, code = _code(client, hospital, active_citizen(), nonce="n-456")
    id_token = _exchange(client, hospital, code, verifier).get_json()["id_token"]
    claims = jwt.decode(id_token, _jwks(client), ["ES256"]).claims
    assert claims["acr"] == LOA_1 and claims["amr"] == ["pwd", "sms"] and claims["nonce"] == "n-456"
    assert claims["aud"] == [hospital.client_id] and claims["iss"] == "http://localhost"
    assert abs(claims["auth_time"] - int(time.time())) < 30 and claims["exp"] - claims["iat"] == 600


def _jwks(client):
    from joserfc.jwk import KeySet
    return KeySet.import_key_set(client.get("/oidc/jwks").get_json())


# --- consent ----------------------------------------------------------------------------

def test_denied_consent_goes_back_with_access_denied(client):
    hospital, _ = hospital_client(admin().id)
    browser = Browser(client)
    _, challenge = pkce()
    browser.follow(browser.authorize(**_params(hospital, challenge)))
    _sms_login(browser, active_citizen())
    response = browser.post_form(browser.location, {"decision": "deny"})
    answer = query_of(response.location)
    assert answer["error"] == "access_denied" and answer["state"] == "s-123"


def test_consent_is_remembered_listed_and_revocable_by_the_citizen(client):
    from tests.factories import bearer
    hospital, _ = hospital_client(admin().id)
    citizen = active_citizen()
    browser, verifier, code = _code(client, hospital, citizen)
    access = _exchange(client, hospital, code, verifier).get_json()["access_token"]
    listed = client.get("/api/v1/oidc/consents", headers=bearer(citizen)).get_json()["items"]
    assert listed == [{"client_id": hospital.client_id, "client_name": hospital.name, "logo_uri": None,
                       "scopes": ["openid", "profile"], "granted_at": listed[0]["granted_at"]}]
    assert client.delete(f"/api/v1/oidc/consents/{hospital.client_id}", headers=bearer(citizen)).status_code == 204
    assert _userinfo(client, access).status_code == 401
    assert client.get("/api/v1/oidc/consents", headers=bearer(citizen)).get_json()["items"] == []
    missing = client.delete(f"/api/v1/oidc/consents/{hospital.client_id}", headers=bearer(citizen))
    assert missing.status_code == 404 and missing.get_json()["code"] == "oidc_consent_not_found"
    _, challenge = pkce()
    browser.follow(browser.authorize(**_params(hospital, challenge)))
    assert "/oidc/consent/" in browser.location                                 # asked again


# --- tokens: refresh, revocation, introspection ---------------------------------------------

def test_refresh_tokens_only_with_offline_access_and_they_rotate(client):
    hospital, _ = hospital_client(admin().id)
    _, verifier, code = _code(client, hospital, active_citizen(), scope="openid offline_access")
    body = _exchange(client, hospital, code, verifier).get_json()
    assert body["refresh_token"]
    refreshed = client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
                            headers=_basic(hospital.client_id))
    assert refreshed.status_code == 200, refreshed.get_json()
    fresh = refreshed.get_json()
    assert fresh["access_token"] != body["access_token"] and fresh["refresh_token"] != body["refresh_token"]
    again = client.post(TOKEN, data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
                        headers=_basic(hospital.client_id))
    assert again.get_json()["error"] == "invalid_grant"


def test_revocation_and_introspection(client):
    actor = admin().id
    hospital, _ = hospital_client(actor)
    other, other_secret = hospital_client(actor, name="Another hospital")
    _, verifier, code = _code(client, hospital, active_citizen())
    access = _exchange(client, hospital, code, verifier).get_json()["access_token"]
    seen = client.post("/oidc/introspect", data={"token": access}, headers=_basic(hospital.client_id)).get_json()
    assert seen["active"] is True and seen["client_id"] == hospital.client_id and seen["scope"] == "openid profile"
    assert seen["acr"] == LOA_1 and seen["sub"]
    foreign = client.post("/oidc/introspect", data={"token": access}, headers=_basic(other.client_id, other_secret))
    assert foreign.get_json() == {"active": False}
    unauthenticated = client.post("/oidc/introspect", data={"token": access})
    assert unauthenticated.status_code == 401
    assert client.post("/oidc/revoke", data={"token": access}, headers=_basic(hospital.client_id)).status_code == 200
    assert client.post("/oidc/introspect", data={"token": access},
                       headers=_basic(hospital.client_id)).get_json() == {"active": False}
    assert _userinfo(client, access).status_code == 401


def test_the_token_endpoint_is_rate_limited_per_client(client):
    hospital, _ = hospital_client(admin().id, rate_limit="3 per minute")
    statuses = [client.post(TOKEN, data={"grant_type": "authorization_code", "code": "x"},
                            headers=_basic(hospital.client_id)).status_code for _ in range(4)]
    assert statuses[:3] == [400, 400, 400] and statuses[3] == 429


# --- PAR -----------------------------------------------------------------------------------

def test_pushed_authorization_requests(client):
    hospital, _ = hospital_client(admin().id)
    citizen = active_citizen()
    verifier, challenge = pkce()
    params = _params(hospital, challenge)
    pushed = client.post("/oidc/par", data=params, headers=_basic(hospital.client_id))
    assert pushed.status_code == 201, pushed.get_json()
    request_uri = pushed.get_json()["request_uri"]
    assert request_uri.startswith("urn:ietf:params:oauth:request_uri:") and pushed.get_json()["expires_in"] == 90
    browser = Browser(client)
    browser.follow(browser.authorize(client_id=hospital.client_id, request_uri=request_uri))
    response = _sms_login(browser, citizen)
    response = browser.follow(browser.post_form(browser.location, {"decision": "allow"}))
    code = query_of(response.location)["code"]
    assert _exchange(client, hospital, code, verifier).status_code == 200
    reused = Browser(client).authorize(client_id=hospital.client_id, request_uri=request_uri)
    assert reused.status_code == 410 and reused.location is None
    unauthenticated = client.post("/oidc/par", data=params)
    assert unauthenticated.status_code == 401
    bad = client.post("/oidc/par", data={**params, "redirect_uri": "https://evil.example.com/"},
                      headers=_basic(hospital.client_id))
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_request"
    no_pkce = client.post("/oidc/par", data={**params, "code_challenge": ""}, headers=_basic(hospital.client_id))
    assert no_pkce.get_json()["error"] == "invalid_request"


# --- logout ----------------------------------------------------------------------------------

def test_rp_initiated_logout_returns_only_to_a_registered_address(client):
    hospital, _ = hospital_client(admin().id)
    browser, verifier, code = _code(client, hospital, active_citizen())
    id_token = _exchange(client, hospital, code, verifier).get_json()["id_token"]
    response = browser.post_form(f"/oidc/logout?id_token_hint={id_token}&post_logout_redirect_uri="
                                 "https://datlich.benhvien.example.vn/&state=bye", {})
    assert response.status_code == 302 and response.location == "https://datlich.benhvien.example.vn/?state=bye"
    assert db.session.query(OidcLogoutDelivery).count() == 1         # the hospital's back channel is told too
    evil = browser.post_form("/oidc/logout?client_id=" + hospital.client_id +
                             "&post_logout_redirect_uri=https://evil.example.com/", {})
    assert evil.status_code == 200 and evil.location is None


def test_a_password_change_ends_the_clients_sessions_through_the_back_channel(client):
    hospital, _ = hospital_client(admin().id)
    citizen = active_citizen()
    _, verifier, code = _code(client, hospital, citizen)
    access = _exchange(client, hospital, code, verifier).get_json()["access_token"]
    from app.identity.sessions import open_session
    keep = open_session(citizen, level=1, methods=["pwd", "sms"])
    accounts.change_password(citizen, keep.id, PASSWORD, "mot-mat-khau-moi-rat-dai-2026!")
    assert _userinfo(client, access).status_code == 401
    delivery = db.session.query(OidcLogoutDelivery).one()
    assert delivery.client_id == hospital.client_id and delivery.delivered_at is None


# --- QR login and QR step-up from the bound phone ---------------------------------------------

def _approve_on_phone(client, citizen, qr_page: str) -> None:
    code = qr_page.split('data-code="')[1].split('"')[0]
    phone = citizen.phone_headers()
    assert client.post("/api/v1/identity/qr-logins/scan", json={"code": code}, headers=phone).status_code == 200
    approved = client.post("/api/v1/identity/qr-logins/approve", json={"code": code}, headers=phone)
    assert approved.status_code == 200, approved.get_json()


def _id_token_claims(client, hospital, response, verifier):
    body = _exchange(client, hospital, query_of(response.location)["code"], verifier).get_json()
    return jwt.decode(body["id_token"], _jwks(client), ["ES256"]).claims


def test_qr_login_from_the_bound_phone_reaches_level_2(client):
    hospital, _ = hospital_client(admin().id)
    citizen = bound_citizen()
    browser = Browser(client)
    verifier, challenge = pkce()
    browser.follow(browser.authorize(**_params(hospital, challenge, acr_values=LOA_2)))
    qr_url = browser.location + "/qr"
    page = browser.get(qr_url).get_data(as_text=True)
    assert "<svg" in page and "<script" not in page
    pending = browser.post_form(qr_url, {})
    assert pending.status_code == 200 and 'id="error"' in pending.get_data(as_text=True)   # not approved yet
    _approve_on_phone(client, citizen, page)
    response = browser.follow(browser.post_form(qr_url, {}))
    response = browser.follow(browser.post_form(browser.location, {"decision": "allow"}))
    claims = _id_token_claims(client, hospital, response, verifier)
    assert claims["acr"] == LOA_2 and claims["amr"] == ["qr"]


def test_a_level_1_session_steps_up_with_a_qr_approval(client):
    hospital, _ = hospital_client(admin().id)
    citizen = bound_citizen()
    browser = Browser(client)
    _, challenge = pkce()
    browser.follow(browser.authorize(**_params(hospital, challenge, acr_values=LOA_1)))
    _sms_login(browser, citizen.account)
    verifier, challenge = pkce()
    browser.follow(browser.authorize(**_params(hospital, challenge, acr_values=LOA_2)))
    assert "/oidc/step-up/" in browser.location
    rid = browser.location.rsplit("/", 1)[1]
    page = browser.get(f"/oidc/login/{rid}/qr").get_data(as_text=True)
    _approve_on_phone(client, citizen, page)
    response = browser.follow(browser.post_form(f"/oidc/login/{rid}/qr", {}))
    if "/oidc/consent/" in (browser.location or "") and response.status_code == 200:
        response = browser.follow(browser.post_form(browser.location, {"decision": "allow"}))
    claims = _id_token_claims(client, hospital, response, verifier)
    assert claims["acr"] == LOA_2 and claims["amr"] == ["pwd", "sms", "qr"]


def test_prompt_none_with_a_session_and_consent_answers_silently(client):
    hospital, _ = hospital_client(admin().id)
    browser, _, _ = _code(client, hospital, active_citizen())
    _, challenge = pkce()
    response = browser.follow(browser.authorize(**_params(hospital, challenge, prompt="none")))
    assert "code" in query_of(response.location)
    response = browser.follow(browser.authorize(**_params(hospital, challenge, prompt="none", scope="openid phone")))
    assert query_of(response.location)["error"] == "consent_required"


def test_unbinding_the_phone_ends_the_clients_sessions_through_the_back_channel(client):
    from app.identity import devices
    hospital, _ = hospital_client(admin().id)
    citizen = bound_citizen()
    browser = Browser(client)
    verifier, challenge = pkce()
    browser.follow(browser.authorize(**_params(hospital, challenge)))
    response = browser.follow(browser.log_in(citizen.account.login, PASSWORD, method="totp",
                                             code=lambda: totp_code(citizen.totp_secret)))
    response = browser.follow(browser.post_form(browser.location, {"decision": "allow"}))
    access = _exchange(client, hospital, query_of(response.location)["code"], verifier).get_json()["access_token"]
    from app.identity.models import AuthSession
    # the login happened in the phone's browser, on the bound device (its sessions end with it)
    db.session.query(AuthSession).filter_by(account_id=citizen.account.id).update({"device_id": citizen.device.id})
    devices.unbind_device(citizen.account, citizen.device.id)
    assert _userinfo(client, access).status_code == 401
    assert db.session.query(OidcLogoutDelivery).one().client_id == hospital.client_id
