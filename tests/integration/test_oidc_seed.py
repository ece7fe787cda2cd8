"""The demo relying parties: seeded once, and matching examples/rp/config.json."""
import base64
import json
from pathlib import Path
from urllib.parse import quote, quote_plus

from joserfc.jwk import ECKey

from app.common import roles
from app.oidc import clients
from app.oidc.seed import seed_demo_clients
from tests.factories import AccountFactory

CONFIG = json.loads((Path(__file__).resolve().parents[2] / "examples/rp/config.json").read_text())


def test_the_demo_clients_are_seeded_once_and_match_the_examples(client):
    AccountFactory(role=roles.ADMIN, login="demo.admin", citizen=None, personal_id=None, phone=None, full_name="Admin")
    lines = seed_demo_clients()
    assert seed_demo_clients() == lines and len(lines) == 3
    for name, example in CONFIG["clients"].items():
        registered = clients.get_client(example["client_id"])
        assert registered.token_endpoint_auth_method == example["token_endpoint_auth_method"]
        assert example["redirect_uri"] in registered.redirect_uris
        assert example["post_logout_redirect_uri"] in registered.post_logout_redirect_uris
        assert example["backchannel_logout_uri"] == registered.backchannel_logout_uri
        assert set(example["scope"].split()) <= set(registered.allowed_scopes)
    portal = clients.get_client("demo-portal")
    private = ECKey.import_key(CONFIG["clients"]["portal"]["private_jwk"])
    assert portal.jwks["keys"][0]["x"] == private.as_dict(private=False)["x"] and portal.may_receive_personal_id

    # the hospital's secret has a space, a slash and Vietnamese letters: RFC 6749 §2.3.1 form-encodes it
    hospital = CONFIG["clients"]["hospital"]
    for encoded in (quote(hospital["client_id"], safe="") + ":" + quote(hospital["client_secret"], safe=""),
                    quote_plus(hospital["client_id"]) + ":" + quote_plus(hospital["client_secret"])):
        basic = {"Authorization": "Basic " + base64.b64encode(encoded.encode()).decode()}
        response = client.post("/oidc/introspect", data={"token": "nothing"}, headers=basic)
        assert response.status_code == 200 and response.get_json() == {"active": False}, encoded
    assert "+" in quote_plus(hospital["client_secret"])
    wrong = client.post("/oidc/introspect", data={"token": "nothing"},
                        headers={"Authorization": "Basic " + base64.b64encode(b"demo-hospital:nope").decode()})
    assert wrong.status_code == 401
