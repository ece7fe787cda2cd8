"""End to end with an independent relying-party library: Authlib's OAuth2Session (requests client).

discovery -> authorization with PKCE -> login (level 1) -> consent -> code exchange ->
ID token validated against the JWKS -> userinfo; again at level 2 with a TOTP step-up
(private_key_jwt); then back-channel logout reaching a test client over real HTTP.
"""
import threading

import pytest
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.jwk import KeySet
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.oidc.logout import BACKCHANNEL_EVENT, deliver_due_logouts
from app.oidc.models import OidcLogoutDelivery
from app.extensions import db
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    PASSWORD, active_citizen, bound_citizen, fresh_rate_limits, last_code, next_step, totp_code,
)
from tests.oidc_fixtures import (
    HOSPITAL_REDIRECT, HOSPITAL_SECRET, LOA_1, LOA_2, PORTAL_REDIRECT, Browser, FlaskTransport, admin,
    hospital_client, portal_client,
)

ISSUER = "http://localhost"


def _relying_party(app, **kwargs) -> OAuth2Session:
    session = OAuth2Session(code_challenge_method="S256", **kwargs)
    session.mount("http://", FlaskTransport(app))
    return session


def _validated_id_token(rp: OAuth2Session, discovery: dict, token: dict, *, client_id: str, nonce: str) -> dict:
    jwks = KeySet.import_key_set(rp.get(discovery["jwks_uri"], withhold_token=True).json())
    decoded = jwt.decode(token["id_token"], jwks, algorithms=["ES256"])
    claims = CodeIDToken(decoded.claims, decoded.header,
                         options={"iss": {"essential": True, "value": discovery["issuer"]},
                                  "aud": {"essential": True, "value": client_id}},
                         params={"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]})
    claims.validate(leeway=120)   # the level-2 part moved the clock to the next TOTP step
    assert decoded.header["kid"] in {key["kid"] for key in rp.get(discovery["jwks_uri"], withhold_token=True).json()["keys"]}
    return dict(claims)


def test_level_1_then_level_2_with_totp_step_up_and_back_channel_logout(app, client):
    actor = admin().id
    received = []
    server = _backchannel_receiver(received)
    try:
        hospital, _ = hospital_client(actor, backchannel_logout_uri=f"http://127.0.0.1:{server.port}/backchannel")
        citizen = bound_citizen()
        browser = Browser(client)

        # --- level 1, the hospital (client_secret_basic), password + TOTP... here SMS
        rp = _relying_party(app, client_id=hospital.client_id, client_secret=HOSPITAL_SECRET,
                            token_endpoint_auth_method="client_secret_basic", scope="openid profile phone",
                            redirect_uri=HOSPITAL_REDIRECT)
        discovery = rp.get(f"{ISSUER}/.well-known/openid-configuration", withhold_token=True).json()
        assert discovery["issuer"] == ISSUER
        verifier = "v" * 20 + "-level-one-verifier-0123456789"
        url, state = rp.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier,
                                                 nonce="nonce-level-1", acr_values=LOA_1)
        response = browser.follow(browser.get(url))
        response = browser.follow(browser.log_in(citizen.account.login, PASSWORD, method="sms",
                                                 code=lambda: last_code(citizen.account.phone)))
        assert "/oidc/consent/" in browser.location
        page = response.get_data(as_text=True)
        assert 'data-scope="profile"' in page and 'data-scope="phone"' in page
        response = browser.post_form(browser.location, {"decision": "allow"})
        response = browser.follow(response)
        assert response.location.startswith(HOSPITAL_REDIRECT)
        token = rp.fetch_token(discovery["token_endpoint"], authorization_response=response.location,
                               code_verifier=verifier, state=state)
        claims = _validated_id_token(rp, discovery, token, client_id=hospital.client_id, nonce="nonce-level-1")
        assert claims["acr"] == LOA_1 and claims["amr"] == ["pwd", "sms"] and claims["auth_time"]
        assert claims["sub"] != str(citizen.account.id) and claims["sid"]
        assert "refresh_token" not in token                           # no offline_access asked
        info = rp.get(discovery["userinfo_endpoint"]).json()
        assert info["sub"] == claims["sub"]
        assert info["name"] == citizen.account.full_name and info["phone_number"] == citizen.account.phone
        assert info["birthdate"] and info["gender"] in ("male", "female")
        assert "vn_personal_id" not in info and "address" not in info

        # --- level 2 at the portal (private_key_jwt): the level-1 session steps up with TOTP
        portal, portal_key = portal_client(actor)
        assertion_auth = PrivateKeyJWT(discovery["token_endpoint"], alg="ES256")
        rp2 = _relying_party(app, client_id=portal.client_id, client_secret=portal_key,
                             token_endpoint_auth_method=assertion_auth, scope="openid profile vn_personal_id",
                             redirect_uri=PORTAL_REDIRECT)
        verifier = "w" * 20 + "-level-two-verifier-0123456789"
        url, state = rp2.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier,
                                                  nonce="nonce-level-2", acr_values=LOA_2)
        response = browser.follow(browser.get(url))
        assert "/oidc/step-up/" in browser.location              # already logged in at level 1
        # every later request happens after the next TOTP step (cookies signed then stay valid)
        with next_step():
            response = browser.follow(browser.post_form(browser.location, {"code": totp_code(citizen.totp_secret)}))
            assert "/oidc/consent/" in browser.location
            response = browser.follow(browser.post_form(browser.location, {"decision": "allow"}))
            token = rp2.fetch_token(discovery["token_endpoint"], authorization_response=response.location,
                                    code_verifier=verifier, state=state)
            claims2 = _validated_id_token(rp2, discovery, token, client_id=portal.client_id, nonce="nonce-level-2")
            assert claims2["acr"] == LOA_2 and "otp" in claims2["amr"]
            assert claims2["sub"] != claims["sub"]                   # pairwise: another sector, another subject
            info = rp2.get(discovery["userinfo_endpoint"]).json()
            assert info["vn_personal_id"] == citizen.account.personal_id

            # --- the citizen logs out at the provider: both clients' tokens die, the hospital is told
            response = browser.post_form("/oidc/logout", {})
            assert response.status_code == 200 and 'id="logged-out"' in response.get_data(as_text=True)
            assert rp.get(discovery["userinfo_endpoint"]).status_code == 401
            assert rp2.get(discovery["userinfo_endpoint"]).status_code == 401
            queued = db.session.query(OidcLogoutDelivery).filter_by(client_id=hospital.client_id).one()
            assert queued.delivered_at is None and not received       # the request only queued it
            assert deliver_due_logouts() == 1                          # the worker's job
            assert len(received) == 1
            logout = jwt.decode(received[0], KeySet.import_key_set(rp.get(discovery["jwks_uri"], withhold_token=True).json()), ["ES256"])
            assert logout.header["typ"] == "logout+jwt"
            assert logout.claims["iss"] == ISSUER and logout.claims["aud"] == hospital.client_id
            assert logout.claims["sub"] == claims["sub"] and logout.claims["sid"] == claims["sid"]
            assert BACKCHANNEL_EVENT in logout.claims["events"] and "nonce" not in logout.claims
    finally:
        server.shutdown()


class _Receiver:
    def __init__(self, server, port):
        self.server, self.port = server, port

    def shutdown(self):
        self.server.shutdown()


def _backchannel_receiver(received: list) -> _Receiver:
    """A relying party's back-channel logout endpoint on a real socket."""
    @Request.application
    def endpoint(request):
        if request.method == "POST" and request.path == "/backchannel":
            received.append(request.form["logout_token"])
            return Response(status=200)
        return Response(status=404)

    server = make_server("127.0.0.1", 0, endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return _Receiver(server, server.server_port)


@pytest.mark.parametrize("language, expected", [("vi", "Đăng nhập"), ("en", "Log in")])
def test_the_login_page_speaks_vietnamese_by_default_and_english_when_asked(client, language, expected):
    hospital, _ = hospital_client(admin().id)
    browser = Browser(client, language=language)
    rp = OAuth2Session(client_id=hospital.client_id, redirect_uri=HOSPITAL_REDIRECT, scope="openid",
                       code_challenge_method="S256")
    url, _ = rp.create_authorization_url(f"{ISSUER}/oidc/authorize", code_verifier="x" * 50, nonce="n")
    page = browser.follow(browser.get(url)).get_data(as_text=True)
    assert f"<h1>{expected}</h1>" in page and 'name="viewport"' in page and "<script" not in page
