"""The page a payer's browser lands on after the gateway: paid, cancelled or failed, and a way back."""
from html import escape

from app.common.pages import link, page

TEXT = {
    "vi": {"title": "Kết quả thanh toán", "back": "Quay lại ứng dụng",
           "succeeded": "Thanh toán thành công", "cancelled": "Bạn đã hủy giao dịch",
           "failed": "Thanh toán không thành công", "expired": "Giao dịch đã hết hạn",
           "pending": "Giao dịch đang được xử lý", "not_found": "Cổng thanh toán không tìm thấy giao dịch",
           "amount": "Số tiền", "settled": "Biên lai điện tử đã được gửi vào ứng dụng.",
           "waiting": "Hệ thống đang chờ xác nhận từ cổng thanh toán; trạng thái sẽ cập nhật trong ứng dụng."},
    "en": {"title": "Payment result", "back": "Back to the app",
           "succeeded": "Payment successful", "cancelled": "You cancelled the payment",
           "failed": "The payment did not go through", "expired": "The payment expired",
           "pending": "The payment is being processed", "not_found": "The gateway does not know this payment",
           "amount": "Amount", "settled": "The e-receipt is in the app.",
           "waiting": "Waiting for the gateway's confirmation; the app will show the outcome."},
}


def render(outcome: dict, *, locale: str, back_url: str) -> str:
    """`outcome` is what the return URL answers an app (payments.service.read_return)."""
    text = TEXT.get(locale, TEXT["vi"])
    said = outcome["gateway_outcome"]
    amount = f"{outcome['amount']:,}".replace(",", "." if locale == "vi" else ",")
    note = text["settled"] if outcome["status"] == "succeeded" else (text["waiting"] if said == "succeeded" else "")
    body = (f'<h1 class="{"ok" if said == "succeeded" else "ko"}" data-outcome="{escape(said)}">'
            f"{escape(text.get(said, said))}</h1>"
            f"<p>{escape(text['amount'])}: <strong>{amount} ₫</strong></p>"
            + (f"<p>{escape(note)}</p>" if note else "")
            + f"<p>{link(back_url, text['back'])}</p>")
    return page(text["title"], body, locale)
