"""Brandname SMS over HTTP, in the JSON shape Vietnamese providers use.

Request (eSMS-style `SendMultipleMessage_V4_post_json`): ApiKey, SecretKey,
Phone, Content, Brandname, SmsType, IsUnicode, RequestId, CallbackUrl.
Answer: `CodeResult` ("100" = accepted) and the provider's `SMSID`.

`RequestId` is the message's idempotency key: the provider refuses a second
request with the same id (code 124), so a message sent again after a worker
died is not sent twice to the citizen. When a callback URL is configured the
provider reports the final status later (delivery receipt) and the message
stays `sending` until then.
"""
from app.notifications.channels.base import Delivery, PermanentFailure, Sent, TemporaryFailure
from app.notifications.channels.http import post
from app.notifications.models import DELIVERED, PERMANENT_FAILURE, SENDING, TEMPORARY_FAILURE

ACCEPTED = "100"
DUPLICATE_REQUEST = "124"   # this RequestId was accepted before
# Codes about the recipient: another attempt cannot help
PERMANENT_CODES = {
    "99": "the phone number is blocked by the provider",
    "108": "the phone number is not valid",
}
# Anything else (credentials, balance, brandname not registered, IP not
# allowed...) is our side's problem: retried, and visible in `last_error`.

# Delivery receipt statuses (SMPP delivery-report `stat` values) -> ours
RECEIPT_STATUSES = {
    "DELIVRD": DELIVERED, "DELIVERED": DELIVERED,
    "ACCEPTD": SENDING, "ENROUTE": SENDING, "SENT": SENDING,
    "EXPIRED": TEMPORARY_FAILURE, "DELETED": TEMPORARY_FAILURE, "UNKNOWN": TEMPORARY_FAILURE,
    "UNDELIV": PERMANENT_FAILURE, "REJECTD": PERMANENT_FAILURE, "FAILED": PERMANENT_FAILURE,
}


class BrandnameSms:
    name = "brandname"

    def __init__(self, *, url: str, api_key: str, secret_key: str, brandname: str,
                 sms_type: str = "2", callback_url: str = "", timeout: float = 10):
        self.url = url
        self.api_key = api_key
        self.secret_key = secret_key
        self.brandname = brandname
        self.sms_type = sms_type
        self.callback_url = callback_url
        self.timeout = timeout

    def payload(self, delivery: Delivery) -> dict:
        payload = {
            "ApiKey": self.api_key,
            "SecretKey": self.secret_key,
            "Phone": delivery.address,
            "Content": delivery.body,
            "Brandname": self.brandname,
            "SmsType": self.sms_type,
            "IsUnicode": "0" if delivery.body.isascii() else "1",
            "RequestId": delivery.idempotency_key,
        }
        if self.callback_url:
            payload["CallbackUrl"] = self.callback_url
        return payload

    def send(self, delivery: Delivery) -> Sent:
        response = post(self.url, json_body=self.payload(delivery), timeout=self.timeout)
        if response.status >= 500 or response.status == 429:
            raise TemporaryFailure(f"SMS provider answered HTTP {response.status}", response.retry_after())
        if response.status >= 400:
            raise TemporaryFailure(f"SMS provider refused the request (HTTP {response.status})")
        data = response.json()
        code = str(data.get("CodeResult", ""))
        if code in (ACCEPTED, DUPLICATE_REQUEST):
            return Sent(self.name, provider_ref=data.get("SMSID") or None,
                        delivered=not self.callback_url)
        detail = data.get("ErrorMessage") or ""
        if code in PERMANENT_CODES:
            raise PermanentFailure(f"SMS provider code {code}: {PERMANENT_CODES[code]}")
        raise TemporaryFailure(f"SMS provider code {code or '?'}: {detail}".strip(": "))
