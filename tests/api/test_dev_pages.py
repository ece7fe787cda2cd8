"""The development demo (GET /api/v1/dev/demo, /dev/demo/env, POST /dev/tokens), the landing page
`/`, and the Swagger UI's word on tokens; none of the development routes exist in production."""
import subprocess
import uuid

import pytest
from sqlalchemy import select

from app import create_app
from app.assistance.seed import seed_demo_team
from app.config import TestingConfig
from app.dossiers.models import Dossier
from app.dossiers.seed import seed_demo_dossiers
from app.extensions import db
from app.identity.models import Account
from app.registry.models import RegistryCitizen
from app.seed import seed_province
from tests.dossiers_fixtures import storage  # noqa: F401

DEV = "/api/v1/dev"


@pytest.fixture
def demo(storage):  # noqa: F811
    """A seeded province with the whole development demo (the tests skip some seeds unless asked)."""
    seed_province("80", 600)
    seed_demo_dossiers("80", in_tests=True)
    seed_demo_team(in_tests=True)
    return seed_province("80", 600)   # the second start: tops up, prints everything again


def account(personal_id):
    return db.session.scalar(select(Account).where(Account.personal_id == personal_id))


def test_the_demo_names_someone_for_every_role_and_the_dossiers_to_try(client, demo):
    facts = client.get(f"{DEV}/demo").get_json()
    assert facts["api"] == "http://127.0.0.1:8000/api/v1" and facts["commune_code"]

    ready, resident = facts["citizen_to_register"], facts["resident_without_account"]
    assert ready["personal_id"] != resident["personal_id"]
    for person in (ready, resident):
        row = db.session.get(RegistryCitizen, person["personal_id"])
        assert row.is_alive and person["phone"] in row.phone_numbers and account(person["personal_id"]) is None
    assert db.session.get(RegistryCitizen, resident["personal_id"]).current_commune_code == facts["team"]["commune_code"]

    level1, level2 = facts["citizen_level1"], facts["citizen_level2"]
    assert account(level1["login"]).level == 1 and "totp_secret" not in level1
    assert account(level2["login"]).level == 2
    assert level2["totp_secret"] and level2["device_id"] and level2["device_secret"]

    staff = {member["key"]: member for member in facts["staff"]}
    assert set(staff) == {"officer", "processor", "approver", "police", "assistant", "leader", "admin"}
    assert staff["processor"]["role"] == "officer" and staff["processor"]["agency_code"] == staff["officer"]["agency_code"]
    assert staff["approver"]["commune_code"] == staff["officer"]["commune_code"] == facts["commune_code"]

    assert set(facts["dossiers"]) == {"draft", "submitted", "in_processing", "result_issued"}
    payable = db.session.get(Dossier, uuid.UUID(facts["payable_dossier"]["id"]))
    assert payable.status == "submitted" and payable.fee_status == "unpaid" and payable.fee_amount == 15000
    verified = client.get(f"/api/v1/results/verify/{facts['result']['verification_code']}").get_json()
    assert verified["genuine"] is True


def test_every_start_prints_the_demo_again_with_the_result_code(client, demo):
    printed = "\n".join(demo.demo_lines)
    facts = client.get(f"{DEV}/demo").get_json()
    for value in (facts["citizen_to_register"]["personal_id"], facts["resident_without_account"]["personal_id"],
                  facts["citizen_level1"]["login"], facts["citizen_level2"]["device_secret"], "demo.processor",
                  facts["payable_dossier"]["id"], facts["result"]["verification_code"], facts["team"]["id"]):
        assert str(value) in printed


def test_a_paid_demo_dossier_is_replaced_on_the_next_start(client, demo):
    first = client.get(f"{DEV}/demo").get_json()["payable_dossier"]["id"]
    db.session.get(Dossier, uuid.UUID(first)).fee_status = "paid"
    db.session.flush()
    seed_province("80", 600)
    again = client.get(f"{DEV}/demo").get_json()["payable_dossier"]
    assert again["id"] != first and again["fee_status"] == "unpaid"


def test_the_demo_as_shell_variables_and_helpers(client, demo):
    text = client.get(f"{DEV}/demo/env").get_data(as_text=True)
    script = text + 'printf "%s|%s|%s\\n" "$API" "$REGISTER_FULL_NAME" "$PAYABLE_DOSSIER"; type token sms_code totp_code >/dev/null'
    done = subprocess.run(["bash", "-euc", script], capture_output=True, text=True, check=True)
    facts = client.get(f"{DEV}/demo").get_json()
    assert done.stdout.strip() == "|".join([facts["api"], facts["citizen_to_register"]["full_name"],
                                            facts["payable_dossier"]["id"]])


def test_the_shell_totp_helper_agrees_with_the_server():
    import pyotp

    from app.demo.facts import SHELL_HELPERS
    secret = pyotp.random_base32(32)
    before = pyotp.TOTP(secret).now()
    code = subprocess.run(["bash", "-c", SHELL_HELPERS + f"totp_code {secret}"], capture_output=True,
                          text=True, check=True).stdout.strip()
    assert code in (before, pyotp.TOTP(secret).now())


def test_a_development_token_for_a_demo_account(client, demo):
    answer = client.post(f"{DEV}/tokens", json={"login": "demo.officer"})
    assert answer.status_code == 201 and answer.get_json()["level"] == 2 and answer.get_json()["methods"] == ["dev"]
    inbox = client.get("/api/v1/dossiers/inbox", headers={"Authorization": f"Bearer {answer.get_json()['access_token']}"})
    assert inbox.status_code == 200
    unknown = client.post(f"{DEV}/tokens", json={"login": "nobody"}, headers={"Accept-Language": "en"})
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "demo_account_not_found"


def test_the_landing_page_in_development(client, demo):
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert '<html lang="vi">' in html and "Tài khoản demo" in html
    for href in ("http://127.0.0.1:8000/api/v1/docs", "http://127.0.0.1:8000/ioc",
                 "http://127.0.0.1:8000/mock/vnpay/_control/transactions", "http://127.0.0.1:8000/api/v1/dev/messages",
                 "http://127.0.0.1:8000/api/v1/dev/demo"):
        assert f'href="{href}"' in html
    assert "demo.leader" in html and "Demo-SmartProvince-2025" in html
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Demo accounts" in english


def production_like_app(tmp_path):
    config = TestingConfig({"TEST_DATABASE_URL": f"sqlite:///{tmp_path}/prod.db"})
    config.DEV_ENDPOINTS = False   # as in production
    config.MOCK_GATEWAYS = False
    return create_app(config)


def test_without_development_endpoints_the_root_is_a_json_index_and_dev_routes_are_gone(tmp_path):
    app = production_like_app(tmp_path)
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert not {f"{DEV}/demo", f"{DEV}/demo/env", f"{DEV}/tokens"} & rules
    index = app.test_client().get("/")
    assert index.status_code == 200 and index.get_json() == {
        "name": "Smart Province API", "api": "http://127.0.0.1:8000/api/v1",
        "openapi": "http://127.0.0.1:8000/api/v1/openapi.json", "docs": "http://127.0.0.1:8000/api/v1/docs",
        "health": "http://127.0.0.1:8000/healthz", "ready": "http://127.0.0.1:8000/readyz"}


def test_swagger_ui_says_how_to_get_a_token_in_development(client):
    description = client.get("/api/v1/openapi.json").get_json()["info"]["description"]
    assert "POST /api/v1/dev/tokens" in description and "GET /api/v1/dev/demo" in description
    assert "Authorize" in description
