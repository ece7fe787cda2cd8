"""The login and consent pages in headless Chromium with JavaScript switched off, on a phone-sized window.

A relying party (a werkzeug server of the test) sends the browser to the
provider asking for level 2; the citizen logs in with password and the TOTP
of the bound phone, reads the claims on the consent page and allows; the
browser lands on the relying party's callback with a code, which the test
exchanges. The app runs on a database of its own, like test_dashboard_page.py.
"""
import base64
import hashlib
import os
import secrets
import shutil
import tempfile
import threading
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import flask_migrate
import pytest
import requests
from selenium.common.exceptions import WebDriverException
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app import create_app
from app.config import TestingConfig
from app.extensions import db
from app.common import roles
from app.oidc import clients
from app.oidc.assurance import LOA_2
from tests.browser.test_dashboard_page import CHROMEDRIVER, CHROMIUM
from tests.factories import AccountFactory
from tests.identity_fixtures import PASSWORD, bound_citizen, totp_code

pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
    reason="Chromium and chromedriver are not installed (scripts/test.sh installs Debian's packages)")
SECRET = "browser-test-secret-0123456789"


@pytest.fixture
def db_session():
    """This module commits for real in a database of its own: no rolled-back test transaction."""
    yield None


def _database_url(tmp_path) -> str:
    """A SQLite file, or `<test database>_oidc_browser` on PostgreSQL (created on demand)."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return f"sqlite:///{tmp_path}/oidc_browser.db"
    base, _, name = url.rpartition("/")
    engine = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": f"{name}_oidc_browser"}):
            connection.execute(text(f'CREATE DATABASE "{name}_oidc_browser"'))
    engine.dispose()
    return f"{base}/{name}_oidc_browser"


def _serve(wsgi_app):
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def served(tmp_path):
    """The provider and a relying party's callback, each on 127.0.0.1; yields what the test needs."""
    arrived = []

    @Request.application
    def callback(request):
        if request.path == "/callback":
            arrived.append(request.url)
        return Response("<h1 id='rp'>Relying party</h1>", content_type="text/html")

    rp_server = _serve(callback)
    redirect_uri = f"http://127.0.0.1:{rp_server.server_port}/callback"
    url = _database_url(tmp_path)
    app = create_app(TestingConfig({**os.environ, "TEST_DATABASE_URL": url}))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()
        citizen = bound_citizen()
        admin = AccountFactory(role=roles.ADMIN, citizen=None, personal_id=None, phone=None, full_name="Admin")
        registered, _ = clients.register_client(admin.id, {
            "name": "Cổng dịch vụ công tỉnh", "redirect_uris": [redirect_uri],
            "allowed_scopes": ["openid", "profile", "address"], "allowed_acr": [1, 2],
            "token_endpoint_auth_method": "client_secret_basic"}, client_secret=SECRET)
        db.session.commit()
        facts = {"login": citizen.account.login, "totp": citizen.totp_secret, "name": citizen.account.full_name,
                 "client_id": registered.client_id, "redirect_uri": redirect_uri}
    provider = _serve(app)
    try:
        yield f"http://127.0.0.1:{provider.server_port}", facts, arrived
    finally:
        provider.shutdown()
        rp_server.shutdown()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")   # never let Selenium Manager download anything
    profile = tempfile.mkdtemp(prefix="oidc-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=390,844",
                     "--lang=vi"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2,
                                              "intl.accept_languages": "vi-VN,vi"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _page(driver, heading: str, timeout: float = 15) -> None:
    """Waits for the page whose <h1> is `heading` (a form post navigates)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if driver.find_element("tag name", "h1").text == heading:
                return
        except WebDriverException:
            pass
        time.sleep(0.05)
    raise AssertionError(f"no page {heading!r}: {driver.page_source[:2000]}")


def _shown(driver, element_id: str, timeout: float = 15) -> None:
    """Waits for an element of the page a form post navigates to (when its heading is the same)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            driver.find_element("id", element_id)
            return
        except WebDriverException:
            time.sleep(0.05)
    raise AssertionError(f"no #{element_id}: {driver.page_source[:2000]}")


def _fits_the_phone(driver) -> bool:
    width = driver.get_window_size()["width"]
    return driver.find_element("tag name", "main").size["width"] <= width


def test_login_with_totp_and_consent_in_a_browser_without_javascript(served, browser):
    base, facts, arrived = served
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    query = urlencode({"response_type": "code", "client_id": facts["client_id"], "redirect_uri": facts["redirect_uri"],
                       "scope": "openid profile address", "state": "st-1", "nonce": "no-1", "acr_values": LOA_2,
                       "code_challenge": challenge, "code_challenge_method": "S256"})
    browser.get(f"{base}/oidc/authorize?{query}")
    _page(browser, "Đăng nhập")
    assert browser.find_element("id", "client-name").text == "Cổng dịch vụ công tỉnh"
    assert browser.find_element("id", "level").text == "Mức độ 2 (với điện thoại đã gắn)"
    assert _fits_the_phone(browser)
    browser.find_element("id", "login").send_keys(facts["login"])
    browser.find_element("id", "password").send_keys("not-the-password")
    browser.find_element("id", "submit").click()
    _page(browser, "Đăng nhập")
    _shown(browser, "error")   # the same heading: the answer has come once its error shows
    assert browser.find_element("id", "error").text                     # refused, on the same page
    browser.find_element("id", "password").send_keys(PASSWORD)
    browser.find_element("id", "submit").click()

    _page(browser, "Xác nhận đó là bạn")
    assert not browser.find_elements("id", "sms")                       # level 2: no SMS
    browser.find_element("id", "totp").send_keys(totp_code(facts["totp"]))
    browser.find_element("id", "totp-submit").click()

    _page(browser, "Chia sẻ thông tin của bạn?")
    listed = [item.get_attribute("data-scope") for item in browser.find_elements("css selector", "#claims li")]
    assert listed == ["sub", "profile", "address"]
    assert "Họ và tên, ngày sinh và giới tính" in browser.find_element("id", "claims").text
    assert _fits_the_phone(browser)
    browser.find_element("id", "allow").click()

    _page(browser, "Relying party")
    answer = {key: values[0] for key, values in parse_qs(urlsplit(arrived[-1]).query).items()}
    assert answer.get("state") == "st-1", arrived
    token = requests.post(f"{base}/oidc/token", auth=(facts["client_id"], SECRET), timeout=10, data={
        "grant_type": "authorization_code", "code": answer["code"], "redirect_uri": facts["redirect_uri"],
        "code_verifier": verifier})
    assert token.status_code == 200, token.text
    info = requests.get(f"{base}/oidc/userinfo", timeout=10,
                        headers={"Authorization": f"Bearer {token.json()['access_token']}"}).json()
    assert info["name"] == facts["name"] and info["address"]["formatted"]
