"""E-receipts (biên lai điện tử): issued when a payment settles, voided by its refund.

Each receipt has a number printed on it and an unguessable verification code;
anyone holding the code (typed, or scanned from the QR printed on the PDF) can
check on a public endpoint that the receipt is genuine and still valid.
"""
import io
import secrets
from datetime import datetime

import font_roboto
import qrcode
from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from app.common.clock import VIETNAM, utcnow
from app.errors import NotFound
from app.extensions import db
from app.identity.models import Account
from app.payments.errors import ReceiptNotFound
from app.payments.models import RECEIPT_VALID, RECEIPT_VOID, Payment, Receipt
from app.payments.settings import settings

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I: read aloud and typed
GATEWAY_NAMES = {"vnpay": "VNPay", "momo": "Ví MoMo", "paygov": "PayGov"}


def _code(length: int) -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


def issue_receipt(payment: Payment) -> Receipt:
    """Creates the receipt of a payment that just settled (caller's transaction)."""
    with db.session.no_autoflush:
        payer = db.session.get(Account, payment.account_id)
    paid_at = payment.paid_at or utcnow()
    receipt = Receipt(
        payment_id=payment.id,
        number=f"BL{paid_at.astimezone(VIETNAM):%y%m%d}-{_code(8)}",
        verification_code=_code(12),
        payer_name=payer.full_name if payer else "",
        procedure_code=payment.procedure_code,
        procedure_name=payment.procedure_name,
        dossier_receipt_code=payment.dossier_receipt_code,
        amount=payment.amount,
        gateway=payment.gateway,
        gateway_transaction_no=payment.gateway_transaction_no,
        paid_at=paid_at,
        status=RECEIPT_VALID,
    )
    db.session.add(receipt)
    # a payment that just settled had no receipt: record the new one as loaded, without looking it up
    set_committed_value(payment, "receipt", receipt)
    set_committed_value(receipt, "payment", payment)
    return receipt


def void_receipt(receipt: Receipt | None) -> None:
    if receipt is not None and receipt.status == RECEIPT_VALID:
        receipt.status, receipt.voided_at = RECEIPT_VOID, utcnow()


def verify_url(receipt: Receipt) -> str:
    return f"{settings().public_url}/api/v1/payments/receipts/verify/{receipt.verification_code}"


def find_by_code(code: str) -> Receipt:
    """The receipt with this verification code (case-insensitive), or NotFound."""
    receipt = db.session.scalar(select(Receipt).where(Receipt.verification_code == code.strip().upper()))
    if receipt is None:
        raise ReceiptNotFound()
    return receipt


def masked_name(name: str) -> str:
    """`Nguyễn Văn An` -> `N. V. An`: enough to recognise, not to read out."""
    parts = name.split()
    if len(parts) < 2:
        return name[:1] + "." if name else ""
    return " ".join([p[0] + "." for p in parts[:-1]] + [parts[-1]])


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " ₫"


def local_time(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%H:%M:%S %d/%m/%Y")


def render_pdf(receipt: Receipt) -> bytes:
    """The receipt as a one-page A5 PDF, in Vietnamese, with a QR code to verify it."""
    pdf = FPDF(format=(148, 210))   # A5, in mm
    pdf.set_title(f"Biên lai {receipt.number}")
    pdf.set_creator("Smart Province")
    pdf.set_creation_date(receipt.created_at or utcnow())
    pdf.add_font("Roboto", "", font_roboto.Roboto)
    pdf.add_font("Roboto", "B", font_roboto.RobotoBold)
    pdf.add_page()
    pdf.set_font("Roboto", "B", 14)
    pdf.cell(0, 8, "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "", 9)
    pdf.cell(0, 5, "(Electronic fee receipt)", align="C", new_x="LMARGIN", new_y="NEXT")
    if receipt.status == RECEIPT_VOID:
        pdf.set_text_color(200, 0, 0)
        pdf.set_font("Roboto", "B", 11)
        pdf.cell(0, 7, "ĐÃ HỦY – ĐÃ HOÀN TIỀN (VOID – REFUNDED)", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    rows = [
        ("Số biên lai", receipt.number),
        ("Người nộp", receipt.payer_name),
        ("Thủ tục", f"{receipt.procedure_name} ({receipt.procedure_code})"),
        ("Mã hồ sơ", receipt.dossier_receipt_code),
        ("Số tiền", vnd(receipt.amount)),
        ("Thời gian", local_time(receipt.paid_at)),
        ("Cổng thanh toán", GATEWAY_NAMES.get(receipt.gateway, receipt.gateway)),
        ("Mã giao dịch", receipt.gateway_transaction_no or "—"),
        ("Mã xác thực", receipt.verification_code),
    ]
    for label, value in rows:
        pdf.set_font("Roboto", "B", 9)
        pdf.cell(32, 6, label)
        pdf.set_font("Roboto", "", 9)
        pdf.multi_cell(0, 6, str(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    url = verify_url(receipt)
    image = qrcode.make(url, box_size=4, border=2).get_image()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    pdf.image(buffer, x=pdf.l_margin, w=30, h=30)
    pdf.set_font("Roboto", "", 7)
    pdf.multi_cell(0, 4, f"Quét mã QR hoặc mở {url} để kiểm tra biên lai.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
