"""The operations-centre page in headless Chromium: log in as a leader, see the API's numbers drawn.

The page is served by a werkzeug thread from an app of its own, on a database
of its own (a SQLite file, or `<test database>_browser` on PostgreSQL), since
a browser needs committed data. Chromium and chromedriver come from Debian
(`scripts/test.sh` installs them); without them the test is skipped.
"""
import os
import shutil
import tempfile
import threading
import time
from datetime import date

import flask_migrate
import pyotp
import pytest
import requests
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from app import create_app
from app.config import TestingConfig
from app.dashboard.counters import Filters
from app.dashboard.registry_figures import refresh_registry_figures
from app.extensions import db
from app.common import roles
from app.identity.staff import create_staff
from tests.dashboard_fixtures import (
    HUNG_DIEN, build_dossiers, build_payments, build_population, citizen, expected_dossiers, expected_eid,
    expected_payments,
)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PASSWORD = "Lanh-dao-tinh-Tay-Ninh-2026"

pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
    reason="Chromium and chromedriver are not installed (scripts/test.sh installs Debian's packages)")


@pytest.fixture
def db_session():
    """This module commits for real in a database of its own: no rolled-back test transaction."""
    yield None


def _database_url(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return f"sqlite:///{tmp_path}/browser.db"
    base, _, name = url.rpartition("/")
    engine = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": f"{name}_browser"}):
            connection.execute(text(f'CREATE DATABASE "{name}_browser"'))
    engine.dispose()
    return f"{base}/{name}_browser"


def _help_residents():
    from app.assistance import figures as team_figures
    from app.assistance.models import Team
    from tests.factories import AccountFactory

    member = AccountFactory(role=roles.ASSISTANT, citizen=None, personal_id=None, full_name="Tổ viên", phone=None)
    team = Team(commune_code=HUNG_DIEN, name="Tổ công nghệ số Hưng Điền", created_by=member.id)
    db.session.add(team)
    db.session.flush()
    for metric, personal_id in (("residents_helped", "080090000001"), ("residents_helped", "080090000002"),
                                ("accounts_registered", None), ("dossiers_submitted", None)):
        team_figures.count(metric, team_id=team.id, member_id=member.id, commune_code=HUNG_DIEN,
                           delegation_id=None, personal_id=personal_id)


def _file_reports():
    """Citizen reports for the reports panel (synthetic, over the last 90 days)."""
    from app.reports.seed import seed_categories, seed_departments, seed_synthetic_reports

    seed_departments("80")
    seed_categories()
    db.session.flush()
    seed_synthetic_reports("80", 120)


@pytest.fixture
def served(tmp_path):
    """A migrated, seeded database served on 127.0.0.1; yields (base URL, leader's TOTP secret, app)."""
    url = _database_url(tmp_path)
    app = create_app(TestingConfig({**os.environ, "TEST_DATABASE_URL": url}))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade(revision="heads")
        from app.catalog.models import Agency
        from app.catalog.seed import seed_agencies, seed_procedures
        from app.catalog.models import Procedure

        seed_agencies("80")
        seed_procedures()
        build_population()
        procedures = {p.code: p for p in db.session.scalars(db.select(Procedure))}
        made = build_dossiers(procedures, lambda code: db.session.scalar(db.select(Agency).where(Agency.code == code)))
        build_payments(made)
        _help_residents()
        _file_reports()
        refresh_registry_figures()
        leader = create_staff(role=roles.LEADER, login="lanhdao.tinh", full_name="Nguyễn Văn Lãnh Đạo",
                              password=PASSWORD)
        db.session.commit()
        secret = leader.totp_secret
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", secret, app
    finally:
        server.shutdown()
        thread.join(5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")   # never let Selenium Manager download anything
    profile = tempfile.mkdtemp(prefix="ioc-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1600,1000",
                     "--lang=vi"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    # Record the page's timers, so the test can fire the minute refresh without waiting a minute
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        window.__intervals = [];
        const realSetInterval = window.setInterval;
        window.setInterval = (fn, ms, ...rest) => { window.__intervals.push({ fn, ms }); return realSetInterval(fn, ms, ...rest); };
    """})
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(driver, script, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script}")


def log_in(driver, base, secret):
    driver.get(f"{base}/ioc")
    wait_for(driver, "return !document.querySelector('#login').hidden")
    form = driver.find_element("id", "login-form")
    form.find_element("name", "login").send_keys("lanhdao.tinh")
    form.find_element("name", "password").send_keys(PASSWORD)
    form.find_element("css selector", "button").click()
    wait_for(driver, "return !document.querySelector('#totp-form').hidden")
    totp = driver.find_element("id", "totp-form")
    totp.find_element("name", "code").send_keys(pyotp.TOTP(secret).now())
    totp.find_element("css selector", "button").click()
    wait_for(driver, "return document.body.dataset.loads === '1'")


CHART_DATA = "const c = window.ioc.charts[arguments[0]]; return {labels: c.data.labels, data: c.data.datasets.map(d => d.data)};"
FIGURES = "return Object.fromEntries([...document.querySelectorAll('[data-figure]')].map(e => [e.dataset.figure, e.dataset.value]));"
PAINTED = """const canvas = document.getElementById(arguments[0]);
const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
let painted = 0; for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) painted++;
return [canvas.width, canvas.height, painted];"""


def value(number):
    """What the page keeps in data-value, read back as a number (None when it shows no value)."""
    return number if number is None else float(number)


def shown(figures: dict) -> dict:
    return {name: None if raw in ("", None) else float(raw) for name, raw in figures.items()}


def test_the_page_draws_the_numbers_the_api_returns(served, browser):
    base, secret, app = served
    log_in(browser, base, secret)
    token = browser.execute_script("return sessionStorage.getItem('ioc.access')")
    headers = {"Authorization": f"Bearer {token}"}
    query = browser.execute_script("return window.ioc.query()")   # the page shows this year by default
    since = date(date.today().year, 1, 1)
    assert query == f"?from={since.isoformat()}"

    def get(path):
        response = requests.get(f"{base}/api/v1/dashboard/{path}", headers=headers, timeout=10)
        assert response.status_code == 200
        return response.json()

    dossiers, eid, payments, assistance = (get(f"{name}{query}") for name in ("dossiers", "eid", "payments",
                                                                              "assistance"))
    quality = get("registry-quality")
    overdue = get("dossiers/overdue?limit=20")
    with app.app_context():   # the API's numbers are the data's, counted independently here
        assert dossiers["total"] == expected_dossiers(Filters(start=since))["total"]
        assert eid["totals"]["activated"] == sum(expected_eid(since)["activated"].values())
        assert payments["totals"]["collected"] == expected_payments(Filters(start=since))["collected"]
    assert overdue["total"] > 0

    figures = shown(browser.execute_script(FIGURES))
    assert figures["dossiers.total"] == value(dossiers["total"])
    assert figures["dossiers.online_share"] == value(dossiers["online_share"])
    assert figures["dossiers.on_time_share"] == value(dossiers["timeliness"]["on_time_share"])
    assert figures["dossiers.processing_average"] == value(dossiers["processing_days"]["average"])
    assert figures["dossiers.processing_p90"] == value(dossiers["processing_days"]["p90"])
    assert figures["overdue.total"] == value(overdue["total"])
    assert figures["eid.activated_share"] == value(eid["totals"]["activated_share"])
    assert figures["eid.level2_share"] == value(eid["totals"]["level2_share"])
    assert figures["registry.clean_share"] == value(quality["totals"]["clean_share"])
    assert figures["payments.collected"] == value(payments["totals"]["collected"])
    assert figures["payments.stuck"] == value(payments["stuck_pending"])
    assert figures["assistance.residents_helped"] == value(assistance["totals"]["residents_helped"])

    status = browser.execute_script(CHART_DATA, "chart-status")
    assert status["data"] == [[row["count"] for row in dossiers["statuses"]]]
    assert status["labels"][0] == "Đã nộp"
    channels = browser.execute_script(CHART_DATA, "chart-channels")
    assert channels["data"] == [[row["count"] for row in dossiers["channels"]]]
    timeliness = browser.execute_script(CHART_DATA, "chart-timeliness")
    assert timeliness["data"] == [[dossiers["timeliness"]["on_time"], dossiers["timeliness"]["late"]]]
    eid_chart = browser.execute_script(CHART_DATA, "chart-eid")
    assert eid_chart["labels"] == [row["commune_name"] for row in eid["communes"]]
    assert eid_chart["data"] == [[row[f"{name}_share"] for row in eid["communes"]]
                                 for name in ("registered", "activated", "level2")]
    quality_chart = browser.execute_script(CHART_DATA, "chart-quality")
    assert quality_chart["data"] == [[c["count"] for c in quality["checks"] if c["count"]]]
    fees = browser.execute_script(CHART_DATA, "chart-payments")
    days = sorted({row["day"] for row in payments["daily"]})
    assert fees["labels"] == days
    assert fees["data"] == [[sum(r["collected"] for r in payments["daily"] if r["day"] == day and r["gateway"] == g)
                             for day in days] for g in (row["gateway"] for row in payments["gateways"])]
    helped = browser.execute_script(CHART_DATA, "chart-assistance")
    assert helped["data"] == [[assistance["totals"][name] for name in (
        "residents_helped", "accounts_registered", "accounts_activated", "dossiers_submitted", "payments_completed")]]

    for chart in ("chart-status", "chart-channels", "chart-timeliness", "chart-eid", "chart-quality",
                  "chart-payments", "chart-assistance"):
        width, height, painted = browser.execute_script(PAINTED, chart)
        assert width > 100 and height > 100 and painted > 500, chart

    rows = browser.execute_script(
        "return [...document.querySelectorAll('[data-table=\"dossiers-overdue\"] tbody tr')]"
        ".map(tr => tr.firstChild.dataset.value)")
    assert rows == [item["receipt_code"] for item in overdue["items"]]
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == []


def test_the_page_refreshes_every_minute_and_fits_a_phone(served, browser):
    base, secret, app = served
    log_in(browser, base, secret)
    before = shown(browser.execute_script(FIGURES))["eid.registered_share"]
    with app.app_context():   # a new registration lands meanwhile
        from app.identity import account_events
        from tests.factories import AccountFactory

        account_events.registered(AccountFactory(citizen=citizen()))   # as identity publishes it
        db.session.commit()
    refresh = browser.execute_script(
        "return window.__intervals.filter(t => t.ms === 60000).length")
    assert refresh == 1, "one refresh every minute"
    browser.execute_script("window.__intervals.find(t => t.ms === 60000).fn()")
    wait_for(browser, "return document.body.dataset.loads === '2'")
    after = shown(browser.execute_script(FIGURES))["eid.registered_share"]
    assert after > before

    browser.set_window_size(390, 844)   # a phone
    wait_for(browser, "return window.innerWidth < 500")
    overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1   # even before the charts redraw for the new width
    wait_for(browser, "return document.getElementById('chart-status').width < 500 * 3")
    width, _height, painted = browser.execute_script(PAINTED, "chart-status")
    # A canvas still at its wall-screen size (Chart.js redraws a frame or two after a resize) stays inside the page
    stale = browser.execute_script("""const canvas = document.getElementById('chart-status');
        const before = canvas.style.width; canvas.style.width = '1510px';
        const overflow = document.documentElement.scrollWidth - window.innerWidth;
        canvas.style.width = before; return overflow;""")
    assert stale <= 1
    assert width < 500 * 3 and painted > 200   # (device pixels) redrawn for the narrow screen
