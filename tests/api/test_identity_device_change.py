"""Changing the bound phone: the bound phone's approval, a desk re-proofing, or a cooling-off period."""
import uuid
from datetime import timedelta

import time_machine
from app.common.clock import utcnow
from app.extensions import db
from app.identity.device_change import apply_due_changes
from app.identity.models import AuthSession, Device, DeviceBinding, ReproofingRequest
from app.identity.tokens import decode_access_token
from tests.eid_fixtures import (
    EVERY_CHANNEL, OTHER_COMMUNE, channels_of, desk_officer, helper, police_officer, policy, reachable, staff,
)
from tests.factories import bearer
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    API, bound_citizen, fresh_rate_limits, last_code, next_step, totp_code, wrong,
)


def _new_phone(citizen):
    """The citizen (or whoever holds the SIM) logged in at level 1 on a new phone."""
    return bearer(citizen.account, level=1, methods=("pwd", "sms"))


def _start(client, citizen, headers, code=None):
    body = {"device_name": "iPhone 16", "platform": "ios"}
    if code:
        body["in_person_code"] = code
    started = client.post(f"{API}/device-bindings", json=body, headers=headers)
    assert started.status_code == 201, started.get_json()
    enrolment = client.post(f"{API}/device-bindings/{started.get_json()['id']}/sms",
                            json={"code": last_code(citizen.account.phone, "bind_device")}, headers=headers)
    return started.get_json(), enrolment.get_json()["secret"]


def _confirm(client, binding, secret, headers):
    return client.post(f"{API}/device-bindings/{binding['id']}/totp", json={"code": totp_code(secret)},
                       headers=headers)


def _approve(client, citizen, approval_code, *, headers=None, device_secret=None, code=None):
    return client.post(f"{API}/device-bindings/approve", headers=headers or citizen.phone_headers(), json={
        "approval_code": approval_code, "device_secret": device_secret or citizen.device_secret,
        "code": code or totp_code(citizen.totp_secret)})


def _still_bound(citizen) -> bool:
    db.session.expire_all()
    return db.session.get(Device, citizen.device.id).unbound_at is None


# --- approval from the bound phone ------------------------------------------------------

def test_without_approval_the_new_phone_is_refused(client):
    citizen = bound_citizen()
    new_phone = _new_phone(citizen)
    binding, secret = _start(client, citizen, new_phone)
    assert binding["authorisation"] == "device_approval" and len(binding["approval_code"]) == 8
    refused = _confirm(client, binding, secret, new_phone)
    assert refused.status_code == 403 and refused.get_json()["code"] == "device_approval_required"
    assert _still_bound(citizen)
    # approval afterwards still works: the new phone confirms again
    assert _approve(client, citizen, binding["approval_code"]).status_code == 200
    with next_step():
        done = _confirm(client, binding, secret, new_phone)
    assert done.status_code == 200 and done.get_json()["tokens"]["level"] == 2
    assert not _still_bound(citizen)


def test_approval_refusals(client):
    citizen, stranger = bound_citizen(), bound_citizen()
    binding, _ = _start(client, citizen, _new_phone(citizen))
    code = binding["approval_code"]
    level_1 = _approve(client, citizen, code, headers=bearer(citizen.account, level=1))
    assert level_1.status_code == 403 and level_1.get_json()["code"] == "step_up_required"
    web = _approve(client, citizen, code, headers=bearer(citizen.account, level=2, methods=("qr",)))
    assert web.status_code == 403 and web.get_json()["code"] == "bound_device_required"
    secret = _approve(client, citizen, code, device_secret="not-the-secret")
    assert secret.status_code == 401 and secret.get_json()["code"] == "invalid_device_proof"
    bad_totp = _approve(client, citizen, code, code=wrong(totp_code(citizen.totp_secret)))
    assert bad_totp.status_code == 422 and bad_totp.get_json()["code"] == "invalid_totp"
    with next_step():
        unknown = _approve(client, citizen, "ZZZZZZZZ")
        assert unknown.status_code == 404 and unknown.get_json()["code"] == "device_approval_not_found"
    with next_step(), next_step():
        # another account's phone cannot approve this account's binding
        foreign = _approve(client, stranger, code)
        assert foreign.status_code == 404
    with time_machine.travel(utcnow() + timedelta(minutes=16), tick=False):
        expired = _approve(client, citizen, code)
        assert expired.status_code == 404
    assert db.session.get(DeviceBinding, uuid.UUID(binding["id"])).approved_at is None


# --- in-person re-proofing -------------------------------------------------------------------

def _reproof(client, citizen, headers=None, **extra):
    body = {"personal_id": citizen.account.personal_id, "method": "chip_card",
            "evidence": citizen.account.personal_id, **extra}
    return client.post(f"{API}/desk/reproofings", json=body, headers=headers or desk_officer())


def test_an_officer_re_proofs_and_the_new_phone_replaces_the_old(client, app_logs):
    citizen = bound_citizen()
    reachable(citizen.account)
    old_phone = citizen.phone_headers()
    issued = _reproof(client, citizen, police_officer())
    assert issued.status_code == 201, issued.get_json()
    body = issued.get_json()
    assert body["kind"] == "reproofing" and len(body["code"]) == 8 and body["verification_method"] == "chip_card"
    audit = [r.audit for r in app_logs.records if r.name == "app.identity.audit"]
    authorised = [a for a in audit if a["event"] == "reproofing.authorised"]
    assert authorised and authorised[0]["verifier"] == "mock" and authorised[0]["method"] == "chip_card"
    assert channels_of(citizen.account, "eid_reproofing_authorised") == EVERY_CHANNEL
    new_phone = _new_phone(citizen)
    binding, secret = _start(client, citizen, new_phone, body["code"])
    assert binding["authorisation"] == "in_person" and binding["approval_code"] is None
    done = _confirm(client, binding, secret, new_phone)
    assert done.status_code == 200 and done.get_json()["status"] == "bound"
    assert not _still_bound(citizen)
    assert client.get(f"{API}/me", headers=old_phone).status_code == 401
    assert channels_of(citizen.account, "device_unbound") == EVERY_CHANNEL
    assert channels_of(citizen.account, "device_bound") == EVERY_CHANNEL


def test_re_proofing_refusals(client):
    citizen = bound_citizen()
    out = _reproof(client, citizen, desk_officer(OTHER_COMMUNE))
    assert out.status_code == 403 and out.get_json()["code"] == "out_of_scope"
    far = _reproof(client, citizen, police_officer("79"))
    assert far.status_code == 403 and far.get_json()["code"] == "out_of_scope"
    by_helper = _reproof(client, citizen, helper())
    assert by_helper.status_code == 403 and by_helper.get_json()["code"] == "forbidden_role"
    level_1 = _reproof(client, citizen, bearer(staff("officer", kind="commune_committee"), level=1))
    assert level_1.status_code == 403 and level_1.get_json()["code"] == "step_up_required"
    failed = _reproof(client, citizen, evidence="079000000000")
    assert failed.status_code == 422 and failed.get_json()["code"] == "identity_verification_failed"
    bad_method = _reproof(client, citizen, method="a_glance")
    assert bad_method.status_code == 422


def test_re_proofing_codes_wrong_expired_reused_foreign(client):
    citizen, other = bound_citizen(), bound_citizen()
    code = _reproof(client, citizen).get_json()["code"]
    foreign = _reproof(client, other).get_json()["code"]
    headers = _new_phone(citizen)
    stolen = client.post(f"{API}/device-bindings", json={"device_name": "X", "in_person_code": foreign},
                         headers=headers)
    assert stolen.status_code == 422 and stolen.get_json()["code"] == "invalid_in_person_code"
    with time_machine.travel(utcnow() + timedelta(minutes=31), tick=False):
        late = client.post(f"{API}/device-bindings", json={"device_name": "X", "in_person_code": code},
                           headers=_new_phone(citizen))
        assert late.status_code == 410 and late.get_json()["code"] == "in_person_code_expired"
    binding, secret = _start(client, citizen, headers, code)
    assert _confirm(client, binding, secret, headers).status_code == 200
    with next_step():
        again = client.post(f"{API}/device-bindings", json={"device_name": "Y", "in_person_code": code},
                            headers=_new_phone(citizen))
    assert again.status_code == 410 and again.get_json()["code"] == "in_person_code_used"


def test_a_helper_opens_a_request_only_an_officer_authorises_it(client):
    citizen = bound_citizen()
    reachable(citizen.account)
    body = {"personal_id": citizen.account.personal_id, "resident_consent": True}
    no_consent = client.post(f"{API}/assist/reproofing-requests", headers=helper(),
                             json={**body, "resident_consent": False})
    assert no_consent.status_code == 422 and no_consent.get_json()["code"] == "resident_consent_required"
    elsewhere = client.post(f"{API}/assist/reproofing-requests", json=body, headers=helper(OTHER_COMMUNE))
    assert elsewhere.status_code == 403 and elsewhere.get_json()["code"] == "out_of_scope"
    opened = client.post(f"{API}/assist/reproofing-requests", json=body, headers=helper())
    assert opened.status_code == 201, opened.get_json()
    request_id = opened.get_json()["id"]
    assert channels_of(citizen.account, "eid_reproofing_requested") == EVERY_CHANNEL
    # the helper cannot authorise it, nor can a citizen
    assert _reproof(client, citizen, helper(), request_id=request_id).status_code == 403
    assert _reproof(client, citizen, bearer(citizen.account), request_id=request_id).status_code == 403
    authorised = _reproof(client, citizen, request_id=request_id)
    assert authorised.status_code == 201
    request = db.session.get(ReproofingRequest, uuid.UUID(request_id))
    assert request.authorised_at is not None and request.authorised_by_id is not None
    twice = _reproof(client, citizen, request_id=request_id)
    assert twice.status_code == 404 and twice.get_json()["code"] == "reproofing_request_not_found"


# --- cooling-off ---------------------------------------------------------------------------

def test_cooling_off_off_by_default(client):
    citizen = bound_citizen()
    new_phone = _new_phone(citizen)
    binding, secret = _start(client, citizen, new_phone)
    assert _confirm(client, binding, secret, new_phone).status_code == 403


def test_cooling_off_waits_tells_everywhere_reminds_and_then_applies(client):
    citizen = bound_citizen()
    reachable(citizen.account)
    new_phone = _new_phone(citizen)
    with policy(rebind_cooling_off_hours=48, rebind_reminder_hours=24):
        binding, secret = _start(client, citizen, new_phone)
        pending = _confirm(client, binding, secret, new_phone)
        assert pending.status_code == 200, pending.get_json()
        body = pending.get_json()
        assert body["status"] == "pending" and body["tokens"] is None and body["device"]["bound"] is False
        assert _still_bound(citizen)
        session = db.session.get(AuthSession, decode_access_token(new_phone["Authorization"][7:]).session_id)
        assert session.level == 1                                   # level 1 meanwhile
        assert channels_of(citizen.account, "eid_device_change_pending") == EVERY_CHANNEL
        listed = client.get(f"{API}/device-changes", headers=citizen.phone_headers()).get_json()
        assert [c["id"] for c in listed] == [binding["id"]]
        assert apply_due_changes() == 0
        assert channels_of(citizen.account, "eid_device_change_reminder") == set()
        with time_machine.travel(utcnow() + timedelta(hours=25), tick=False):
            assert apply_due_changes() == 0
        assert channels_of(citizen.account, "eid_device_change_reminder") == EVERY_CHANNEL
        with time_machine.travel(utcnow() + timedelta(hours=48, minutes=1), tick=False):
            assert apply_due_changes() == 1
            assert apply_due_changes() == 0          # once
    assert not _still_bound(citizen)
    new_device = db.session.get(Device, uuid.UUID(body["device"]["id"]))
    assert new_device.bound_at is not None and new_device.unbound_at is None
    assert channels_of(citizen.account, "device_bound") == EVERY_CHANNEL
    # the new phone now logs in on its own: device secret + TOTP
    with next_step():
        login = client.post(f"{API}/login/device", json={
            "login": citizen.account.login, "device_id": body["device"]["id"],
            "device_secret": body["device_secret"], "code": totp_code(secret)})
    assert login.status_code == 200 and login.get_json()["level"] == 2


def test_cancel_during_cooling_off(client):
    citizen = bound_citizen()
    reachable(citizen.account)
    new_phone = _new_phone(citizen)
    with policy(rebind_cooling_off_hours=48):
        binding, secret = _start(client, citizen, new_phone)
        _confirm(client, binding, secret, new_phone)
        by_level_1 = client.post(f"{API}/device-changes/{binding['id']}/cancel", headers=new_phone)
        assert by_level_1.status_code == 403 and by_level_1.get_json()["code"] == "step_up_required"
        web = bearer(citizen.account, level=2, methods=("qr",))     # any level-2 session
        cancelled = client.post(f"{API}/device-changes/{binding['id']}/cancel", headers=web)
        assert cancelled.status_code == 200 and cancelled.get_json()["cancelled_at"]
        assert channels_of(citizen.account, "eid_device_change_cancelled") == EVERY_CHANNEL
        again = client.post(f"{API}/device-changes/{binding['id']}/cancel", headers=web)
        assert again.status_code == 404 and again.get_json()["code"] == "device_change_not_found"
        with time_machine.travel(utcnow() + timedelta(hours=49), tick=False):
            assert apply_due_changes() == 0
    assert _still_bound(citizen)


def test_the_bound_phone_approves_a_pending_change_at_once(client):
    citizen = bound_citizen()
    new_phone = _new_phone(citizen)
    with policy(rebind_cooling_off_hours=48):
        binding, secret = _start(client, citizen, new_phone)
        _confirm(client, binding, secret, new_phone)
        assert _approve(client, citizen, binding["approval_code"]).status_code == 200
    assert not _still_bound(citizen)


def test_no_cooling_off_while_the_bound_phone_is_frozen(client):
    citizen = bound_citizen()
    with policy(rebind_cooling_off_hours=48):
        frozen = client.post(f"{API}/devices/{citizen.device.id}/lost", json={"password": citizen.password},
                             headers=_new_phone(citizen))
        assert frozen.status_code == 200
        refused = client.post(f"{API}/device-bindings", json={"device_name": "X"}, headers=_new_phone(citizen))
    assert refused.status_code == 403 and refused.get_json()["code"] == "reproofing_required"
