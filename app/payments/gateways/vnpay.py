"""VNPay payment gateway, API version 2.1.0.

- Payment URL: the vnp_* parameters VNPay documents, the amount multiplied by
  100, times as yyyyMMddHHmmss in GMT+7, order info without diacritics, signed
  with HMAC-SHA512 over the parameters sorted by name, each key and value
  URL-encoded with `quote_plus` and joined with `&`, exactly as VNPay's own
  Python sample builds it. `vnp_SecureHash` (lowercase hex) is appended last;
  `vnp_SecureHash` and `vnp_SecureHashType` are never part of the signed data.
- IPN and return URL: the same signature over every received vnp_* field.
  The IPN is answered `{"RspCode", "Message"}` with 97, 01, 04, 02 or 00.
- querydr and refund (merchant_webapi): JSON bodies whose vnp_SecureHash is
  HMAC-SHA512 over the documented fields joined with `|`; the answers carry a
  signature over their own documented fields, which is checked.

`PayGov` reuses this protocol (redirect + signed notification) with its own
merchant code, secret and URLs.
"""
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote_plus

from app.common.clock import VIETNAM, utcnow
from app.payments.gateways.base import (
    Checkout, Gateway, GatewayRejected, GatewayUnavailable, InvalidSignature, IpnAnswer, IpnVerdict,
    Notification, Order, Outcome, PaymentRef, QueryResult, RefundResult,
)
from app.payments.http import send

VERSION = "2.1.0"
SIGNATURE_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")

QUERY_REQUEST_FIELDS = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
                        "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
QUERY_RESPONSE_FIELDS = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                         "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                         "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo",
                         "vnp_PromotionCode", "vnp_PromotionAmount")
REFUND_REQUEST_FIELDS = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType",
                         "vnp_TxnRef", "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate",
                         "vnp_CreateBy", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
REFUND_RESPONSE_FIELDS = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                          "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                          "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo")

IPN_ANSWERS = {
    IpnVerdict.CONFIRMED: ("00", "Confirm Success"),
    IpnVerdict.ALREADY_CONFIRMED: ("02", "Order already confirmed"),
    IpnVerdict.ORDER_NOT_FOUND: ("01", "Order not found"),
    IpnVerdict.INVALID_AMOUNT: ("04", "Invalid amount"),
    IpnVerdict.INVALID_SIGNATURE: ("97", "Invalid Checksum"),
    IpnVerdict.UNKNOWN_ERROR: ("99", "Unknow error"),
}

FULL_REFUND = "02"
# vnp_TransactionStatus values meaning the money was taken (05/06: a refund is under way)
PAID_STATUSES = {"00", "05", "06"}
RETRYABLE_REFUND_CODES = {"94", "99"}


# --- signing -----------------------------------------------------------------

def canonical_query(params: Mapping[str, object]) -> str:
    """`key=value` pairs sorted by key, both `quote_plus`-encoded, joined with `&`."""
    return "&".join(f"{quote_plus(str(key))}={quote_plus(str(value))}" for key, value in sorted(params.items()))


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode("utf-8"), data.encode("utf-8"), hashlib.sha512).hexdigest()


def sign_params(params: Mapping[str, object], secret: str) -> str:
    """vnp_SecureHash of payment-URL, IPN or return-URL parameters."""
    signed = {k: v for k, v in params.items() if k not in SIGNATURE_FIELDS}
    return hmac_sha512(secret, canonical_query(signed))


def verify_params(params: Mapping[str, str], secret: str) -> bool:
    """Checks vnp_SecureHash over every vnp_* field received (any case of hex)."""
    received = str(params.get("vnp_SecureHash", "")).lower()
    fields = {k: v for k, v in params.items() if k.startswith("vnp_")}
    return bool(received) and hmac.compare_digest(sign_params(fields, secret).encode(), received.encode())


def pipe_hash(values: Mapping[str, object], names: tuple[str, ...], secret: str) -> str:
    """merchant_webapi signature: the named fields' values joined with `|` (missing ones empty)."""
    data = "|".join("" if values.get(name) is None else str(values.get(name)) for name in names)
    return hmac_sha512(secret, data)


# --- formats -----------------------------------------------------------------

def vnpay_time(moment: datetime) -> str:
    """yyyyMMddHHmmss in GMT+7."""
    return moment.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


def parse_vnpay_time(value: str | None) -> datetime | None:
    if not value or not re.fullmatch(r"\d{14}", str(value)):
        return None
    try:
        return datetime.strptime(str(value), "%Y%m%d%H%M%S").replace(tzinfo=VIETNAM)
    except ValueError:
        return None


def without_diacritics(text: str) -> str:
    """Vietnamese text as plain ASCII letters, digits and spaces (what VNPay accepts in vnp_OrderInfo)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", re.sub(r"[^A-Za-z0-9 ]", " ", ascii_only)).strip()[:255]


def parse_amount(value) -> int | None:
    """VND from VNPay's amount x 100; None when malformed."""
    text = str(value or "")
    if not text.isdigit() or int(text) % 100:
        return None
    return int(text) // 100


def outcome_of(response_code: str, transaction_status: str | None) -> Outcome:
    if response_code == "00" and transaction_status in (None, "00"):
        return Outcome.SUCCEEDED
    if response_code == "24":
        return Outcome.CANCELLED
    if response_code == "11":
        return Outcome.EXPIRED
    return Outcome.FAILED


class VNPay(Gateway):
    name = "vnpay"
    ipn_method = "GET"          # the IPN's vnp_* fields come in the query string

    def __init__(self, *, pay_url: str, api_url: str, tmn_code: str, hash_secret: str, server_ip: str = "127.0.0.1"):
        self.pay_url = pay_url
        self.api_url = api_url
        self.tmn_code = tmn_code
        self.secret = hash_secret
        self.server_ip = server_ip

    # Payment URL
    def payment_params(self, order: Order) -> dict[str, str]:
        return {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(order.amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": order.txn_ref,
            "vnp_OrderInfo": without_diacritics(order.order_info),
            "vnp_OrderType": "other",
            "vnp_Locale": "en" if order.locale == "en" else "vn",
            "vnp_ReturnUrl": order.return_url,
            "vnp_IpAddr": order.client_ip or self.server_ip,
            "vnp_CreateDate": vnpay_time(order.created_at),
            "vnp_ExpireDate": vnpay_time(order.expires_at),
        }

    def checkout(self, order: Order) -> Checkout:
        params = self.payment_params(order)
        query = canonical_query(params)
        return Checkout(f"{self.pay_url}?{query}&vnp_SecureHash={hmac_sha512(self.secret, query)}")

    # IPN and return URL
    def parse_callback(self, params: Mapping[str, str]) -> Notification:
        if not verify_params(params, self.secret) or params.get("vnp_TmnCode") != self.tmn_code:
            raise InvalidSignature(self.name)
        code = str(params.get("vnp_ResponseCode", ""))
        return Notification(
            txn_ref=str(params.get("vnp_TxnRef", "")),
            amount=parse_amount(params.get("vnp_Amount")),
            outcome=outcome_of(code, params.get("vnp_TransactionStatus")),
            result_code=code,
            transaction_no=params.get("vnp_TransactionNo") or None,
            bank_code=params.get("vnp_BankCode") or None,
            paid_at=parse_vnpay_time(params.get("vnp_PayDate")),
            raw=dict(params),
        )

    def ipn_answer(self, verdict: IpnVerdict) -> IpnAnswer:
        code, message = IPN_ANSWERS[verdict]
        return IpnAnswer(200, {"RspCode": code, "Message": message})

    # merchant_webapi: querydr and refund
    def query(self, ref: PaymentRef, request_id: str) -> QueryResult:
        body = {
            "vnp_RequestId": request_id,
            "vnp_Version": VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": ref.txn_ref,
            "vnp_OrderInfo": without_diacritics(f"Truy van giao dich {ref.txn_ref}"),
            "vnp_TransactionDate": vnpay_time(ref.created_at),
            "vnp_CreateDate": vnpay_time(utcnow()),
            "vnp_IpAddr": self.server_ip,
        }
        if ref.transaction_no:
            body["vnp_TransactionNo"] = ref.transaction_no
        body["vnp_SecureHash"] = pipe_hash(body, QUERY_REQUEST_FIELDS, self.secret)
        answer = self._post(body, QUERY_RESPONSE_FIELDS)
        code = str(answer.get("vnp_ResponseCode", ""))
        if code == "91":
            return QueryResult(Outcome.NOT_FOUND, result_code=code)
        if code != "00":
            raise GatewayRejected(code, str(answer.get("vnp_Message", "")))
        status = str(answer.get("vnp_TransactionStatus", ""))
        if status in PAID_STATUSES:
            outcome = Outcome.SUCCEEDED
        elif status in ("01", "07"):   # not finished yet, or held as suspected fraud
            outcome = Outcome.PENDING
        else:
            outcome = Outcome.FAILED
        return QueryResult(
            outcome=outcome, amount=parse_amount(answer.get("vnp_Amount")), result_code=status,
            transaction_no=str(answer.get("vnp_TransactionNo") or "") or None,
            bank_code=answer.get("vnp_BankCode") or None, paid_at=parse_vnpay_time(answer.get("vnp_PayDate")),
        )

    def refund(self, ref: PaymentRef, *, request_id: str, amount: int, reason: str) -> RefundResult:
        body = {
            "vnp_RequestId": request_id,
            "vnp_Version": VERSION,
            "vnp_Command": "refund",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TransactionType": FULL_REFUND,
            "vnp_TxnRef": ref.txn_ref,
            "vnp_Amount": str(amount * 100),
            "vnp_OrderInfo": without_diacritics(f"Hoan phi giao dich {ref.txn_ref} {reason}"),
            "vnp_TransactionNo": ref.transaction_no or "0",
            "vnp_TransactionDate": vnpay_time(ref.created_at),
            "vnp_CreateBy": "smart-province",
            "vnp_CreateDate": vnpay_time(utcnow()),
            "vnp_IpAddr": self.server_ip,
        }
        body["vnp_SecureHash"] = pipe_hash(body, REFUND_REQUEST_FIELDS, self.secret)
        answer = self._post(body, REFUND_RESPONSE_FIELDS)
        code = str(answer.get("vnp_ResponseCode", ""))
        return RefundResult(
            succeeded=code == "00", retryable=code in RETRYABLE_REFUND_CODES, result_code=code,
            message=str(answer.get("vnp_Message", "")),
            refund_no=str(answer.get("vnp_TransactionNo") or "") or None,
        )

    def _post(self, body: dict, response_fields: tuple[str, ...]) -> dict:
        response = send("POST", self.api_url, json_body=body)
        if response.status != 200:
            raise GatewayRejected(str(response.status), "merchant_webapi refused the request")
        answer = response.json()
        if not isinstance(answer, dict):
            raise GatewayUnavailable("merchant_webapi answer is not an object")
        signature = str(answer.get("vnp_SecureHash", "")).lower()
        if signature and not hmac.compare_digest(pipe_hash(answer, response_fields, self.secret).encode(),
                                                  signature.encode()):
            raise GatewayUnavailable("merchant_webapi answer signature does not verify")
        # Error answers about the request itself may come unsigned; a success never does
        if not signature and answer.get("vnp_ResponseCode") == "00":
            raise GatewayUnavailable("merchant_webapi success answer is not signed")
        return answer


def new_request_id() -> str:
    """vnp_RequestId: unique per merchant_webapi request."""
    return secrets.token_hex(16)
