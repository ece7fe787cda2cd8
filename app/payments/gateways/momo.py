"""MoMo all-in-one payment gateway (API v2: /v2/gateway/api/...).

Every message is signed with HMAC-SHA256 (lowercase hex) over a raw string of
`key=value` pairs in MoMo's fixed order (the field names sorted a-z), values
not URL-encoded, joined with `&`:

- create: accessKey, amount, extraData, ipnUrl, orderId, orderInfo, partnerCode,
  redirectUrl, requestId, requestType;
- IPN and redirect: accessKey, amount, extraData, message, orderId, orderInfo,
  orderType, partnerCode, payType, requestId, responseTime, resultCode, transId;
- query: accessKey, orderId, partnerCode, requestId;
- refund: accessKey, amount, description, orderId, partnerCode, requestId, transId.

The IPN is a JSON POST answered with HTTP 204 No Content once handled
(MoMo's documented answer); a refusal gets a 4xx (or 503) in the API's error
envelope, so the notification is retried.
"""
import hashlib
import hmac
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from app.payments.gateways.base import (
    Checkout, Gateway, GatewayRejected, GatewayUnavailable, InvalidSignature, IpnAnswer, IpnVerdict,
    Notification, Order, Outcome, PaymentRef, QueryResult, RefundResult,
)
from app.payments.errors import IpnAmountRefused, IpnNotApplied, IpnSignatureRefused, PaymentNotFound
from app.payments.http import send

CREATE_FIELDS = ("accessKey", "amount", "extraData", "ipnUrl", "orderId", "orderInfo", "partnerCode",
                 "redirectUrl", "requestId", "requestType")
RESULT_FIELDS = ("accessKey", "amount", "extraData", "message", "orderId", "orderInfo", "orderType",
                 "partnerCode", "payType", "requestId", "responseTime", "resultCode", "transId")
QUERY_FIELDS = ("accessKey", "orderId", "partnerCode", "requestId")
REFUND_FIELDS = ("accessKey", "amount", "description", "orderId", "partnerCode", "requestId", "transId")

REQUEST_TYPE = "captureWallet"
SUCCESS_CODES = {0, 9000}            # 9000: authorised; with autoCapture the capture follows by itself
PENDING_CODES = {1000, 7000, 7002, 8000}
CANCELLED_CODES = {1003, 1006}       # cancelled by the merchant / refused by the user
EXPIRED_CODES = {1005}
NOT_FOUND_CODES = {42}
RETRYABLE_CODES = {10, 40, 99, 1000, 7000, 7002}

# How a refused IPN is answered: the error's class gives the status and the envelope's code
IPN_REFUSALS = {
    IpnVerdict.INVALID_SIGNATURE: IpnSignatureRefused,     # 400
    IpnVerdict.INVALID_AMOUNT: IpnAmountRefused,           # 400
    IpnVerdict.ORDER_NOT_FOUND: PaymentNotFound,           # 404
    IpnVerdict.UNKNOWN_ERROR: IpnNotApplied,               # 503
}


def raw_signature(values: Mapping[str, object], names: tuple[str, ...]) -> str:
    """`name=value&...` in the given order; missing values are empty."""
    return "&".join(f"{name}={'' if values.get(name) is None else values.get(name)}" for name in names)


def hmac_sha256(secret: str, data: str) -> str:
    return hmac.new(secret.encode("utf-8"), data.encode("utf-8"), hashlib.sha256).hexdigest()


def outcome_of(result_code: int) -> Outcome:
    if result_code in SUCCESS_CODES:
        return Outcome.SUCCEEDED
    if result_code in PENDING_CODES:
        return Outcome.PENDING
    if result_code in CANCELLED_CODES:
        return Outcome.CANCELLED
    if result_code in EXPIRED_CODES:
        return Outcome.EXPIRED
    if result_code in NOT_FOUND_CODES:
        return Outcome.NOT_FOUND
    return Outcome.FAILED


def _int(value) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.lstrip("-").isdigit() else None


def _from_millis(value) -> datetime | None:
    millis = _int(value)
    return datetime.fromtimestamp(millis / 1000, UTC) if millis else None


class MoMo(Gateway):
    name = "momo"
    ipn_method = "POST"

    @staticmethod
    def ipn_fields(request) -> dict:
        """The IPN is a JSON object in the body; anything else has no fields (and no signature)."""
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {}

    def __init__(self, *, endpoint: str, partner_code: str, access_key: str, secret_key: str):
        self.endpoint = endpoint.rstrip("/")
        self.partner_code = partner_code
        self.access_key = access_key
        self.secret = secret_key

    def sign(self, values: Mapping[str, object], names: tuple[str, ...]) -> str:
        return hmac_sha256(self.secret, raw_signature({**values, "accessKey": self.access_key}, names))

    def create_request(self, order: Order, request_id: str) -> dict:
        body = {
            "partnerCode": self.partner_code,
            "requestId": request_id,
            "amount": order.amount,
            "orderId": order.txn_ref,
            "orderInfo": order.order_info,
            "redirectUrl": order.return_url,
            "ipnUrl": order.ipn_url,
            "requestType": REQUEST_TYPE,
            "extraData": "",
            "autoCapture": True,
            "lang": "en" if order.locale == "en" else "vi",
            # minutes the payUrl stays payable (not signed): ends with the payment's own expiry
            "orderExpireTime": max(1, int((order.expires_at - order.created_at).total_seconds() // 60)),
        }
        body["signature"] = self.sign(body, CREATE_FIELDS)
        return body

    def checkout(self, order: Order) -> Checkout:
        request_id = str(uuid.uuid4())
        answer = self._post("/v2/gateway/api/create", self.create_request(order, request_id))
        code = _int(answer.get("resultCode"))
        if code != 0 or not answer.get("payUrl"):
            raise GatewayRejected(str(answer.get("resultCode")), str(answer.get("message", "")))
        return Checkout(str(answer["payUrl"]), request_id)

    def parse_callback(self, params: Mapping[str, str]) -> Notification:
        received = str(params.get("signature", "")).lower()
        expected = self.sign(params, RESULT_FIELDS)
        if not received or not hmac.compare_digest(expected.encode(), received.encode()) or \
                str(params.get("partnerCode")) != self.partner_code:
            raise InvalidSignature(self.name)
        code = _int(params.get("resultCode"))
        trans_id = str(params.get("transId") or "")
        return Notification(
            txn_ref=str(params.get("orderId", "")),
            amount=_int(params.get("amount")),
            outcome=outcome_of(code if code is not None else -1),
            result_code=str(params.get("resultCode", "")),
            transaction_no=trans_id if trans_id not in ("", "0") else None,
            bank_code=str(params.get("payType") or "") or None,
            paid_at=_from_millis(params.get("responseTime")),
            raw={k: str(v) for k, v in params.items()},
        )

    def ipn_answer(self, verdict: IpnVerdict) -> IpnAnswer:
        if verdict in (IpnVerdict.CONFIRMED, IpnVerdict.ALREADY_CONFIRMED):
            return IpnAnswer(204)
        refusal = IPN_REFUSALS[verdict]
        return IpnAnswer(refusal.status, refusal=refusal)

    def query(self, ref: PaymentRef, request_id: str) -> QueryResult:
        body = {"partnerCode": self.partner_code, "requestId": request_id, "orderId": ref.txn_ref, "lang": "en"}
        body["signature"] = self.sign(body, QUERY_FIELDS)
        answer = self._post("/v2/gateway/api/query", body)
        code = _int(answer.get("resultCode"))
        if code is None or code in (11, 12, 13, 20, 21, 22, 40, 41):
            raise GatewayRejected(str(answer.get("resultCode")), str(answer.get("message", "")))
        trans_id = str(answer.get("transId") or "")
        return QueryResult(
            outcome=outcome_of(code), amount=_int(answer.get("amount")), result_code=str(code),
            transaction_no=trans_id if trans_id not in ("", "0") else None,
            bank_code=str(answer.get("payType") or "") or None,
            paid_at=_from_millis(answer.get("lastUpdated") or answer.get("responseTime")),
        )

    def refund(self, ref: PaymentRef, *, request_id: str, amount: int, reason: str) -> RefundResult:
        body = {
            "partnerCode": self.partner_code,
            # A refund is a new MoMo order; its id derives from the request id so retries reuse it
            "orderId": f"RF{request_id.replace('-', '')[:30]}",
            "requestId": request_id,
            "amount": amount,
            "transId": int(ref.transaction_no or 0),
            "lang": "en",
            "description": f"Refund {ref.txn_ref}: {reason}",
        }
        body["signature"] = self.sign(body, REFUND_FIELDS)
        answer = self._post("/v2/gateway/api/refund", body)
        code = _int(answer.get("resultCode"))
        return RefundResult(
            succeeded=code == 0, retryable=code in RETRYABLE_CODES or code is None,
            result_code=str(answer.get("resultCode", "")), message=str(answer.get("message", "")),
            refund_no=str(answer.get("transId") or "") or None,
        )

    def _post(self, path: str, body: dict) -> dict:
        response = send("POST", f"{self.endpoint}{path}", json_body=body)
        answer = response.json()
        if not isinstance(answer, dict):
            raise GatewayUnavailable(f"MoMo {path} answered HTTP {response.status} without a JSON object")
        return answer
