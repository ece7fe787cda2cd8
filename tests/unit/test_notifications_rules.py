"""Pure rules: forward-only statuses, channel routing, backoff, signatures, settings."""
import uuid

import pytest

from app.config import notification_problems as production_problems
from app.config import notification_settings
from app.notifications import routing, templates
from app.notifications.delivery import RetryPolicy
from app.notifications.models import (
    CREATED, DELIVERED, EMAIL, IN_APP, PERMANENT_FAILURE, PUSH, SENDING, SMS, TEMPORARY_FAILURE,
)
from app.notifications.delivery_receipts import InvalidSignature, sign, verify_signature
from app.notifications.states import can_advance, is_final

ACCOUNT = uuid.uuid4()
PHONE = "0912345678"


# --- statuses -------------------------------------------------------------------

@pytest.mark.parametrize("current, new, allowed", [
    (CREATED, SENDING, True),
    (CREATED, DELIVERED, True),
    (SENDING, DELIVERED, True),
    (SENDING, TEMPORARY_FAILURE, True),
    (SENDING, PERMANENT_FAILURE, True),
    (SENDING, SENDING, False),
    (SENDING, CREATED, False),
    (DELIVERED, PERMANENT_FAILURE, False),
    (DELIVERED, SENDING, False),
    (PERMANENT_FAILURE, DELIVERED, False),
    (TEMPORARY_FAILURE, DELIVERED, False),
    (DELIVERED, DELIVERED, False),
])
def test_statuses_only_move_forward(current, new, allowed):
    assert can_advance(current, new) is allowed


def test_final_statuses_and_unknown_ones():
    assert {s for s in (CREATED, SENDING, DELIVERED, TEMPORARY_FAILURE, PERMANENT_FAILURE) if is_final(s)} == {
        DELIVERED, TEMPORARY_FAILURE, PERMANENT_FAILURE}
    with pytest.raises(ValueError):
        can_advance("bogus", DELIVERED)


# --- routing --------------------------------------------------------------------

def _recipient(**kw):
    return routing.Recipient(**{"account_id": ACCOUNT, "phone": PHONE, **kw})


def test_defaults_inbox_and_push_no_sms_for_ordinary_messages():
    plan = routing.plan(templates.current("dossier_received"), _recipient(push_tokens=("t1", "t2")))
    assert plan == [(IN_APP, None), (PUSH, "t1"), (PUSH, "t2")]


def test_email_is_used_when_the_account_has_one():
    plan = routing.plan(templates.current("payment_succeeded"), _recipient(email="an@example.vn"))
    assert plan == [(IN_APP, None), (EMAIL, "an@example.vn")]


def test_messages_that_matter_go_by_sms_when_no_push_can_carry_them():
    template = templates.current("result_issued")
    assert routing.plan(template, _recipient()) == [(IN_APP, None), (SMS, PHONE)]
    # With a device, push first; the worker falls back to SMS if it fails
    assert routing.plan(template, _recipient(push_tokens=("t1",))) == [(IN_APP, None), (PUSH, "t1")]
    # Push switched off: SMS again
    off = {"dossier": {"push": False}}
    assert routing.plan(template, _recipient(push_tokens=("t1",), choices=off)) == [(IN_APP, None), (SMS, PHONE)]


def test_citizen_choices_per_category_and_channel():
    choices = {"dossier": {"sms": True, "email": False}, "payment": {"push": False}}
    recipient = _recipient(push_tokens=("t1",), email="an@example.vn", choices=choices)
    assert routing.plan(templates.current("dossier_approved"), recipient) == [
        (IN_APP, None), (PUSH, "t1"), (SMS, PHONE)]
    assert routing.plan(templates.current("payment_refunded"), recipient) == [
        (IN_APP, None), (EMAIL, "an@example.vn")]


def test_security_messages_ignore_choices_and_use_every_channel():
    choices = {"security": {"push": False, "sms": False, "email": False}}
    recipient = _recipient(push_tokens=("t1",), email="an@example.vn", choices=choices)
    assert routing.plan(templates.current("password_changed"), recipient) == [
        (IN_APP, None), (PUSH, "t1"), (EMAIL, "an@example.vn"), (SMS, PHONE)]


def test_otp_goes_by_sms_only_and_never_into_the_inbox():
    plan = routing.plan(templates.current("otp_code"), _recipient(push_tokens=("t1",)), sensitive=True)
    assert plan == [(SMS, PHONE)]
    assert routing.plan(templates.current("otp_code"), routing.Recipient(phone=PHONE)) == [(SMS, PHONE)]


def test_sensitive_messages_are_kept_out_of_the_inbox():
    plan = routing.plan(templates.current("consent_requested"), _recipient(), sensitive=True)
    assert (IN_APP, None) not in plan


def test_a_phone_without_account_gets_an_sms():
    assert routing.plan(templates.current("dossier_received"), routing.Recipient(phone=PHONE)) == [(SMS, PHONE)]


def test_explicit_channels_override_the_choices():
    plan = routing.plan(templates.current("dossier_received"), _recipient(push_tokens=("t1",)),
                        channels=(SMS, EMAIL, IN_APP))
    assert plan == [(SMS, PHONE), (IN_APP, None)]   # no e-mail address: nothing for it


def test_preferences_matrix_marks_what_is_locked():
    matrix = {(row["category"], row["channel"]): row for row in routing.matrix({"dossier": {"sms": True}})}
    assert matrix[("dossier", "sms")] == {"category": "dossier", "channel": "sms", "enabled": True, "locked": False}
    assert matrix[("payment", "sms")]["enabled"] is False
    assert matrix[("security", "sms")]["locked"] is True and matrix[("security", "sms")]["enabled"] is True
    assert matrix[("payment", "in_app")]["locked"] is True
    assert len(matrix) == len(templates.CATEGORIES) * 4


# --- retries --------------------------------------------------------------------

def test_backoff_doubles_with_jitter_and_is_capped():
    policy = RetryPolicy(max_attempts=6, base_seconds=10, max_seconds=100)
    assert [policy.delay(n, rand=lambda: 0.5) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 80, 100]
    assert policy.delay(1, rand=lambda: 0.0) == pytest.approx(8)
    assert policy.delay(1, rand=lambda: 1.0) == pytest.approx(12)


# --- signatures -----------------------------------------------------------------

def test_receipt_signatures():
    body = b'{"reference":"abc","status":"DELIVRD"}'
    signature = sign(body, "s3cret")
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    verify_signature(body, signature, "s3cret")
    verify_signature(body, signature.removeprefix("sha256=").upper(), "s3cret")
    for wrong in (None, "", "sha256=00", sign(body, "other"), sign(body + b" ", "s3cret")):
        with pytest.raises(InvalidSignature):
            verify_signature(body, wrong, "s3cret")


# --- settings -------------------------------------------------------------------

def test_development_defaults_use_mocks_and_strict_templates():
    settings = notification_settings({}, "development")
    assert settings["NOTIFY_SMS_ADAPTER"] == settings["NOTIFY_PUSH_ADAPTER"] == settings["NOTIFY_EMAIL_ADAPTER"] == "mock"
    assert settings["NOTIFY_STRICT_TEMPLATES"] is True
    assert notification_settings({}, "production")["NOTIFY_STRICT_TEMPLATES"] is False


def test_production_refuses_mock_channels_and_a_weak_callback_secret():
    class Config:
        pass

    config = Config()
    for name, value in notification_settings({"NOTIFY_SMS_ADAPTER": "brandname", "NOTIFY_PUSH_ADAPTER": "fcm"},
                                             "production").items():
        setattr(config, name, value)
    problems = " | ".join(production_problems(config))
    assert "NOTIFY_EMAIL_ADAPTER is the development mock" in problems
    assert "NOTIFY_CALLBACK_SECRET" in problems
    assert "SMS_BRANDNAME_URL" in problems and "FCM_PROJECT_ID" in problems
