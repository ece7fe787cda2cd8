"""Back-channel logout deliveries: retried with growing waits, then given up; and keys from a JWKS URI."""
import json
import threading
import time
from datetime import timedelta

import time_machine
from joserfc import jwt
from joserfc.jwk import ECKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.common.clock import utcnow
from app.extensions import db
from app.identity.sessions import open_session
from app.oidc.logout import deliver_due_logouts
from app.oidc.models import OidcAuthorizationCode, OidcLogoutDelivery
from app.oidc.settings import settings
from tests.identity_fixtures import active_citizen, fresh_rate_limits  # noqa: F401  (fixture)
from tests.oidc_fixtures import HOSPITAL_REDIRECT, PORTAL_REDIRECT, admin, hospital_client, portal_client


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _code_row(client_id, citizen, session):
    db.session.add(OidcAuthorizationCode(
        code_hash="h" * 64, client_id=client_id, account_id=citizen.id, auth_session_id=session.id,
        redirect_uri=HOSPITAL_REDIRECT, scope="openid", code_challenge="c" * 43, code_challenge_method="S256",
        acr="x", amr=[], auth_time=utcnow(), expires_at=utcnow()))
    db.session.flush()


def test_a_failing_back_channel_is_retried_with_growing_waits_then_given_up():
    hospital, _ = hospital_client(admin().id, backchannel_logout_uri="http://127.0.0.1:9/unreachable")
    citizen = active_citizen()
    session = open_session(citizen, level=1, methods=["pwd", "sms"])
    _code_row(hospital.client_id, citizen, session)
    from app.identity.sessions import end_session
    end_session(citizen.id, session.id)
    delivery = db.session.query(OidcLogoutDelivery).one()
    waits = []
    moment = utcnow()
    for attempt in range(1, settings().backchannel_max_attempts + 1):
        with time_machine.travel(moment, tick=False):
            assert deliver_due_logouts() == 0
        db.session.refresh(delivery)
        assert delivery.attempts == attempt and delivery.last_error and delivery.delivered_at is None
        if delivery.failed_at is None:
            waits.append((delivery.next_attempt_at - moment).total_seconds())
            moment = delivery.next_attempt_at + timedelta(seconds=1)
    assert delivery.failed_at is not None
    assert waits == sorted(waits) and waits[0] >= 60 and len(waits) == settings().backchannel_max_attempts - 1


def test_a_client_key_is_read_from_its_jwks_uri(client):
    key = ECKey.generate_key("P-256", private=True)
    public = {**key.as_dict(private=False), "kid": "remote-1", "alg": "ES256", "use": "sig"}

    @Request.application
    def jwks(request):
        return Response(json.dumps({"keys": [public]}), content_type="application/json")

    server = _serve(jwks)
    try:
        portal, _ = portal_client(admin().id, jwks=None,
                                  jwks_uri=f"http://127.0.0.1:{server.server_port}/jwks.json")
        now = int(time.time())
        assertion = jwt.encode({"alg": "ES256", "kid": "remote-1"}, {
            "iss": portal.client_id, "sub": portal.client_id, "aud": "http://localhost/oidc/token",
            "iat": now, "exp": now + 60, "jti": "remote-jti"}, key)
        response = client.post("/oidc/token", data={
            "grant_type": "authorization_code", "code": "nothing", "redirect_uri": PORTAL_REDIRECT,
            "code_verifier": "x" * 43, "client_assertion": assertion,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"})
        assert response.get_json()["error"] == "invalid_grant"        # authenticated; the code is what is wrong
    finally:
        server.shutdown()
