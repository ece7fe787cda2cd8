"""The mock gateways' behaviour: VNPay 2.1.0 (and PayGov, same protocol) and MoMo v2.

Each mock keeps its own records (`MockStore`), signs what it sends as the
provider does, sends the IPN server-to-server through an injectable HTTP
sender and retries it until the merchant answers success or "already
confirmed" (VNPay RspCode 00/02, MoMo HTTP 204). Faults are chosen per
payment: before it reaches the gateway (`preset_faults`), or when the payer
decides (the page's fault boxes, the control API).
"""
import base64
import logging
import secrets
import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime, time as dtime, timedelta
from urllib.parse import urlencode

from app.common.clock import VIETNAM, utcnow
from app.mockgateway import protocol
from app.mockgateway.store import MockStore
from app.payments.http import urllib_transport

log = logging.getLogger("app.mockgateway")

FAULTS = ("duplicate_ipn", "ipn_before_redirect", "late_ipn", "no_ipn", "wrong_amount", "bad_signature",
          "gateway_timeout")
FAULT_LABELS = {
    "duplicate_ipn": "Gửi IPN hai lần (duplicate IPN)",
    "ipn_before_redirect": "IPN trước khi chuyển hướng (IPN before the redirect)",
    "late_ipn": "IPN trễ 10 phút (late IPN)",
    "no_ipn": "Không gửi IPN (no IPN at all)",
    "wrong_amount": "IPN sai số tiền (wrong amount)",
    "bad_signature": "IPN sai chữ ký (bad signature)",
    "gateway_timeout": "Cổng không trả lời truy vấn/hoàn tiền (gateway timeout)",
}
# Seconds between IPN attempts; one first attempt plus these retries, then the mock gives up
RETRY_SCHEDULE = (60, 120, 300, 600, 900, 1800, 3600, 7200, 14400)

Sender = Callable[..., object]


def _now() -> datetime:
    return utcnow()


def _ts(moment: datetime) -> float:
    return moment.timestamp()


def _vn(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


def _digits(n: int) -> str:
    return str(secrets.randbelow(9 * 10 ** (n - 1)) + 10 ** (n - 1))


class MockHub:
    """All mock gateways of one process, their store, their IPN sender and delivery worker."""

    def __init__(self, config: Mapping, send: Sender | None = None):
        self.store = MockStore(config.get("MOCK_GATEWAY_DB", ":memory:"))
        self.send: Sender = send or urllib_transport
        self.late_seconds = int(config.get("MOCK_LATE_IPN_SECONDS", 600))
        self.autodeliver = bool(config.get("MOCK_GATEWAY_AUTODELIVER", False))
        self.gateways = {
            "vnpay": VnpayMock("vnpay", self, tmn_code=config["VNPAY_TMN_CODE"], secret=config["VNPAY_HASH_SECRET"],
                               ipn_url=config["MOCK_VNPAY_IPN_URL"]),
            "paygov": VnpayMock("paygov", self, tmn_code=config["PAYGOV_MERCHANT_CODE"],
                                secret=config["PAYGOV_SECRET"], ipn_url=config["MOCK_PAYGOV_IPN_URL"]),
            "momo": MomoMock("momo", self, partner_code=config["MOMO_PARTNER_CODE"],
                             access_key=config["MOMO_ACCESS_KEY"], secret=config["MOMO_SECRET_KEY"]),
        }
        self._wake = threading.Event()
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()

    def gateway(self, name: str):
        return self.gateways[name]

    # IPN delivery
    def schedule_ipn(self, gateway, order_id: str, method: str, url: str, payload: dict,
                     faults: list[str]) -> list[int]:
        if "no_ipn" in faults or not url:
            return []
        due = _ts(_now()) + (self.late_seconds if "late_ipn" in faults else 0)
        ids = [self.store.enqueue(gateway.name, order_id, method, url, payload, due)]
        if "duplicate_ipn" in faults:
            ids.append(self.store.enqueue(gateway.name, order_id, method, url, payload, due))
        if "ipn_before_redirect" in faults:
            for delivery_id in ids:
                self.deliver_due(only=delivery_id)
        else:
            self._wake.set()
        return ids

    def deliver_due(self, only: int | None = None) -> dict:
        """Sends every IPN that is due (or the one given); returns counts."""
        now = _ts(_now())
        counts = {"delivered": 0, "retrying": 0, "gave_up": 0}
        for delivery in self.store.claim_due(now, only=only):
            gateway = self.gateways[delivery["gateway"]]
            answer, accepted = self._send(delivery, gateway)
            attempts = delivery["attempts"] + 1
            next_due = now + RETRY_SCHEDULE[attempts - 1] if attempts <= len(RETRY_SCHEDULE) else None
            self.store.delivered(delivery["id"], answer, accepted, None if accepted else next_due)
            counts["delivered" if accepted else "retrying" if next_due else "gave_up"] += 1
        return counts

    def _send(self, delivery: dict, gateway) -> tuple[str, bool]:
        try:
            if delivery["method"] == "GET":
                response = self.send("GET", delivery["url"], params=delivery["payload"], timeout=15)
            else:
                response = self.send("POST", delivery["url"], json_body=delivery["payload"], timeout=15)
        except Exception as error:   # any failure to get an answer: retry later
            return f"no answer: {type(error).__name__}", False
        return gateway.judge_ipn_answer(response)

    def ensure_worker(self) -> None:
        """Starts the background delivery thread once (development servers)."""
        if not self.autodeliver or (self._worker and self._worker.is_alive()):
            return
        with self._worker_lock:
            if self._worker and self._worker.is_alive():
                return
            self._worker = threading.Thread(target=self._loop, name="mockgateway-ipn", daemon=True)
            self._worker.start()

    def _loop(self) -> None:
        while True:
            self._wake.wait(timeout=2)
            self._wake.clear()
            try:
                self.deliver_due()
            except Exception:
                log.exception("mock IPN delivery failed")

    # statements: the gateway's own totals for a day in Vietnam
    def statement(self, gateway_name: str, day: date) -> dict:
        start = datetime.combine(day, dtime.min, tzinfo=VIETNAM)
        end = start + timedelta(days=1)
        paid = self.store.paid_between(gateway_name, _ts(start), _ts(end))
        refunded = self.store.refunded_between(gateway_name, _ts(start), _ts(end))
        return {"gateway": gateway_name, "day": day.isoformat(),
                "payments_count": len(paid), "payments_total": sum(t["amount"] for t in paid),
                "refunds_count": len(refunded), "refunds_total": sum(t["refunded_amount"] for t in refunded)}


class _Mock:
    name: str

    def __init__(self, name: str, hub: MockHub):
        self.name = name
        self.hub = hub
        self.store = hub.store

    def faults_of(self, record: dict, extra: list[str] | None) -> list[str]:
        return sorted(set(record["faults"]) | {f for f in (extra or []) if f in FAULTS})

    def timed_out(self, order_id: str) -> bool:
        record = self.store.get(self.name, order_id)
        return bool(record and "gateway_timeout" in record["faults"])


class VnpayMock(_Mock):
    """VNPay 2.1.0: vpcpay.html page, signed return URL, GET IPN, merchant_webapi (querydr, refund)."""

    def __init__(self, name: str, hub: MockHub, *, tmn_code: str, secret: str, ipn_url: str):
        super().__init__(name, hub)
        self.tmn_code, self.secret, self.ipn_url = tmn_code, secret, ipn_url

    # the payer opens the payment URL
    def open(self, params: Mapping[str, str]) -> tuple[dict | None, str | None]:
        """Checks the payment URL and records the transaction; (record, error code)."""
        if not protocol.vnpay_verify(dict(params), self.secret):
            return None, "97"
        if params.get("vnp_TmnCode") != self.tmn_code or params.get("vnp_Version") != "2.1.0" \
                or params.get("vnp_Command") != "pay" or params.get("vnp_CurrCode") != "VND":
            return None, "03"
        amount = str(params.get("vnp_Amount", ""))
        if not amount.isdigit() or int(amount) % 100 or int(amount) <= 0:
            return None, "03"
        order_id = str(params.get("vnp_TxnRef", ""))
        data = {k: v for k, v in params.items() if k not in protocol.VNPAY_EXCLUDED}
        self.store.insert(self.name, order_id, int(amount) // 100, data,
                          self.store.take_preset_faults(self.name, order_id), _ts(_now()))
        return self.store.get(self.name, order_id), None

    def expired(self, record: dict) -> bool:
        expire = record["data"].get("vnp_ExpireDate")
        return bool(expire) and _vn(_now()) > str(expire)

    def decide(self, order_id: str, action: str, faults: list[str] | None = None) -> str:
        """The payer pays or cancels; returns the signed return URL (the IPN is queued)."""
        record = self.store.get(self.name, order_id)
        if record is None:
            raise KeyError(order_id)
        faults = self.faults_of(record, faults)
        if record["status"] == "open":
            if self.expired(record):
                action = "expire"
            record = self._record_result(record, action, faults)
            result = self.result_params(record)
            ipn = dict(result)
            if "wrong_amount" in faults:
                ipn["vnp_Amount"] = str(int(ipn["vnp_Amount"]) + 100_000)   # 1,000 VND more
            ipn["vnp_SecureHash"] = protocol.vnpay_sign(
                ipn, "not-the-merchant-secret" if "bad_signature" in faults else self.secret)
            self.hub.schedule_ipn(self, order_id, "GET", self.ipn_url, ipn, faults)
        return f"{record['data']['vnp_ReturnUrl']}?{urlencode(self.signed(self.result_params(record)))}"

    def _record_result(self, record: dict, action: str, faults: list[str]) -> dict:
        now = _now()
        code, status, state = {"pay": ("00", "00", "paid"), "cancel": ("24", "02", "cancelled"),
                               "expire": ("11", "02", "expired")}[action]
        result = {"response_code": code, "transaction_status": status, "pay_date": _vn(now),
                  "transaction_no": _digits(8), "bank_code": "NCB" if action == "pay" else "VNPAY",
                  "card_type": "ATM" if action == "pay" else ""}
        data = {**record["data"], **result}
        self.store.update(self.name, record["order_id"], status=state, data=data, faults=faults,
                          paid=_ts(now) if action == "pay" else None)
        return self.store.get(self.name, record["order_id"])

    def result_params(self, record: dict) -> dict:
        data = record["data"]
        return {
            "vnp_Amount": str(record["amount"] * 100),
            "vnp_BankCode": data.get("bank_code", ""),
            "vnp_BankTranNo": f"VNP{data.get('transaction_no', '')}" if data.get("response_code") == "00" else "",
            "vnp_CardType": data.get("card_type", ""),
            "vnp_OrderInfo": data.get("vnp_OrderInfo", ""),
            "vnp_PayDate": data.get("pay_date", ""),
            "vnp_ResponseCode": data.get("response_code", ""),
            "vnp_TmnCode": self.tmn_code,
            "vnp_TransactionNo": data.get("transaction_no", ""),
            "vnp_TransactionStatus": data.get("transaction_status", ""),
            "vnp_TxnRef": record["order_id"],
        }

    def signed(self, params: dict) -> dict:
        return {**params, "vnp_SecureHash": protocol.vnpay_sign(params, self.secret)}

    @staticmethod
    def judge_ipn_answer(response) -> tuple[str, bool]:
        try:
            body = response.json()
        except Exception:
            body = None
        code = body.get("RspCode") if isinstance(body, dict) else None
        return f"HTTP {response.status} RspCode {code}", response.status == 200 and code in ("00", "02")

    # merchant_webapi
    def api(self, body: Mapping) -> tuple[int, dict | None]:
        command = body.get("vnp_Command")
        if command == "querydr":
            return self._querydr(body)
        if command == "refund":
            return self._refund(body)
        return 200, {"vnp_ResponseCode": "03", "vnp_Message": "Invalid command"}

    def _querydr(self, body: Mapping) -> tuple[int, dict | None]:
        if str(body.get("vnp_SecureHash", "")).lower() != protocol.vnpay_pipe_sign(
                body, protocol.VNPAY_QUERY_REQUEST, self.secret) or body.get("vnp_TmnCode") != self.tmn_code:
            return 200, {"vnp_ResponseId": _digits(10), "vnp_Command": "querydr", "vnp_ResponseCode": "97",
                         "vnp_Message": "Invalid Checksum"}
        order_id = str(body.get("vnp_TxnRef", ""))
        if self.timed_out(order_id):
            return 504, None
        record = self.store.get(self.name, order_id)
        if record is None:
            return 200, self._answer({"vnp_Command": "querydr", "vnp_ResponseCode": "91",
                                      "vnp_Message": "Transaction not found", "vnp_TxnRef": order_id},
                                     protocol.VNPAY_QUERY_RESPONSE)
        data = record["data"]
        status = {"open": "01", "paid": "00", "refunded": "00"}.get(record["status"], "02")
        return 200, self._answer({
            "vnp_Command": "querydr", "vnp_ResponseCode": "00", "vnp_Message": "QueryDR Success",
            "vnp_TxnRef": order_id, "vnp_Amount": str(record["amount"] * 100),
            "vnp_BankCode": data.get("bank_code", ""), "vnp_PayDate": data.get("pay_date", ""),
            "vnp_TransactionNo": data.get("transaction_no", ""), "vnp_TransactionType": "01",
            "vnp_TransactionStatus": status, "vnp_OrderInfo": data.get("vnp_OrderInfo", ""),
            "vnp_PromotionCode": "", "vnp_PromotionAmount": "",
        }, protocol.VNPAY_QUERY_RESPONSE)

    def _refund(self, body: Mapping) -> tuple[int, dict | None]:
        if str(body.get("vnp_SecureHash", "")).lower() != protocol.vnpay_pipe_sign(
                body, protocol.VNPAY_REFUND_REQUEST, self.secret) or body.get("vnp_TmnCode") != self.tmn_code:
            return 200, {"vnp_ResponseId": _digits(10), "vnp_Command": "refund", "vnp_ResponseCode": "97",
                         "vnp_Message": "Invalid Checksum"}
        order_id, request_id = str(body.get("vnp_TxnRef", "")), str(body.get("vnp_RequestId", ""))
        if self.timed_out(order_id):
            return 504, None
        previous = self.store.answered(self.name, request_id)
        if previous is not None:
            return 200, previous
        record = self.store.get(self.name, order_id)
        amount = str(body.get("vnp_Amount", ""))
        base = {"vnp_Command": "refund", "vnp_TxnRef": order_id, "vnp_Amount": amount,
                "vnp_OrderInfo": body.get("vnp_OrderInfo", ""), "vnp_TransactionType": body.get("vnp_TransactionType")}
        if record is None:
            answer = self._answer({**base, "vnp_ResponseCode": "91", "vnp_Message": "Transaction not found"},
                                  protocol.VNPAY_REFUND_RESPONSE)
        elif record["status"] != "paid" or not amount.isdigit() or \
                int(amount) // 100 > record["amount"] - record["refunded_amount"]:
            answer = self._answer({**base, "vnp_ResponseCode": "95",
                                   "vnp_Message": "Transaction not refundable"}, protocol.VNPAY_REFUND_RESPONSE)
        else:
            refunded = record["refunded_amount"] + int(amount) // 100
            self.store.update(self.name, order_id, refunded_amount=refunded, refunded=_ts(_now()),
                              status="refunded" if refunded >= record["amount"] else "paid")
            answer = self._answer({**base, "vnp_ResponseCode": "00", "vnp_Message": "Refund success",
                                   "vnp_BankCode": record["data"].get("bank_code", ""), "vnp_PayDate": _vn(_now()),
                                   "vnp_TransactionNo": _digits(8), "vnp_TransactionStatus": "06"},
                                  protocol.VNPAY_REFUND_RESPONSE)
        self.store.remember_answer(self.name, request_id, answer)
        return 200, answer

    def _answer(self, values: dict, names: tuple[str, ...]) -> dict:
        answer = {"vnp_ResponseId": secrets.token_hex(8), "vnp_TmnCode": self.tmn_code, **values}
        answer["vnp_SecureHash"] = protocol.vnpay_pipe_sign(answer, names, self.secret)
        return answer


class MomoMock(_Mock):
    """MoMo all-in-one v2: create, pay page, signed redirect, JSON IPN, query, refund."""

    RESULTS = {"pay": (0, "Successful.", "paid"), "cancel": (1006, "Transaction denied by user.", "cancelled"),
               "expire": (1005, "Transaction failed because the url or QR code expired.", "expired")}

    def __init__(self, name: str, hub: MockHub, *, partner_code: str, access_key: str, secret: str):
        super().__init__(name, hub)
        self.partner_code, self.access_key, self.secret = partner_code, access_key, secret

    def _error(self, body: Mapping, code: int, message: str, status: int = 400) -> tuple[int, dict]:
        return status, {"partnerCode": body.get("partnerCode"), "orderId": body.get("orderId"),
                        "requestId": body.get("requestId"), "amount": body.get("amount"),
                        "responseTime": int(_ts(_now()) * 1000), "message": message, "resultCode": code}

    def create(self, body: Mapping, base_url: str) -> tuple[int, dict | None]:
        if not protocol.momo_verify(dict(body), protocol.MOMO_CREATE, self.access_key, self.secret) \
                or body.get("partnerCode") != self.partner_code:
            return self._error(body, 13, "Merchant authentication failed.")
        order_id = str(body.get("orderId", ""))
        faults = self.store.take_preset_faults(self.name, order_id)
        if "gateway_timeout" in faults:
            return 504, None
        amount = body.get("amount")
        if not isinstance(amount, int) or not 1_000 <= amount <= 50_000_000:
            return self._error(body, 21, "Invalid amount.")
        if self.store.get(self.name, order_id) is not None:
            return self._error(body, 41, "Duplicated orderId.")
        minutes = body.get("orderExpireTime") if isinstance(body.get("orderExpireTime"), int) else 100
        data = {**body, "expires": _ts(_now() + timedelta(minutes=minutes))}
        self.store.insert(self.name, order_id, amount, data, faults, _ts(_now()))
        token = base64.b64encode(f"{self.partner_code}|{order_id}".encode()).decode()
        pay_url = f"{base_url}/mock/momo/v2/gateway/pay?t={token}"
        return 200, {"partnerCode": self.partner_code, "orderId": order_id, "requestId": body.get("requestId"),
                     "amount": amount, "responseTime": int(_ts(_now()) * 1000), "message": "Thành công.",
                     "resultCode": 0, "payUrl": pay_url, "deeplink": f"momo://?action=payWithApp&t={token}",
                     "qrCodeUrl": pay_url + "&isScanQr=true"}

    @staticmethod
    def order_of_token(token: str) -> str | None:
        try:
            _partner, order_id = base64.b64decode(token.encode(), validate=True).decode().split("|", 1)
            return order_id
        except (ValueError, UnicodeDecodeError):
            return None

    def decide(self, order_id: str, action: str, faults: list[str] | None = None) -> str:
        record = self.store.get(self.name, order_id)
        if record is None:
            raise KeyError(order_id)
        faults = self.faults_of(record, faults)
        if record["status"] == "open":
            if _ts(_now()) > record["data"]["expires"]:
                action = "expire"
            code, _message, state = self.RESULTS[action]
            data = {**record["data"], "transId": int(_digits(10)), "resultCode": code,
                    "responseTime": int(_ts(_now()) * 1000)}
            self.store.update(self.name, order_id, status=state, data=data, faults=faults,
                              paid=_ts(_now()) if action == "pay" else None)
            record = self.store.get(self.name, order_id)
            ipn = self.result_params(record)
            if "wrong_amount" in faults:
                ipn["amount"] = record["amount"] + 1_000
            secret = "not-the-merchant-secret" if "bad_signature" in faults else self.secret
            ipn["signature"] = protocol.momo_sign(ipn, protocol.MOMO_RESULT, self.access_key, secret)
            self.hub.schedule_ipn(self, order_id, "POST", record["data"].get("ipnUrl", ""), ipn, faults)
        params = self.result_params(record)
        params["signature"] = protocol.momo_sign(params, protocol.MOMO_RESULT, self.access_key, self.secret)
        return f"{record['data']['redirectUrl']}?{urlencode(params)}"

    def result_params(self, record: dict) -> dict:
        data = record["data"]
        code = data.get("resultCode", 1000)
        message = next((m for c, m, _s in self.RESULTS.values() if c == code), "Transaction is initiated.")
        return {"partnerCode": self.partner_code, "orderId": record["order_id"], "requestId": data.get("requestId"),
                "amount": record["amount"], "orderInfo": data.get("orderInfo", ""), "orderType": "momo_wallet",
                "transId": data.get("transId", 0), "resultCode": code, "message": message,
                "payType": "qr" if code == 0 else "", "responseTime": data.get("responseTime", 0),
                "extraData": data.get("extraData", "")}

    @staticmethod
    def judge_ipn_answer(response) -> tuple[str, bool]:
        return f"HTTP {response.status}", response.status in (200, 204)

    def query(self, body: Mapping) -> tuple[int, dict | None]:
        if not protocol.momo_verify(dict(body), protocol.MOMO_QUERY, self.access_key, self.secret):
            return self._error(body, 13, "Merchant authentication failed.")
        order_id = str(body.get("orderId", ""))
        if self.timed_out(order_id):
            return 504, None
        record = self.store.get(self.name, order_id)
        if record is None:
            return self._error(body, 42, "Invalid orderId or orderId is not found.")
        params = self.result_params(record)
        refunds = [{"amount": record["refunded_amount"], "resultCode": 0}] if record["refunded_amount"] else []
        return 200, {"partnerCode": self.partner_code, "orderId": order_id, "requestId": body.get("requestId"),
                     "extraData": params["extraData"], "amount": record["amount"], "transId": params["transId"],
                     "payType": params["payType"], "resultCode": params["resultCode"], "refundTrans": refunds,
                     "message": params["message"], "responseTime": int(_ts(_now()) * 1000),
                     "lastUpdated": int((record["paid"] or record["created"]) * 1000)}

    def refund(self, body: Mapping) -> tuple[int, dict | None]:
        if not protocol.momo_verify(dict(body), protocol.MOMO_REFUND, self.access_key, self.secret):
            return self._error(body, 13, "Merchant authentication failed.")
        request_id = str(body.get("requestId", ""))
        previous = self.store.answered(self.name, request_id)
        if previous is not None:
            return 200, previous
        record = next((r for r in self.store.transactions(self.name)
                       if r["data"].get("transId") == body.get("transId")), None)
        if record is not None and "gateway_timeout" in record["faults"]:
            return 504, None
        amount = body.get("amount")
        if record is None:
            status, answer = self._error(body, 42, "Invalid orderId or orderId is not found.")
        elif record["status"] != "paid" or not isinstance(amount, int) \
                or amount > record["amount"] - record["refunded_amount"]:
            status, answer = self._error(body, 1080, "Refund attempt failed: amount or state not refundable.")
        else:
            refunded = record["refunded_amount"] + amount
            self.store.update(self.name, record["order_id"], refunded_amount=refunded, refunded=_ts(_now()),
                              status="refunded" if refunded >= record["amount"] else "paid")
            status, answer = 200, {"partnerCode": self.partner_code, "orderId": body.get("orderId"),
                                   "requestId": request_id, "amount": amount, "transId": int(_digits(10)),
                                   "resultCode": 0, "message": "Successful.",
                                   "responseTime": int(_ts(_now()) * 1000)}
        self.store.remember_answer(self.name, request_id, answer)
        return status, answer


def parse_day(value: str | None) -> date:
    if not value:
        return utcnow().astimezone(VIETNAM).date()
    return date.fromisoformat(value)
