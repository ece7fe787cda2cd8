"""Helpers for the OpenID provider tests: registered clients, a browser that logs in, PKCE."""
import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlsplit

from joserfc.jwk import ECKey

from app.common import roles
from app.oidc import clients
from app.oidc.assurance import LOA_1, LOA_2  # noqa: F401  (re-exported for tests)
from tests.factories import AccountFactory

PORTAL_REDIRECT = "https://dichvucong.example.gov.vn/oidc/callback"
HOSPITAL_REDIRECT = "https://datlich.benhvien.example.vn/auth/callback"
HOSPITAL_SECRET = "hospital-dev-secret-" + "x" * 20


def admin():
    return AccountFactory(role=roles.ADMIN)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def hospital_client(actor_id, **overrides):
    data = {"name": "Bệnh viện Đa khoa tỉnh - Đặt lịch khám", "redirect_uris": [HOSPITAL_REDIRECT],
            "allowed_scopes": ["openid", "profile", "phone", "offline_access"], "allowed_acr": [1, 2],
            "token_endpoint_auth_method": "client_secret_basic",
            "backchannel_logout_uri": "https://datlich.benhvien.example.vn/auth/backchannel",
            "post_logout_redirect_uris": ["https://datlich.benhvien.example.vn/"], **overrides}
    client, secret = clients.register_client(actor_id, data, client_secret=HOSPITAL_SECRET)
    return client, secret


def portal_client(actor_id, **overrides):
    key = ECKey.generate_key("P-256", private=True)
    public = {**key.as_dict(private=False), "kid": "portal-1", "use": "sig", "alg": "ES256"}
    data = {"name": "Cổng dịch vụ công tỉnh", "redirect_uris": [PORTAL_REDIRECT],
            "allowed_scopes": ["openid", "profile", "phone", "address", "vn_personal_id"], "allowed_acr": [1, 2],
            "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [public]},
            "may_receive_personal_id": True, **overrides}
    client, _ = clients.register_client(actor_id, data)
    return client, key


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def query_of(location: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


class Browser:
    """The citizen's browser on the provider's pages (the Flask test client keeps the cookie)."""

    def __init__(self, client, *, language: str = "vi"):
        self.client = client
        self.headers = {"Accept-Language": language}

    def get(self, url, **kwargs):
        return self.client.get(url, headers=self.headers, **kwargs)

    def post_form(self, url, data):
        page = self.get(url)
        assert page.status_code == 200, page.get_data(as_text=True)
        return self.client.post(url, data={"csrf_token": csrf_of(page.get_data(as_text=True)), **data},
                                headers=self.headers)

    def authorize(self, **params):
        return self.get("/oidc/authorize", query_string=params)

    def follow(self, response):
        """Follows redirects inside the provider; stops at a page or at the client's redirect URI."""
        while response.status_code in (302, 303) and self._ours(response.location):
            self.location = response.location
            response = self.get(response.location)
        return response

    @staticmethod
    def _ours(location: str) -> bool:
        parts = urlsplit(location)
        return parts.netloc in ("", "localhost") and parts.path.startswith("/oidc/")

    def log_in(self, login: str, password: str, *, method: str | None = None, code=None):
        """On the login page (`self.location`): password, then the second factor; returns what follows."""
        assert "/oidc/login/" in self.location
        response = self.post_form(self.location, {"login": login, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        factor_url = response.location
        if method == "sms":
            self.post_form(factor_url, {"method": "send_sms"})
        return self.post_form(factor_url, {"method": method, "code": code() if callable(code) else code})


class FlaskTransport:
    """A `requests` adapter that hands requests to the Flask test client: the relying-party
    library (Authlib's OAuth2Session) speaks HTTP to the provider without a socket."""

    def __new__(cls, app):
        import requests
        from requests.adapters import BaseAdapter
        from requests.structures import CaseInsensitiveDict

        class Adapter(BaseAdapter):
            def send(self, prepared, **kwargs):
                parts = urlsplit(prepared.url)
                answer = app.test_client().open(
                    parts.path, method=prepared.method, query_string=parts.query,
                    headers=dict(prepared.headers), data=prepared.body,
                    base_url=f"{parts.scheme}://{parts.netloc}")
                response = requests.Response()
                response.status_code = answer.status_code
                response.headers = CaseInsensitiveDict(answer.headers)
                response._content = answer.get_data()
                response.url = prepared.url
                response.request = prepared
                response.encoding = "utf-8"
                return response

            def close(self):
                pass

        return Adapter()
