"""Templates: every event in both languages, versioned, placeholders checked."""
import pytest

from app.notifications import templates
from app.notifications.rendering import (
    MissingPlaceholders, placeholders, render, unaccented, vnd,
)
from tests.text_helpers import sms_segments

# The events other domains raise (the contract with them)
EVENTS = {
    "otp_code", "device_bound", "device_unbound", "password_changed", "qr_login_approved",
    "account_disabled", "dossier_submitted", "dossier_received", "dossier_returned",
    "supplement_requested", "dossier_approved", "dossier_rejected", "result_issued",
    "dossier_due_soon", "dossier_overdue", "payment_succeeded", "payment_failed",
    "payment_refunded", "consent_requested", "bundle_progress",
    # community digital-tech teams (app/assistance)
    "assistance_consent_code", "assistance_account_registered", "assistance_payment_link",
    # e-ID level 2 and device changes (app/identity)
    "eid_activation_issued", "eid_reproofing_requested", "eid_reproofing_authorised",
    "eid_device_change_pending", "eid_device_change_reminder", "eid_device_change_cancelled",
    "eid_device_frozen", "eid_device_unfrozen", "eid_password_reset", "eid_registration_attempt",
    # service quality (app/quality)
    "complaint_filed", "complaint_accepted", "complaint_refused", "complaint_info_requested",
    "complaint_answered", "complaint_overdue", "dossier_apology", "dossier_stalled",
    # citizen reports (app/reports)
    "report_received", "report_routed", "report_refused", "report_merged", "report_in_progress",
    "report_progress", "report_resolved", "report_reopened", "report_escalated",
}
# The smallest params each event needs
MINIMAL = {"otp_code": {"code": "482913", "purpose": "login"}, "payment_succeeded": {"amount": 50000},
           "payment_failed": {"amount": 50000}, "payment_refunded": {"amount": 50000}}
for _event in ("dossier_submitted", "dossier_received", "dossier_returned", "supplement_requested",
               "dossier_approved", "dossier_rejected", "result_issued", "dossier_due_soon", "dossier_overdue"):
    MINIMAL[_event] = {"receipt_code": "H80.27727-260105-0001"}
MINIMAL["eid_device_change_pending"] = {"effective_at": "2026-12-05T08:00:00+00:00"}
MINIMAL["eid_device_change_reminder"] = {"effective_at": "2026-12-05T08:00:00+00:00"}
MINIMAL.update({
    "complaint_filed": {"reference": "PA261204-K7M2QX", "subject": "Chậm", "due_date": "2026-12-25"},
    "complaint_accepted": {"reference": "PA261204-K7M2QX"},
    "complaint_refused": {"reference": "PA261204-K7M2QX", "note": "Sai thẩm quyền"},
    "complaint_info_requested": {"reference": "PA261204-K7M2QX", "note": "Cần thêm ảnh"},
    "complaint_answered": {"reference": "PA261204-K7M2QX", "note": "Đã xử lý"},
    "complaint_overdue": {"reference": "PA261204-K7M2QX", "due_date": "2026-12-25", "days_late": 2},
    "dossier_apology": {"receipt_code": "H80.27727-260105-0001", "procedure_name": "Đăng ký khai sinh",
                        "due_date": "2026-12-10", "new_date": "2026-12-18"},
    "dossier_stalled": {"receipt_code": "H80.27727-260105-0001", "status": "received", "hours": 9, "limit": 8},
})
MINIMAL["report_received"] = {"reference": "6F1C2A8E", "category_name": "Chiếu sáng công cộng"}
MINIMAL["report_routed"] = MINIMAL["report_in_progress"] = {"reference": "6F1C2A8E"}
for _event in ("report_refused", "report_progress", "report_resolved", "report_reopened"):
    MINIMAL[_event] = {"reference": "6F1C2A8E", "reason": "Đã thay bóng đèn."}
MINIMAL["report_merged"] = {"reference": "6F1C2A8E", "target_reference": "1A2B3C4D"}
MINIMAL["report_escalated"] = {"reference": "6F1C2A8E", "category_name": "Chiếu sáng công cộng", "level": 1}
MINIMAL["assistance_consent_code"] = {"code": "482913", "assistant_name": "Lê Thị Hoa",
                                      "what": "nộp hồ sơ", "duration": "2 giờ"}
MINIMAL["assistance_payment_link"] = {"amount": 8000, "receipt_code": "H80.27727-260105-0001",
                                      "url": "https://pay.example/x", "minutes": 15}


def test_every_event_has_a_template():
    assert set(templates.EVENTS) == EVENTS


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_each_template_speaks_vietnamese_and_english_with_the_same_values(event):
    for version in templates.TEMPLATES[event].values():
        assert set(version.texts) == {"vi", "en"}
        vi, en = version.texts["vi"], version.texts["en"]
        assert placeholders(vi.title + vi.body) == placeholders(en.title + en.body)
        assert vi.body != en.body and vi.title and en.title


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_each_template_renders_with_its_minimal_values(event):
    template = templates.current(event)
    assert template.required() == set(MINIMAL.get(event, {}))
    for locale in ("vi", "en"):
        rendered = template.render(locale, MINIMAL.get(event, {}))
        assert "{" not in rendered.body and "[[" not in rendered.body
        assert len(rendered.title) <= 65


def test_a_missing_value_is_an_error_naming_it():
    with pytest.raises(MissingPlaceholders) as caught:
        templates.current("supplement_requested").render("vi", {"reason": "thiếu ảnh"})
    assert caught.value.missing == ["receipt_code"]
    assert "receipt_code" in str(caught.value)


def test_empty_and_none_values_count_as_missing():
    template = templates.current("payment_failed")
    assert template.missing({"amount": None}) == ["amount"]
    assert template.missing({"amount": "  "}) == ["amount"]
    assert template.missing({"amount": 0}) == []


def test_optional_parts_appear_only_with_all_their_values():
    template = templates.current("supplement_requested")
    bare = template.render("vi", {"receipt_code": "H1"})
    full = template.render("vi", {"receipt_code": "H1", "reason": "thiếu bản sao CCCD", "deadline": "2026-01-20"})
    assert bare.body == ("Hồ sơ H1 cần bổ sung giấy tờ. "
                         "Vui lòng bổ sung trên ứng dụng để hồ sơ được tiếp tục xử lý.")
    assert "thiếu bản sao CCCD" in full.body and "Hạn bổ sung: 20/01/2026" in full.body


def test_templates_are_versioned_and_old_versions_stay_readable():
    assert templates.current("otp_code").version == 2
    old = templates.version("otp_code", 1).render("en", {"code": "111222"})
    assert old.body == "Your verification code is 111222. Never share it with anyone."
    with pytest.raises(templates.UnknownEvent):
        templates.version("otp_code", 99)
    with pytest.raises(templates.UnknownEvent):
        templates.current("no_such_event")


def test_a_version_cannot_be_defined_twice():
    template = templates.current("dossier_approved")
    with pytest.raises(ValueError, match="defined twice"):
        templates._index([template, template])


def test_codes_and_payment_links_go_by_sms_only_and_first():
    for event in ("otp_code", "assistance_consent_code", "assistance_payment_link"):
        template = templates.current(event)
        assert template.urgent and template.only == ("sms",) and template.ttl is not None


def test_otp_template_is_urgent_sms_only_short_lived_and_mandatory():
    template = templates.current("otp_code")
    assert template.urgent and template.only == ("sms",) and template.mandatory
    assert template.ttl.total_seconds() == 600
    rendered = template.render("vi", {"code": "482913", "purpose": "register", "minutes": 5})
    assert rendered.body.startswith("482913 là mã xác thực đăng ký tài khoản")
    assert "5 phút" in rendered.body
    assert sms_segments(unaccented(rendered.sms)) == 1


def test_messages_that_matter_are_marked_important():
    important = {e for e in EVENTS if templates.current(e).important}
    assert important == {"supplement_requested", "result_issued", "payment_failed",
                         # the citizen must act or learns a new date
                         "complaint_refused", "complaint_info_requested", "complaint_answered", "dossier_apology",
                         "report_resolved", "report_escalated"}
    mandatory = {e for e in EVENTS if templates.current(e).mandatory}
    assert mandatory == {"otp_code", "device_bound", "device_unbound", "password_changed",
                         "qr_login_approved", "account_disabled", "assistance_consent_code",
                         *(e for e in EVENTS if e.startswith("eid_"))}


def test_filters_format_money_dates_times_and_purposes():
    assert vnd(1250000, "vi") == "1.250.000 đồng"
    assert vnd("abc", "vi") == "abc"
    assert render("{amount|vnd}", {"amount": 1250000}, "en") == "1,250,000 VND"
    assert render("{d|date}", {"d": "2026-03-09"}, "vi") == "09/03/2026"
    # Times are shown in Vietnam time
    assert render("{t|datetime}", {"t": "2026-03-09T17:30:00+00:00"}, "vi") == "00:30 10/03/2026"
    assert render("{p|purpose}", {"p": "reset"}, "en") == "password reset"
    assert render("{p|purpose}", {"p": "new_thing"}, "vi") == "new thing"
    assert render("{d|date}", {"d": "not a date"}, "vi") == "not a date"


def test_values_are_never_interpreted():
    assert render("{x}", {"x": "{y.__class__}"}, "vi") == "{y.__class__}"
    assert placeholders("{a.b} {c[0]}") == (set(), set())


def test_unaccented_sms_text_and_segments():
    assert unaccented("Hồ sơ đã được tiếp nhận. Đăng ký") == "Ho so da duoc tiep nhan. Dang ky"
    assert sms_segments("a" * 160) == 1 and sms_segments("a" * 161) == 2
    assert sms_segments("ồ" * 70) == 1 and sms_segments("ồ" * 71) == 2
