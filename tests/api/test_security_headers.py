"""Security headers: nosniff everywhere, CSP on HTML pages, no-store when authenticated, HSTS only via HTTPS."""
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import AccountFactory, RegistryCitizenFactory
from app.identity.sessions import start_session

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTED_CSP = next(line.split("`Content-Security-Policy: ")[1].split("`")[0]
                      for line in (ROOT / "docs" / "operations.md").read_text().splitlines()
                      if line.startswith("- `Content-Security-Policy: "))


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/openapi.json", "/api/v1/nowhere", "/api/v1/docs",
                                  "/ioc", "/api/v1/identity/me"])
def test_every_response_has_nosniff_and_referrer_policy(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Permissions-Policy"] == "browsing-topics=()"
    assert response.headers.getlist("Content-Security-Policy") == [DOCUMENTED_CSP]   # once, not appended twice



def test_the_policy_sent_is_the_one_the_operations_guide_documents(client):
    assert DOCUMENTED_CSP.startswith("default-src 'self'; ")
    assert client.get("/healthz").headers["Content-Security-Policy"] == DOCUMENTED_CSP


@pytest.mark.parametrize("path", ["/api/v1/docs", "/ioc"])
def test_html_pages_carry_a_csp_that_forbids_framing(client, path):
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_docs_page_has_no_inline_script_and_its_starter_is_served(client):
    import re

    page = client.get("/api/v1/docs").get_data(as_text=True)
    inline = [tag for tag in re.findall(r"<script[^>]*>", page) if "src=" not in tag]
    assert inline == ['<script id="swagger-settings" type="application/json">']   # data, never executed
    assert '"spec_url": "/api/v1/openapi.json"' in page
    starter = client.get("/static/swagger-init.js")
    assert starter.status_code == 200 and b"SwaggerUIBundle" in starter.data


def test_mock_gateway_pages_carry_the_csp(client, app):
    if not app.config.get("MOCK_GATEWAYS"):
        pytest.skip("mock gateways are off")
    response = client.get("/mock/vnpay/paymentv2/vpcpay.html")
    assert response.mimetype == "text/html"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_authenticated_answers_are_not_stored(client):
    account = AccountFactory(citizen=RegistryCitizenFactory(), level=1)
    token = start_session(account, level=1, methods=["pwd"]).access_token
    response = client.get("/api/v1/identity/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_anonymous_public_answers_may_be_cached(client):
    assert "no-store" not in client.get("/healthz").headers.get("Cache-Control", "")


def test_no_hsts_outside_production_even_over_https(client):
    response = client.get("/healthz", base_url="https://localhost")
    assert "Strict-Transport-Security" not in response.headers


HSTS_PROBE = """
from app import create_app
from app.config import ProductionConfig
config = ProductionConfig({"DATABASE_URL": "postgresql+psycopg://u:p@localhost/none", "TRUSTED_PROXIES": "%s"})
client = create_app(config).test_client()
https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
print(client.get("/healthz", headers=https).headers.get("Strict-Transport-Security"))
print(client.get("/healthz").headers.get("Strict-Transport-Security"))
print(client.application.config["SESSION_COOKIE_SECURE"])
"""


@pytest.mark.parametrize("trusted, expected", [("1", ["max-age=31536000; includeSubDomains", "None", "True"]),
                                               ("0", ["None", "None", "True"])])
def test_hsts_in_production_only_when_https_came_through_a_trusted_proxy(trusted, expected):
    # and in production the session cookie (the OIDC login pages') is sent over HTTPS only
    # another process: building a second app here would rebind the shared extensions
    out = subprocess.run([sys.executable, "-c", HSTS_PROBE % trusted], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.splitlines()
    assert out == expected
