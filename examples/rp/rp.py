"""A tiny relying party for the province login (a sample, not part of the app).

    .venv/bin/python examples/rp/rp.py hospital        # level 1, client_secret_basic
    .venv/bin/python examples/rp/rp.py portal          # level 2, private_key_jwt, through PAR

It reads examples/rp/config.json, listens on http://127.0.0.1:8765 for the
redirect back, prints the authorization URL to open in a browser, then:
exchanges the code (PKCE S256), validates the ID token against the provider's
JWKS (issuer, audience, nonce, expiry, at_hash), calls userinfo and prints the
claims. It keeps listening for back-channel logout tokens until Ctrl-C
(`--once` exits after the login). Uses Authlib's client and joserfc only.
"""
import argparse
import json
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet
import requests
from requests.auth import HTTPBasicAuth

CONFIG = json.loads((Path(__file__).with_name("config.json")).read_text())


def relying_party(name: str, issuer: str) -> tuple[OAuth2Session, dict, dict]:
    client = CONFIG["clients"][name]
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    if client["token_endpoint_auth_method"] == "private_key_jwt":
        session = OAuth2Session(client["client_id"], ECKey.import_key(client["private_jwk"]),
                                token_endpoint_auth_method=PrivateKeyJWT(discovery["token_endpoint"], alg="ES256"),
                                scope=client["scope"], redirect_uri=client["redirect_uri"],
                                code_challenge_method="S256")
    else:
        # RFC 6749 §2.3.1: the id and secret are form-encoded before HTTP Basic (the demo secret has
        # a space, a slash and Vietnamese letters); the client id here needs no encoding
        session = OAuth2Session(client["client_id"], quote(client["client_secret"], safe=""),
                                token_endpoint_auth_method="client_secret_basic", scope=client["scope"],
                                redirect_uri=client["redirect_uri"], code_challenge_method="S256")
    return session, client, discovery


def authorization_url(session, client, discovery, verifier, nonce, use_par: bool) -> str:
    url, _ = session.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier,
                                              nonce=nonce, acr_values=client["acr_values"], state=secrets.token_urlsafe(12))
    if not use_par:
        return url
    # Pushed authorization request: the parameters go to the provider directly, the browser gets a reference
    params = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    basic = HTTPBasicAuth(quote(client["client_id"], safe=""), quote(client["client_secret"], safe=""))  # RFC 6749 §2.3.1
    pushed = session.post(discovery["pushed_authorization_request_endpoint"], data=params, withhold_token=True,
                          auth=basic)
    pushed.raise_for_status()
    return f"{discovery['authorization_endpoint']}?client_id={client['client_id']}&request_uri={pushed.json()['request_uri']}"


def validate_id_token(session, discovery, token, client, nonce) -> dict:
    keys = KeySet.import_key_set(session.get(discovery["jwks_uri"], withhold_token=True).json())
    decoded = jwt.decode(token["id_token"], keys, algorithms=["ES256"])
    claims = CodeIDToken(decoded.claims, decoded.header,
                         options={"iss": {"essential": True, "value": discovery["issuer"]},
                                  "aud": {"essential": True, "value": client["client_id"]}},
                         params={"nonce": nonce, "client_id": client["client_id"],
                                 "access_token": token["access_token"]})
    claims.validate(leeway=30)
    return dict(claims)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("client", choices=sorted(CONFIG["clients"]))
    parser.add_argument("--issuer", default=CONFIG["issuer"])
    parser.add_argument("--once", action="store_true", help="exit after the login")
    args = parser.parse_args()
    session, client, discovery = relying_party(args.client, args.issuer.rstrip("/"))
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    arrived, done = {}, threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            arrived["url"] = f"http://127.0.0.1:{CONFIG['callback_port']}{self.path}"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write("Đăng nhập xong, quay lại cửa sổ dòng lệnh. / Logged in, see the terminal.".encode())
            done.set()

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            token = parse_qs(body).get("logout_token", [""])[0]
            keys = KeySet.import_key_set(session.get(discovery["jwks_uri"], withhold_token=True).json())
            claims = jwt.decode(token, keys, algorithms=["ES256"]).claims
            print("back-channel logout:", json.dumps(claims, ensure_ascii=False), flush=True)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_):
            pass

    server = HTTPServer(("127.0.0.1", CONFIG["callback_port"]), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    use_par = client["token_endpoint_auth_method"] == "client_secret_basic"
    print("Open in a browser:\n", authorization_url(session, client, discovery, verifier, nonce, use_par), flush=True)
    done.wait()
    answer = {key: values[0] for key, values in parse_qs(urlsplit(arrived["url"]).query).items()}
    if "error" in answer:
        print("refused:", answer, file=sys.stderr)
        return 1
    token = session.fetch_token(discovery["token_endpoint"], authorization_response=arrived["url"],
                                code_verifier=verifier)
    claims = validate_id_token(session, discovery, token, client, nonce)
    print("ID token (validated):", json.dumps(claims, ensure_ascii=False, indent=2))
    print("userinfo:", json.dumps(session.get(discovery["userinfo_endpoint"]).json(), ensure_ascii=False, indent=2))
    if not args.once:
        print("Listening for back-channel logouts (Ctrl-C to stop)...", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
