"""device.bound and device.unbound: every way a phone is bound or unbound publishes them once, in its transaction."""
from datetime import timedelta

import pytest
import time_machine

from app.common import events
from app.common.clock import utcnow
from app.extensions import db
from app.identity.device_change import apply_due_changes
from app.identity.events import DEVICE_BOUND, DEVICE_UNBOUND
from app.identity.models import Device
from tests.eid_fixtures import desk_officer, policy
from tests.factories import bearer
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    API, active_citizen, bound_citizen, fresh_rate_limits, handed_activation, last_code, next_step, totp_code,
)


class Refused(Exception):
    """A listener's failure: the publisher's transaction must roll back with it."""


@pytest.fixture
def published():
    """[(event, payload, the device's state as the listener saw it)] for device.bound / device.unbound."""
    seen = []

    def listener(name):
        def handler(**payload):
            device = db.session.get(Device, payload["device_id"])
            seen.append((name, payload, {"bound_at": device.bound_at, "unbound_at": device.unbound_at,
                                         "in_transaction": db.session().in_transaction()}))
        return handler

    handlers = {name: listener(name) for name in (DEVICE_BOUND, DEVICE_UNBOUND)}
    for name, handler in handlers.items():
        events.subscribe(name, handler)
    yield seen
    for name, handler in handlers.items():
        events._handlers[name].remove(handler)


@pytest.fixture
def failing_listener():
    def handler(**_payload):
        raise Refused()

    events.subscribe(DEVICE_BOUND, handler)
    yield
    events._handlers[DEVICE_BOUND].remove(handler)


def _new_phone(citizen_account):
    return bearer(citizen_account, level=1, methods=("pwd", "sms"))


def _start(client, account, headers, code=None):
    body = {"device_name": "iPhone 16", "platform": "ios", **({"in_person_code": code} if code else {})}
    started = client.post(f"{API}/device-bindings", json=body, headers=headers)
    assert started.status_code == 201, started.get_json()
    enrolment = client.post(f"{API}/device-bindings/{started.get_json()['id']}/sms",
                            json={"code": last_code(account.phone, "bind_device")}, headers=headers)
    return started.get_json(), enrolment.get_json()["secret"]


def _confirm(client, binding, secret, headers):
    return client.post(f"{API}/device-bindings/{binding['id']}/totp", json={"code": totp_code(secret)},
                       headers=headers)


def _approve(client, citizen, approval_code):
    return client.post(f"{API}/device-bindings/approve", headers=citizen.phone_headers(), json={
        "approval_code": approval_code, "device_secret": citizen.device_secret,
        "code": totp_code(citizen.totp_secret)})


def _reproofing_code(client, account):
    issued = client.post(f"{API}/desk/reproofings", headers=desk_officer(), json={
        "personal_id": account.personal_id, "method": "chip_card", "evidence": account.personal_id})
    assert issued.status_code == 201, issued.get_json()
    return issued.get_json()["code"]


def _bound_device(account) -> Device:
    db.session.expire_all()
    return db.session.query(Device).filter(Device.account_id == account.id, Device.bound_at.is_not(None),
                                           Device.unbound_at.is_(None)).one()


def _check_replacement(published, account, old_id, how, authorised_by):
    """One device.unbound for the old phone, then one device.bound for the new one, in the change's transaction."""
    new = _bound_device(account)
    assert [name for name, _, _ in published] == [DEVICE_UNBOUND, DEVICE_BOUND]
    (_, unbound, seen_unbound), (_, bound, seen_bound) = published
    assert unbound == {"account_id": account.id, "device_id": old_id, "how": how,
                       "replaced_by_device_id": new.id, "at": unbound["at"]}
    assert bound == {"account_id": account.id, "device_id": new.id, "how": how, "authorised_by": authorised_by,
                     "replaced_device_id": old_id, "at": unbound["at"]}
    assert bound["at"] == new.bound_at.replace(tzinfo=bound["at"].tzinfo)
    assert seen_unbound["unbound_at"] is not None and seen_bound["bound_at"] is not None
    assert seen_unbound["in_transaction"] and seen_bound["in_transaction"]


def test_the_first_phone_bound_with_the_enrolment_code(client, published):
    account = active_citizen()
    done = client.post(f"{API}/device-bindings", json={"device_name": "Oppo A79",
                                                       "in_person_code": handed_activation(account.personal_id)},
                       headers=_new_phone(account))
    assert done.status_code == 201
    headers = _new_phone(account)
    binding, secret = done.get_json(), None
    secret = client.post(f"{API}/device-bindings/{binding['id']}/sms",
                         json={"code": last_code(account.phone, "bind_device")}, headers=headers).get_json()["secret"]
    assert _confirm(client, binding, secret, headers).status_code == 200
    device = _bound_device(account)
    assert published == [(DEVICE_BOUND, {
        "account_id": account.id, "device_id": device.id, "how": "enrolment", "authorised_by": "activation",
        "replaced_device_id": None, "at": published[0][1]["at"]},
        {"bound_at": published[0][2]["bound_at"], "unbound_at": None, "in_transaction": True})]
    assert published[0][2]["bound_at"] is not None


def test_a_new_phone_approved_by_the_bound_one(client, published):
    citizen = bound_citizen()
    headers = _new_phone(citizen.account)
    binding, secret = _start(client, citizen.account, headers)
    assert _approve(client, citizen, binding["approval_code"]).status_code == 200
    assert published == []
    with next_step():
        assert _confirm(client, binding, secret, headers).status_code == 200
    _check_replacement(published, citizen.account, citizen.device.id, "device_change", "device_approval")


def test_a_change_applied_after_its_cooling_off(client, published):
    citizen = bound_citizen()
    headers = _new_phone(citizen.account)
    with policy(rebind_cooling_off_hours=48):
        binding, secret = _start(client, citizen.account, headers)
        assert _confirm(client, binding, secret, headers).get_json()["status"] == "pending"
        assert published == []                      # nothing is bound while the change waits
        with time_machine.travel(utcnow() + timedelta(hours=48, minutes=1), tick=False):
            assert apply_due_changes() == 1
    _check_replacement(published, citizen.account, citizen.device.id, "device_change", "cooling_off")


def test_a_waiting_change_approved_by_the_bound_phone(client, published):
    citizen = bound_citizen()
    headers = _new_phone(citizen.account)
    with policy(rebind_cooling_off_hours=48):
        binding, secret = _start(client, citizen.account, headers)
        _confirm(client, binding, secret, headers)
        assert _approve(client, citizen, binding["approval_code"]).status_code == 200
    _check_replacement(published, citizen.account, citizen.device.id, "device_change", "cooling_off")


def test_a_new_phone_after_a_desk_re_proofing(client, published):
    citizen = bound_citizen()
    headers = _new_phone(citizen.account)
    binding, secret = _start(client, citizen.account, headers, _reproofing_code(client, citizen.account))
    assert _confirm(client, binding, secret, headers).status_code == 200
    _check_replacement(published, citizen.account, citizen.device.id, "desk_recovery", "reproofing")


def test_a_new_phone_after_the_old_one_was_lost(client, published):
    citizen = bound_citizen()
    lost = client.post(f"{API}/devices/{citizen.device.id}/lost", json={"password": citizen.password},
                       headers=_new_phone(citizen.account))
    assert lost.status_code == 200
    assert published == []                          # a frozen phone is still bound
    headers = _new_phone(citizen.account)
    binding, secret = _start(client, citizen.account, headers, _reproofing_code(client, citizen.account))
    assert _confirm(client, binding, secret, headers).status_code == 200
    _check_replacement(published, citizen.account, citizen.device.id, "lost_device_recovery", "reproofing")


def test_the_holder_unbinds_their_phone(client, published):
    citizen = bound_citizen()
    web = bearer(citizen.account, level=2, methods=("qr",))
    assert client.delete(f"{API}/devices/{citizen.device.id}", headers=web).status_code == 204
    db.session.expire_all()
    device = db.session.get(Device, citizen.device.id)
    assert published == [(DEVICE_UNBOUND, {
        "account_id": citizen.account.id, "device_id": device.id, "how": "unbound_by_holder",
        "replaced_by_device_id": None, "at": published[0][1]["at"]},
        {"bound_at": published[0][2]["bound_at"], "unbound_at": published[0][1]["at"], "in_transaction": True})]
    assert device.unbound_at is not None


def test_a_cancelled_change_binds_and_unbinds_nothing(client, published):
    citizen = bound_citizen()
    headers = _new_phone(citizen.account)
    with policy(rebind_cooling_off_hours=48):
        binding, secret = _start(client, citizen.account, headers)
        _confirm(client, binding, secret, headers)
        web = bearer(citizen.account, level=2, methods=("qr",))
        assert client.post(f"{API}/device-changes/{binding['id']}/cancel", headers=web).status_code == 200
    assert published == []


def test_a_failing_listener_rolls_the_binding_back(client, failing_listener):
    citizen = bound_citizen()
    headers = _new_phone(citizen.account)
    binding, secret = _start(client, citizen.account, headers, _reproofing_code(client, citizen.account))
    try:
        answer = _confirm(client, binding, secret, headers)
        assert answer.status_code == 500
    except Refused:
        pass                                        # the test client may re-raise the listener's error
    db.session.expire_all()
    assert _bound_device(citizen.account).id == citizen.device.id     # the old phone is still the bound one
    assert db.session.query(Device).filter(Device.account_id == citizen.account.id).count() == 1


def test_a_failing_listener_rolls_the_unbinding_back(client):
    citizen = bound_citizen()

    def refuse(**_payload):
        raise Refused()

    events.subscribe(DEVICE_UNBOUND, refuse)
    try:
        try:
            web = bearer(citizen.account, level=2, methods=("qr",))
            assert client.delete(f"{API}/devices/{citizen.device.id}", headers=web).status_code == 500
        except Refused:
            pass
    finally:
        events._handlers[DEVICE_UNBOUND].remove(refuse)
    assert _bound_device(citizen.account).id == citizen.device.id
