"""Events -> messages: notify() writes the right outbox rows in the caller's transaction."""
import pytest
import time_machine
from sqlalchemy import func, select

from app.common.clock import utcnow
from app.extensions import db
from app.notifications import templates
from app.notifications.models import (
    CREATED, DELIVERED, EMAIL, HIGH, IN_APP, NORMAL, PERMANENT_FAILURE, PUSH, SMS, URGENT,
    NotificationProfile, OutboxMessage, PushDevice,
)
from app.notifications.rendering import MissingPlaceholders
from app.notifications.service import notify
from tests.factories import AccountFactory
from tests.unit.test_notifications_templates import MINIMAL

RECEIPT = "H80.27727-260105-0001"

# What each event tells the citizen (Vietnamese, with its minimal values)
EXPECTED_VI = {
    "device_bound": "Một thiết bị mới vừa được liên kết",
    "device_unbound": "Thiết bị đã bị hủy liên kết",
    "password_changed": "Mật khẩu tài khoản định danh điện tử của bạn vừa được thay đổi",
    "qr_login_approved": "Bạn vừa phê duyệt đăng nhập bằng mã QR",
    "account_disabled": "Tài khoản định danh điện tử của bạn đã bị khóa",
    "dossier_submitted": f"Hồ sơ {RECEIPT} đã được nộp thành công",
    "dossier_received": f"Hồ sơ {RECEIPT} đã được tiếp nhận",
    "dossier_returned": f"Hồ sơ {RECEIPT} đã bị trả lại",
    "supplement_requested": f"Hồ sơ {RECEIPT} cần bổ sung giấy tờ",
    "dossier_approved": f"Hồ sơ {RECEIPT} đã được phê duyệt",
    "dossier_rejected": f"Hồ sơ {RECEIPT} không được giải quyết",
    "result_issued": f"Đã có kết quả hồ sơ {RECEIPT}",
    "dossier_due_soon": f"Hồ sơ {RECEIPT} sắp đến hạn trả kết quả",
    "dossier_overdue": f"Hồ sơ {RECEIPT} đã quá hạn trả kết quả",
    "payment_succeeded": "Bạn đã thanh toán 50.000 đồng",
    "payment_failed": "Thanh toán 50.000 đồng không thành công",
    "payment_refunded": "Khoản thanh toán 50.000 đồng",
    "consent_requested": "Thành viên Tổ công nghệ số cộng đồng đề nghị được hỗ trợ bạn",
    "bundle_progress": "Hồ sơ liên thông: Xem chi tiết",
}


def _rows(**where):
    statement = select(OutboxMessage).order_by(OutboxMessage.channel)
    for name, value in where.items():
        statement = statement.where(getattr(OutboxMessage, name) == value)
    return db.session.scalars(statement).all()


@pytest.fixture
def account(db_session):
    return AccountFactory()


@pytest.mark.parametrize("event", sorted(EXPECTED_VI))
def test_each_account_event_writes_its_inbox_message(account, event):
    messages = notify(event, account_id=account.id, params=MINIMAL.get(event, {}))
    db.session.flush()
    template = templates.current(event)
    inbox = [m for m in messages if m.channel == IN_APP]
    assert len(inbox) == 1
    message = inbox[0]
    assert message.status == DELIVERED and message.read_at is None and message.provider == "inbox"
    assert message.body.startswith(EXPECTED_VI[event]) and message.title == template.texts["vi"].title
    assert message.template_version == template.version and message.locale == "vi"
    assert message.params == MINIMAL.get(event, {})
    # Security alerts and messages that matter reach the phone even without the app
    sms = [m for m in messages if m.channel == SMS]
    if template.mandatory or template.important:
        assert [(m.address, m.status) for m in sms] == [(account.phone, CREATED)]
        assert sms[0].priority == (HIGH if template.mandatory else NORMAL)
        assert sms[0].body.isascii()   # Vietnamese SMS go without diacritics
    else:
        assert sms == []
    assert {m.notification_id for m in messages} == {message.notification_id}
    assert _rows(account_id=account.id) == sorted(messages, key=lambda m: m.channel)


def test_otp_code_is_one_urgent_short_lived_sms_with_the_code(db_session):
    now = utcnow()
    with time_machine.travel(now, tick=False):
        (message,) = notify("otp_code", phone="0912000111", params={"code": "482913", "purpose": "login"},
                            urgent=True, sensitive=True)
    db.session.flush()
    assert (message.channel, message.address, message.status) == (SMS, "0912000111", CREATED)
    assert message.priority == URGENT and message.sensitive
    assert message.expires_at == now + templates.current("otp_code").ttl
    assert message.body.startswith("482913 la ma xac thuc dang nhap")
    assert message.params == {"code": "482913", "purpose": "login"}
    assert message.account_id is None and len(message.idempotency_key) == 32


def test_otp_for_an_account_still_goes_only_by_sms(account):
    db.session.add(PushDevice(account_id=account.id, token="tok-" + "a" * 30, platform="android"))
    messages = notify("otp_code", account_id=account.id, phone=account.phone,
                      params={"code": "111222", "purpose": "bind_device"}, urgent=True, sensitive=True)
    assert [(m.channel, m.address) for m in messages] == [(SMS, account.phone)]


def test_push_devices_email_and_language_come_from_the_profile(account):
    db.session.add_all([
        NotificationProfile(account_id=account.id, locale="en", email="an@example.vn", choices={}),
        PushDevice(account_id=account.id, token="tok-" + "1" * 30, platform="android"),
        PushDevice(account_id=account.id, token="tok-" + "2" * 30, platform="ios"),
    ])
    db.session.flush()
    messages = notify("payment_succeeded", account_id=account.id, params={"amount": 150000, "receipt_code": RECEIPT})
    assert sorted((m.channel, m.address) for m in messages) == [
        (EMAIL, "an@example.vn"), (IN_APP, None), (PUSH, "tok-" + "1" * 30), (PUSH, "tok-" + "2" * 30)]
    assert {m.locale for m in messages} == {"en"}
    assert {m.body for m in messages} == {f"You paid 150,000 VND for dossier {RECEIPT}. The e-receipt is in the app."}
    assert {m.status for m in messages if m.channel != IN_APP} == {CREATED}


def test_choices_switch_channels_off_and_sms_on(account):
    db.session.add_all([
        NotificationProfile(account_id=account.id, locale="vi", email="an@example.vn",
                            choices={"dossier": {"push": False, "email": False, "sms": True}}),
        PushDevice(account_id=account.id, token="tok-" + "3" * 30, platform="android"),
    ])
    db.session.flush()
    messages = notify("dossier_received", account_id=account.id, params={"receipt_code": RECEIPT})
    assert sorted(m.channel for m in messages) == [IN_APP, SMS]
    # Other categories keep their defaults
    messages = notify("payment_refunded", account_id=account.id, params={"amount": 1000})
    assert sorted(m.channel for m in messages) == [EMAIL, IN_APP, PUSH]


def test_an_explicit_locale_wins(account):
    (message,) = notify("dossier_approved", account_id=account.id, params={"receipt_code": RECEIPT}, locale="en")
    assert message.locale == "en" and message.title == "Dossier approved"


def test_missing_values_raise_before_anything_is_written(account):
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    with pytest.raises(MissingPlaceholders) as caught:
        notify("supplement_requested", account_id=account.id, params={"reason": "thiếu ảnh"})
    assert caught.value.missing == ["receipt_code"]
    db.session.flush()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before


def test_without_strict_templates_the_message_is_stored_as_failed(app, account):
    app.config["NOTIFY_STRICT_TEMPLATES"] = False
    try:
        messages = notify("result_issued", account_id=account.id, params={})
    finally:
        app.config["NOTIFY_STRICT_TEMPLATES"] = True
    assert {(m.channel, m.status) for m in messages} == {(IN_APP, PERMANENT_FAILURE), (SMS, PERMANENT_FAILURE)}
    assert {m.last_error for m in messages} == {"result_issued: missing template values: receipt_code"}
    assert all(m.body is None and m.finished_at is not None for m in messages)


def test_an_unknown_event_is_refused(account):
    with pytest.raises(templates.UnknownEvent):
        notify("dossier_teleported", account_id=account.id)


def test_messages_exist_only_if_the_change_commits(account):
    """The outbox shares the caller's transaction: a rollback takes the messages with it."""
    savepoint = db.session.begin_nested()
    notify("dossier_approved", account_id=account.id, params={"receipt_code": RECEIPT})
    db.session.flush()
    assert len(_rows(account_id=account.id)) == 1
    savepoint.rollback()
    assert _rows(account_id=account.id) == []


def test_each_message_has_its_own_stable_idempotency_key(account):
    messages = notify("result_issued", account_id=account.id, params={"receipt_code": RECEIPT})
    db.session.flush()
    keys = [m.idempotency_key for m in messages]
    assert len(set(keys)) == len(keys) == 2
    db.session.expire_all()
    assert [m.idempotency_key for m in _rows(account_id=account.id)] == keys
