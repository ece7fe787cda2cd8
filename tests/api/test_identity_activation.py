"""The first level 2 comes from an in-person act: the enrolment event and its activation code."""
from datetime import date, timedelta

import time_machine
from sqlalchemy import select

from app.common.clock import utcnow
from app.extensions import db, limiter
from app.identity.in_person import enrol_in_person
from app.identity.models import Device, InPersonCode
from app.registry.adapter import get_registry
from app.registry.models import RegistryCitizen
from tests.eid_fixtures import (
    EVERY_CHANNEL, OTHER_COMMUNE, channels_of, desk_officer, helper, police_officer,
    reachable,
)
from tests.factories import bearer
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    API, active_citizen, fresh_rate_limits, handed_activation, last_code, next_step, otp_messages,
    totp_code,
)


def _bind(client, account, code, headers=None):
    """Binds a phone with an in-person code; returns the last response."""
    headers = headers or bearer(account, level=1, methods=("pwd", "sms"))
    started = client.post(f"{API}/device-bindings", json={"device_name": "Oppo A79", "in_person_code": code},
                          headers=headers)
    if started.status_code != 201:
        return started
    binding_id = started.get_json()["id"]
    secret = client.post(f"{API}/device-bindings/{binding_id}/sms",
                         json={"code": last_code(account.phone, "bind_device")}, headers=headers).get_json()["secret"]
    return client.post(f"{API}/device-bindings/{binding_id}/totp", json={"code": totp_code(secret)}, headers=headers)


def test_the_synthetic_enrolment_records_the_event_and_hands_over_a_code(client):
    account = active_citizen(biometric_enrolled=False)
    reachable(account)
    issued = enrol_in_person(account.personal_id, "Công an xã Hưng Điền")
    event = get_registry().enrolment_event(account.personal_id)
    assert event.place == "Công an xã Hưng Điền" and isinstance(event.enrolled_on, date)
    assert db.session.get(RegistryCitizen, account.personal_id).biometric_enrolled
    assert len(issued.code) == 10 and issued.record.expires_at <= utcnow() + timedelta(days=7)
    # stored as a keyed hash only; never sent by SMS; the holder is told a code was handed over
    assert issued.code not in issued.record.code_hash
    assert all(issued.code not in (m.body or "") for m in otp_messages(account.phone))
    assert channels_of(account, "eid_activation_issued") == EVERY_CHANNEL
    done = _bind(client, account, issued.code)
    assert done.status_code == 200 and done.get_json()["tokens"]["level"] == 2
    db.session.refresh(account)
    assert account.level == 2
    db.session.refresh(issued.record)
    assert issued.record.used_at is not None


def test_an_officer_in_scope_issues_an_activation_at_the_desk(client):
    account = active_citizen()
    for headers in (desk_officer(), police_officer()):
        response = client.post(f"{API}/desk/activations", json={"personal_id": account.personal_id}, headers=headers)
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert body["kind"] == "activation" and len(body["code"]) == 10 and body["place"].startswith("Test")
    # a second code replaces the first
    codes = db.session.scalars(select(InPersonCode).where(InPersonCode.personal_id == account.personal_id)
                               .order_by(InPersonCode.created_at)).all()
    assert codes[0].expires_at <= utcnow() < codes[1].expires_at
    assert _bind(client, account, body["code"]).status_code == 200


def test_desk_activation_refusals(client):
    account = active_citizen()
    not_enrolled = active_citizen(biometric_enrolled=False)
    body = {"personal_id": account.personal_id}
    out = client.post(f"{API}/desk/activations", json=body, headers=desk_officer(OTHER_COMMUNE))
    assert out.status_code == 403 and out.get_json()["code"] == "out_of_scope"
    far = client.post(f"{API}/desk/activations", json=body, headers=police_officer("79"))
    assert far.status_code == 403 and far.get_json()["code"] == "out_of_scope"
    by_helper = client.post(f"{API}/desk/activations", json=body, headers=helper())
    assert by_helper.status_code == 403 and by_helper.get_json()["code"] == "forbidden_role"
    by_citizen = client.post(f"{API}/desk/activations", json=body, headers=bearer(account))
    assert by_citizen.status_code == 403 and by_citizen.get_json()["code"] == "forbidden_role"
    none = client.post(f"{API}/desk/activations", json={"personal_id": not_enrolled.personal_id},
                       headers=desk_officer())
    assert none.status_code == 403 and none.get_json()["code"] == "biometric_enrolment_required"
    assert db.session.scalars(select(InPersonCode)).all() == []


def test_activation_code_refusals_wrong_foreign_expired_reused(client):
    account, other = active_citizen(), active_citizen()
    code, foreign = handed_activation(account.personal_id), handed_activation(other.personal_id)
    headers = bearer(account, level=1, methods=("pwd", "sms"))
    wrong = _bind(client, account, "ABCDEFGHJK", headers)
    assert wrong.status_code == 422 and wrong.get_json()["code"] == "invalid_in_person_code"
    stolen = _bind(client, account, foreign, headers)
    assert stolen.status_code == 422 and stolen.get_json()["code"] == "invalid_in_person_code"
    with time_machine.travel(utcnow() + timedelta(days=7, seconds=1), tick=False):
        expired = _bind(client, account, code, bearer(account, level=1))
        assert expired.status_code == 410 and expired.get_json()["code"] == "in_person_code_expired"
    assert _bind(client, account, code.lower(), headers).status_code == 200   # typed in lower case: fine
    with next_step():
        reused = _bind(client, account, code, bearer(account, level=1))
    assert reused.status_code == 410 and reused.get_json()["code"] == "in_person_code_used"
    assert db.session.scalars(select(Device).where(Device.account_id == other.id)).all() == []


def test_wrong_codes_use_up_the_open_activation(client):
    account = active_citizen()
    code = handed_activation(account.personal_id)
    headers = bearer(account, level=1, methods=("pwd", "sms"))
    for _ in range(5):
        assert _bind(client, account, "ZZZZZZZZZZ", headers).status_code == 422
        limiter.reset()          # the per-address rate limit is another defence, not this one
    exhausted = _bind(client, account, code, headers)
    assert exhausted.status_code == 410 and exhausted.get_json()["code"] == "in_person_code_expired"


def test_an_activation_lives_at_most_seven_days_whatever_the_setting(client):
    from tests.eid_fixtures import policy

    account = active_citizen()
    with policy(activation_ttl_hours=24 * 30):
        issued = enrol_in_person(account.personal_id, "Công an tỉnh Tây Ninh")
    assert issued.record.expires_at <= utcnow() + timedelta(days=7)


def test_the_enrol_command_prints_the_code(app):
    account = active_citizen(biometric_enrolled=False)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["eid", "enrol", account.personal_id, "--place", "Công an xã Hưng Điền"])
    assert result.exit_code == 0, result.output
    assert "activation code" in result.output
    assert db.session.get(RegistryCitizen, account.personal_id).biometric_enrolled
