"""Message templates: one per event, in Vietnamese and English, versioned.

A template is never edited in place: a new wording is a new `version`, and
the older versions stay here so a message can always be traced to the exact
text it was built from (`outbox_messages.template_version`).

Values callers pass in `params` (see rendering.py for the syntax): the names
in braces; those inside [[ ]] are optional.
"""
from dataclasses import dataclass
from datetime import timedelta

from app.notifications.errors import UnknownEvent
from app.notifications.rendering import MissingPlaceholders, missing_values, placeholders, render

# Categories: citizens choose channels per category, except the mandatory ones
OTP, SECURITY, DOSSIER, PAYMENT, ASSISTANCE = "otp", "security", "dossier", "payment", "assistance"
REPORT = "report"
CATEGORIES = (OTP, SECURITY, DOSSIER, PAYMENT, ASSISTANCE, REPORT)
MANDATORY = frozenset({OTP, SECURITY})
LOCALES = ("vi", "en")


@dataclass(frozen=True)
class Text:
    title: str
    body: str
    sms: str | None = None      # a shorter SMS wording; the body otherwise


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    sms: str


@dataclass(frozen=True)
class Template:
    event: str
    version: int
    category: str
    texts: dict[str, Text]
    # Messages that matter: they reach the phone (push, else SMS) whatever the choices
    important: bool = False
    urgent: bool = False
    # Not worth sending after this long (an OTP code nobody waits for any more)
    ttl: timedelta | None = None
    # Only these channels (an OTP code goes by SMS only)
    only: tuple[str, ...] | None = None

    @property
    def mandatory(self) -> bool:
        return self.category in MANDATORY

    def required(self) -> set[str]:
        return set().union(*(placeholders(t)[0] for t in self._all_texts()))

    def optional(self) -> set[str]:
        return set().union(*(placeholders(t)[1] for t in self._all_texts())) - self.required()

    def missing(self, params: dict) -> list[str]:
        return sorted({name for t in self._all_texts() for name in missing_values(t, params)})

    def render(self, locale: str, params: dict) -> Rendered:
        """The texts in `locale` (Vietnamese when unknown); raises MissingPlaceholders."""
        missing = self.missing(params)
        if missing:
            raise MissingPlaceholders(self.event, missing)
        text = self.texts.get(locale) or self.texts["vi"]
        code = locale if locale in self.texts else "vi"
        body = render(text.body, params, code)
        sms = render(text.sms, params, code) if text.sms else body
        return Rendered(title=render(text.title, params, code), body=body, sms=sms)

    def _all_texts(self):
        for text in self.texts.values():
            yield text.title
            yield text.body
            if text.sms:
                yield text.sms


def _t(event, version, category, vi: Text, en: Text, **options) -> Template:
    return Template(event=event, version=version, category=category, texts={"vi": vi, "en": en}, **options)


AT_VI, AT_EN = "[[ lúc {at|datetime}]]", "[[ at {at|datetime}]]"

ALL_TEMPLATES: tuple[Template, ...] = (
    # --- OTP codes: SMS only, first in the queue, never kept after sending ---
    _t("otp_code", 1, OTP,
       Text("Mã xác thực", "Mã xác thực của bạn là {code}. Không chia sẻ mã này với bất kỳ ai."),
       Text("Verification code", "Your verification code is {code}. Never share it with anyone."),
       urgent=True, ttl=timedelta(minutes=10), only=("sms",)),
    _t("otp_code", 2, OTP,
       Text("Mã xác thực",
            "{code} là mã xác thực {purpose|purpose} trên Smart Province. "
            "[[Mã có hiệu lực trong {minutes} phút. ]]"
            "Không cung cấp mã này cho bất kỳ ai, kể cả cán bộ."),
       Text("Verification code",
            "{code} is your Smart Province code for {purpose|purpose}. "
            "[[It is valid for {minutes} minutes. ]]"
            "Never give it to anyone, officials included."),
       urgent=True, ttl=timedelta(minutes=10), only=("sms",)),
    # --- Security events: cannot be switched off ---
    _t("device_bound", 1, SECURITY,
       Text("Thiết bị mới được liên kết",
            "Một thiết bị mới[[ ({device_name})]] vừa được liên kết với tài khoản định danh điện tử "
            f"của bạn{AT_VI}. Nếu không phải bạn thực hiện, hãy đổi mật khẩu và gọi tổng đài hỗ trợ ngay."),
       Text("New device linked",
            f"A new device[[ ({{device_name}})]] was linked to your e-ID account{AT_EN}. "
            "If this was not you, change your password and call the help line at once.")),
    _t("device_unbound", 1, SECURITY,
       Text("Thiết bị đã bị hủy liên kết",
            "Thiết bị[[ {device_name}]] đã bị hủy liên kết khỏi tài khoản định danh điện tử của bạn"
            f"{AT_VI}. Nếu không phải bạn thực hiện, hãy gọi tổng đài hỗ trợ ngay."),
       Text("Device unlinked",
            f"The device[[ {{device_name}}]] was unlinked from your e-ID account{AT_EN}. "
            "If this was not you, call the help line at once.")),
    _t("account_disabled", 1, SECURITY,
       Text("Tài khoản đã bị khóa",
            "Tài khoản định danh điện tử của bạn đã bị khóa[[: {reason}]]. "
            "Vui lòng liên hệ bộ phận một cửa hoặc tổng đài hỗ trợ để được giúp đỡ."),
       Text("Account disabled",
            "Your e-ID account was disabled[[: {reason}]]. "
            "Please contact a one-stop-shop desk or the help line.")),
    _t("password_changed", 1, SECURITY,
       Text("Mật khẩu đã được thay đổi",
            f"Mật khẩu tài khoản định danh điện tử của bạn vừa được thay đổi{AT_VI}. "
            "Nếu không phải bạn thực hiện, hãy gọi tổng đài hỗ trợ ngay để khóa tài khoản."),
       Text("Password changed",
            f"The password of your e-ID account was changed{AT_EN}. "
            "If this was not you, call the help line at once to lock your account.")),
    _t("qr_login_approved", 1, SECURITY,
       Text("Đăng nhập bằng mã QR",
            f"Bạn vừa phê duyệt đăng nhập bằng mã QR[[ trên {{client_name}}]]{AT_VI}. "
            "Nếu không phải bạn, hãy kết thúc phiên đó trong mục Bảo mật và đổi mật khẩu."),
       Text("QR log-in approved",
            f"You approved a QR code log-in[[ on {{client_name}}]]{AT_EN}. "
            "If this was not you, end that session under Security and change your password.")),
    # --- Level 2 and device changes (identity/device_change.py, lost_device.py, in_person.py) ---
    _t("eid_activation_issued", 1, SECURITY,
       Text("Mã kích hoạt định danh mức 2",
            "Mã kích hoạt tài khoản định danh điện tử mức 2 đã được cấp trực tiếp cho bạn[[ tại {place}]]"
            "[[, có hiệu lực đến {expires_at|datetime}]]. Nếu bạn không đến cơ quan công an hoặc bộ phận "
            "một cửa, hãy gọi tổng đài hỗ trợ ngay."),
       Text("Level 2 activation code",
            "An activation code for your level-2 e-ID was handed over to you in person[[ at {place}]]"
            "[[, valid until {expires_at|datetime}]]. If you did not go to a desk, call the help line at once.")),
    _t("eid_reproofing_requested", 1, SECURITY,
       Text("Yêu cầu xác minh lại danh tính",
            f"Tổ công nghệ số cộng đồng đã mở yêu cầu xác minh lại danh tính cho bạn{AT_VI}. "
            "Chỉ cán bộ tại bàn tiếp nhận mới được phê duyệt."),
       Text("Identity re-proofing requested",
            f"A community digital-tech team member opened a re-proofing request for you{AT_EN}. "
            "Only an officer at a desk can authorise it.")),
    _t("eid_reproofing_authorised", 1, SECURITY,
       Text("Đã xác minh lại danh tính",
            f"Cán bộ đã xác minh trực tiếp danh tính của bạn và cấp mã để liên kết điện thoại mới{AT_VI}. "
            "Nếu không phải bạn, hãy gọi tổng đài hỗ trợ ngay."),
       Text("Identity re-proofed",
            f"An officer checked your identity in person and issued a code to link a new phone{AT_EN}. "
            "If this was not you, call the help line at once.")),
    _t("eid_device_change_pending", 1, SECURITY,
       Text("Yêu cầu đổi thiết bị đang chờ",
            "Điện thoại mới[[ ({device_name})]] sẽ thay thế thiết bị đang liên kết vào "
            "{effective_at|datetime}. Nếu không phải bạn, hãy hủy yêu cầu trên điện thoại đang liên kết "
            "hoặc đến bộ phận một cửa."),
       Text("Device change pending",
            "A new phone[[ ({device_name})]] will replace your bound device on {effective_at|datetime}. "
            "If this was not you, cancel it from your bound phone or go to a one-stop desk.")),
    _t("eid_device_change_reminder", 1, SECURITY,
       Text("Sắp đổi thiết bị liên kết",
            "Nhắc lại: điện thoại mới[[ ({device_name})]] sẽ thay thế thiết bị đang liên kết vào "
            "{effective_at|datetime}. Nếu không phải bạn, hãy hủy ngay."),
       Text("Device change soon",
            "Reminder: a new phone[[ ({device_name})]] replaces your bound device on {effective_at|datetime}. "
            "If this was not you, cancel it now.")),
    _t("eid_device_change_cancelled", 1, SECURITY,
       Text("Đã hủy đổi thiết bị",
            f"Yêu cầu liên kết điện thoại mới[[ ({{device_name}})]] đã bị hủy{AT_VI}."),
       Text("Device change cancelled",
            f"The request to link a new phone[[ ({{device_name}})]] was cancelled{AT_EN}.")),
    _t("eid_device_frozen", 1, SECURITY,
       Text("Thiết bị đã bị tạm khóa",
            f"Thiết bị[[ {{device_name}}]] được báo mất và đã bị tạm khóa{AT_VI}; định danh mức 2 tạm dừng. "
            "Để liên kết điện thoại mới, hãy đến công an hoặc bộ phận một cửa để xác minh lại."),
       Text("Device frozen",
            f"The device[[ {{device_name}}]] was reported lost and frozen{AT_EN}; level 2 is suspended. "
            "To link a new phone, go to the police or a one-stop desk to be re-proofed.")),
    _t("eid_device_unfrozen", 1, SECURITY,
       Text("Thiết bị đã được mở khóa",
            f"Thiết bị[[ {{device_name}}]] đã được mở khóa bằng chính thiết bị đó{AT_VI}."),
       Text("Device unfrozen",
            f"The device[[ {{device_name}}]] was unfrozen from the device itself{AT_EN}.")),
    _t("eid_password_reset", 1, SECURITY,
       Text("Mật khẩu đã được đặt lại bằng SMS",
            f"Mật khẩu tài khoản định danh điện tử của bạn vừa được đặt lại bằng mã SMS{AT_VI}. "
            "Thiết bị đang liên kết vẫn giữ nguyên. Nếu không phải bạn, hãy báo mất SIM với nhà mạng "
            "và gọi tổng đài hỗ trợ ngay."),
       Text("Password reset by SMS",
            f"The password of your e-ID account was reset with an SMS code{AT_EN}. Your bound device "
            "stays bound. If this was not you, report the SIM to your carrier and call the help line.")),
    _t("eid_registration_attempt", 1, SECURITY,
       Text("Có người đăng ký bằng thông tin của bạn",
            f"Có người vừa đăng ký tài khoản định danh điện tử bằng thông tin của bạn{AT_VI}, "
            "trong khi bạn đã có tài khoản. Không có mã nào được gửi. Nếu là bạn, hãy đăng nhập "
            "hoặc đặt lại mật khẩu."),
       Text("Someone registered with your details",
            f"Someone tried to register an e-ID account with your details{AT_EN}, but you already have "
            "one. No code was sent. If it was you, log in or reset your password.")),
    # --- Dossiers ---
    _t("dossier_submitted", 1, DOSSIER,
       Text("Đã nộp hồ sơ",
            "Hồ sơ {receipt_code}[[ ({procedure_name})]] đã được nộp thành công và đang chờ cơ quan tiếp nhận."),
       Text("Dossier submitted",
            "Your dossier {receipt_code}[[ ({procedure_name})]] was submitted and is waiting to be received.")),
    _t("dossier_received", 1, DOSSIER,
       Text("Hồ sơ đã được tiếp nhận",
            "Hồ sơ {receipt_code} đã được tiếp nhận[[. Ngày hẹn trả kết quả: {due_date|date}]]."),
       Text("Dossier received",
            "Your dossier {receipt_code} was received[[. The result is due on {due_date|date}]].")),
    _t("dossier_returned", 1, DOSSIER,
       Text("Hồ sơ bị trả lại",
            "Hồ sơ {receipt_code} đã bị trả lại[[: {reason}]]. Vui lòng xem chi tiết trên ứng dụng."),
       Text("Dossier returned",
            "Your dossier {receipt_code} was returned[[: {reason}]]. See the details in the app.")),
    _t("supplement_requested", 1, DOSSIER,
       Text("Yêu cầu bổ sung hồ sơ",
            "Hồ sơ {receipt_code} cần bổ sung giấy tờ[[: {reason}]][[. Hạn bổ sung: {deadline|date}]]. "
            "Vui lòng bổ sung trên ứng dụng để hồ sơ được tiếp tục xử lý."),
       Text("More documents needed",
            "Your dossier {receipt_code} needs more documents[[: {reason}]][[. Please add them by "
            "{deadline|date}]]. Add them in the app so that processing can continue."),
       important=True),
    # v2: a second (or later) request says the agency leader approved it
    _t("supplement_requested", 2, DOSSIER,
       Text("Yêu cầu bổ sung hồ sơ",
            "Hồ sơ {receipt_code} cần bổ sung giấy tờ[[: {reason}]][[. Hạn bổ sung: {deadline|date}]]. "
            "[[Đây là yêu cầu bổ sung lần {supplement_number}, đã được lãnh đạo cơ quan phê duyệt. ]]"
            "Vui lòng bổ sung trên ứng dụng để hồ sơ được tiếp tục xử lý."),
       Text("More documents needed",
            "Your dossier {receipt_code} needs more documents[[: {reason}]][[. Please add them by "
            "{deadline|date}]]. [[This is supplement request number {supplement_number}, approved by the "
            "agency's leader. ]]Add them in the app so that processing can continue."),
       important=True),
    _t("dossier_approved", 1, DOSSIER,
       Text("Hồ sơ đã được phê duyệt",
            "Hồ sơ {receipt_code} đã được phê duyệt. Bạn sẽ nhận được thông báo khi có kết quả."),
       Text("Dossier approved",
            "Your dossier {receipt_code} was approved. You will be told when the result is issued.")),
    _t("dossier_rejected", 1, DOSSIER,
       Text("Hồ sơ không được giải quyết", "Hồ sơ {receipt_code} không được giải quyết[[. Lý do: {reason}]]."),
       Text("Dossier rejected", "Your dossier {receipt_code} was rejected[[. Reason: {reason}]].")),
    _t("result_issued", 1, DOSSIER,
       Text("Đã có kết quả hồ sơ",
            "Đã có kết quả hồ sơ {receipt_code}. Bản điện tử được lưu trong Kho dữ liệu cá nhân trên ứng dụng."),
       Text("Result issued",
            "The result of your dossier {receipt_code} was issued. The digital copy is in your "
            "personal document store in the app."),
       important=True),
    _t("dossier_due_soon", 1, DOSSIER,
       Text("Hồ sơ sắp đến hạn", "Hồ sơ {receipt_code} sắp đến hạn trả kết quả[[ ngày {due_date|date}]]."),
       Text("Dossier due soon", "Dossier {receipt_code} is due soon[[, on {due_date|date}]].")),
    _t("dossier_overdue", 1, DOSSIER,
       Text("Hồ sơ quá hạn", "Hồ sơ {receipt_code} đã quá hạn trả kết quả[[ (hạn {due_date|date})]]."),
       Text("Dossier overdue", "Dossier {receipt_code} is past its due date[[ ({due_date|date})]].")),
    _t("bundle_progress", 1, DOSSIER,
       Text("Tiến độ hồ sơ liên thông",
            "Hồ sơ liên thông[[ {bundle_code}]]: [[đã hoàn thành {completed}/{total} thủ tục. ]]"
            "Xem chi tiết từng hồ sơ trên ứng dụng."),
       Text("Linked dossiers progress",
            "Linked dossiers[[ {bundle_code}]]: [[{completed} of {total} procedures done. ]]"
            "See each dossier in the app.")),
    # --- Payments ---
    _t("payment_succeeded", 1, PAYMENT,
       Text("Thanh toán thành công",
            "Bạn đã thanh toán {amount|vnd}[[ cho hồ sơ {receipt_code}]]. Biên lai điện tử có trên ứng dụng."),
       Text("Payment received",
            "You paid {amount|vnd}[[ for dossier {receipt_code}]]. The e-receipt is in the app.")),
    _t("payment_failed", 1, PAYMENT,
       Text("Thanh toán không thành công",
            "Thanh toán {amount|vnd}[[ cho hồ sơ {receipt_code}]] không thành công[[: {reason}]]. "
            "Vui lòng thanh toán lại trên ứng dụng."),
       Text("Payment failed",
            "Your payment of {amount|vnd}[[ for dossier {receipt_code}]] failed[[: {reason}]]. "
            "Please pay again in the app."),
       important=True),
    _t("payment_refunded", 1, PAYMENT,
       Text("Đã hoàn tiền", "Khoản thanh toán {amount|vnd}[[ cho hồ sơ {receipt_code}]] đã được hoàn lại cho bạn."),
       Text("Payment refunded", "Your payment of {amount|vnd}[[ for dossier {receipt_code}]] was refunded.")),
    # --- Community digital-tech teams ---
    _t("consent_requested", 1, ASSISTANCE,
       Text("Yêu cầu đồng ý hỗ trợ",
            "Thành viên Tổ công nghệ số cộng đồng[[ {assistant_name}]] đề nghị được hỗ trợ bạn thực hiện "
            "thủ tục trực tuyến. Mở ứng dụng để đồng ý hoặc từ chối."),
       Text("Consent requested",
            "Community digital-tech team member[[ {assistant_name}]] asks for your consent to help you "
            "with online procedures. Open the app to accept or decline.")),
    # The consent code is read aloud to the helper: the text says who asks, for what, for how long
    _t("assistance_consent_code", 1, OTP,
       Text("Mã đồng ý cho người hỗ trợ",
            "{assistant_name} (Tổ công nghệ số cộng đồng) xin phép giúp bạn: {what}, trong {duration}. "
            "Nếu đồng ý, hãy đọc mã {code} cho người giúp. Không đọc bất kỳ mã nào khác. "
            "Nếu không đồng ý, hãy bỏ qua tin này."),
       Text("Consent code for your helper",
            "{assistant_name} (community digital-tech team) asks to help you: {what}, for {duration}. "
            "If you agree, read the code {code} to them. Never read out any other code. "
            "If you do not agree, ignore this message."),
       urgent=True, ttl=timedelta(minutes=10), only=("sms",)),
    _t("assistance_account_registered", 1, ASSISTANCE,
       Text("Tài khoản định danh điện tử đã được đăng ký",
            "Tài khoản định danh điện tử của bạn đã được đăng ký với sự hỗ trợ của Tổ công nghệ số cộng đồng. "
            "Để kích hoạt, hãy mở ứng dụng Smart Province, chọn Đăng ký với số định danh và số điện thoại này "
            "rồi tự đặt mật khẩu. Không cho ai biết mật khẩu, kể cả người hỗ trợ."),
       Text("E-ID account registered",
            "Your e-ID account was registered with the help of a community digital-tech team. To activate it, "
            "open the Smart Province app, choose Register with this personal id and phone, and choose your "
            "own password. Never tell your password to anyone, helpers included."),
       only=("sms",)),
    _t("assistance_payment_link", 1, PAYMENT,
       Text("Liên kết thanh toán lệ phí",
            "Người hỗ trợ đã tạo thanh toán lệ phí {amount|vnd} cho hồ sơ {receipt_code}. Mở liên kết sau để "
            "tự thanh toán trong {minutes} phút: {url} . Không đưa tiền mặt cho người hỗ trợ."),
       Text("Link to pay your fee",
            "Your helper started the payment of the {amount|vnd} fee for dossier {receipt_code}. Open this link "
            "to pay it yourself within {minutes} minutes: {url} . Never hand cash to the helper."),
       urgent=True, ttl=timedelta(minutes=30), only=("sms",)),
    # -- service quality: complaints, apologies, stalled dossiers --------------------------------
    _t("complaint_filed", 1, DOSSIER,
       Text("Đã nhận phản ánh, kiến nghị", "Phản ánh {reference} \"{subject}\" đã được tiếp nhận và chuyển đến "
            "cơ quan giải quyết. Hạn trả lời: {due_date|date}."),
       Text("Complaint received", "Your complaint {reference} \"{subject}\" was received and sent to the agency. "
            "It must be answered by {due_date|date}.")),
    _t("complaint_accepted", 1, DOSSIER,
       Text("Phản ánh đang được xử lý", "Phản ánh {reference} đã được cơ quan tiếp nhận xử lý.[[ {note}]]"),
       Text("Complaint being handled", "The agency is handling your complaint {reference}.[[ {note}]]")),
    _t("complaint_refused", 1, DOSSIER,
       Text("Phản ánh không được xử lý", "Phản ánh {reference} không thuộc phạm vi xử lý: {note}"),
       Text("Complaint not handled", "Your complaint {reference} will not be handled: {note}"), important=True),
    _t("complaint_info_requested", 1, DOSSIER,
       Text("Cần bổ sung thông tin phản ánh", "Phản ánh {reference} cần thêm thông tin: {note}"),
       Text("More information needed", "Your complaint {reference} needs more information: {note}"),
       important=True),
    _t("complaint_answered", 1, DOSSIER,
       Text("Phản ánh đã được trả lời", "Phản ánh {reference} đã được trả lời: {note}"),
       Text("Complaint answered", "Your complaint {reference} was answered: {note}"), important=True),
    _t("complaint_overdue", 1, DOSSIER,
       Text("Phản ánh quá hạn", "Phản ánh {reference} quá hạn trả lời ({due_date|date}) {days_late} ngày làm việc."),
       Text("Complaint overdue", "Complaint {reference} is {days_late} working days past its deadline "
            "({due_date|date}).")),
    _t("dossier_apology", 1, DOSSIER,
       Text("Xin lỗi vì hồ sơ trễ hạn", "Hồ sơ {receipt_code} ({procedure_name}) không kịp trả kết quả ngày "
            "{due_date|date}. Cơ quan xin lỗi và hẹn trả kết quả ngày {new_date|date}. Xem thư xin lỗi trong ứng dụng."),
       Text("Apology for a late dossier", "Your dossier {receipt_code} ({procedure_name}) missed its date "
            "{due_date|date}. The agency apologises; the new date is {new_date|date}. The letter is in the app."),
       important=True),
    _t("dossier_stalled", 1, DOSSIER,
       Text("Hồ sơ chậm xử lý", "Hồ sơ {receipt_code} ở trạng thái {status} đã {hours} giờ làm việc "
            "(giới hạn {limit} giờ)."),
       Text("Dossier stalled", "Dossier {receipt_code} has been {status} for {hours} working hours "
            "(limit {limit}).")),

    # --- Citizen reports (phản ánh hiện trường): the reporter and every "me too" ---
    _t("report_received", 1, REPORT,
       Text("Đã tiếp nhận phản ánh",
            "Phản ánh {reference} ({category_name}) đã được chuyển đến cơ quan có thẩm quyền"
            "[[, hạn xử lý {due_date|date}]]."),
       Text("Report received",
            "Your report {reference} ({category_name}) was sent to the agency that must act"
            "[[; it is due by {due_date|date}]].")),
    _t("report_routed", 1, REPORT,
       Text("Phản ánh được chuyển cơ quan xử lý",
            "Phản ánh {reference} đã được chuyển đến cơ quan xử lý khác[[: {reason}]]."),
       Text("Report sent to another agency",
            "Your report {reference} was sent to another agency[[: {reason}]].")),
    _t("report_refused", 1, REPORT,
       Text("Phản ánh không được xử lý",
            "Phản ánh {reference} không được tiếp nhận xử lý: {reason}."),
       Text("Report not taken up",
            "Your report {reference} was not taken up: {reason}.")),
    _t("report_merged", 1, REPORT,
       Text("Phản ánh được gộp",
            "Phản ánh {reference} trùng với phản ánh {target_reference} và đã được gộp; "
            "bạn sẽ nhận thông báo về phản ánh đó."),
       Text("Report merged",
            "Your report {reference} duplicates report {target_reference} and was merged into it; "
            "you will be told how that one goes.")),
    _t("report_in_progress", 1, REPORT,
       Text("Phản ánh đang được xử lý",
            "Cơ quan có thẩm quyền đang xử lý phản ánh {reference}[[, hạn xử lý {due_date|date}]]."),
       Text("Report in progress",
            "The agency is working on report {reference}[[; it is due by {due_date|date}]].")),
    _t("report_progress", 1, REPORT,
       Text("Cập nhật xử lý phản ánh", "Phản ánh {reference}: {reason}"),
       Text("Report update", "Report {reference}: {reason}")),
    _t("report_resolved", 1, REPORT,
       Text("Phản ánh đã được xử lý",
            "Phản ánh {reference} đã được xử lý: {reason}. Trong 7 ngày, bạn có thể đánh giá "
            "hoặc mở lại phản ánh nếu chưa hài lòng."),
       Text("Report resolved",
            "Report {reference} was resolved: {reason}. Within 7 days you may rate the result "
            "or reopen the report if it is not fixed."), important=True),
    _t("report_reopened", 1, REPORT,
       Text("Phản ánh được mở lại", "Phản ánh {reference} đã được mở lại: {reason}."),
       Text("Report reopened", "Report {reference} was reopened: {reason}.")),
    _t("report_escalated", 1, REPORT,
       Text("Phản ánh quá hạn xử lý",
            "Phản ánh {reference} ({category_name}) đã quá hạn xử lý (mức {level}). Đề nghị chỉ đạo xử lý."),
       Text("Report overdue",
            "Report {reference} ({category_name}) is overdue (level {level}). Please see that it is handled."),
       important=True),
)


def _index(templates) -> dict[str, dict[int, Template]]:
    by_event: dict[str, dict[int, Template]] = {}
    for template in templates:
        versions = by_event.setdefault(template.event, {})
        if template.version in versions:
            raise ValueError(f"{template.event} version {template.version} is defined twice")
        versions[template.version] = template
    return by_event


TEMPLATES = _index(ALL_TEMPLATES)
EVENTS = tuple(TEMPLATES)


def current(event: str) -> Template:
    """The latest version of `event`'s template."""
    versions = TEMPLATES.get(event)
    if not versions:
        raise UnknownEvent(f"no template for event {event!r}")
    return versions[max(versions)]


def version(event: str, number: int) -> Template:
    """A given version (to show exactly what an older message said)."""
    try:
        return TEMPLATES[event][number]
    except KeyError:
        raise UnknownEvent(f"no template {event!r} version {number}") from None
