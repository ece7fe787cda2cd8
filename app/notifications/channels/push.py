"""Push messages through Firebase Cloud Messaging, HTTP v1 API.

    POST {endpoint}/v1/projects/{project_id}/messages:send
    Authorization: Bearer <OAuth 2.0 access token of a service account>
    {"message": {"token": ..., "notification": {...}, "data": {...}, "android": {...}, "apns": {...}}}

The access token comes from the service account's JSON key (a signed JWT
exchanged at its `token_uri`, RFC 7523) and is cached until shortly before it
expires. FCM has no idempotency key; the message's key goes into `data`
(`message_id`, so the app can drop a repeat) and into the Android tag and the
APNs collapse id, so a repeat replaces the first instead of showing twice.
"""
import json
import threading
import time

import jwt

from app.notifications.channels.base import Delivery, PermanentFailure, Sent, TemporaryFailure
from app.notifications.channels.http import post

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
# FCM error codes (google.firebase.fcm.v1.FcmError) -> what to do
UNREGISTERED_CODES = {"UNREGISTERED", "SENDER_ID_MISMATCH"}
PERMANENT_CODES = {"INVALID_ARGUMENT"}
# QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL, THIRD_PARTY_AUTH_ERROR and unknown codes: retried
RESERVED_DATA_KEYS = {"from", "notification", "message_type"}
URGENT_BELOW = 3   # priorities below this are sent as high priority


class ServiceAccountToken:
    """OAuth 2.0 access tokens for a Google service account (JWT bearer grant)."""

    def __init__(self, info: dict, timeout: float = 10):
        self.info = info
        self.timeout = timeout
        self._token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: str, timeout: float = 10) -> "ServiceAccountToken":
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f), timeout)

    def get(self) -> str:
        with self._lock:
            if self._token is None or time.time() > self._expires - 60:
                self._token, lifetime = self._fetch()
                self._expires = time.time() + lifetime
            return self._token

    def _fetch(self) -> tuple[str, float]:
        now = int(time.time())
        token_uri = self.info.get("token_uri", "https://oauth2.googleapis.com/token")
        assertion = jwt.encode(
            {"iss": self.info["client_email"], "scope": SCOPE, "aud": token_uri, "iat": now, "exp": now + 3600},
            self.info["private_key"], algorithm="RS256",
            headers={"kid": self.info.get("private_key_id", "")},
        )
        response = post(token_uri, form={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                          "assertion": assertion}, timeout=self.timeout)
        data = response.json()
        if response.status != 200 or "access_token" not in data:
            raise TemporaryFailure(f"FCM credentials refused (HTTP {response.status}): {data.get('error', '')}")
        return data["access_token"], float(data.get("expires_in", 3600))

    def forget(self) -> None:
        with self._lock:
            self._token = None


class FcmPush:
    name = "fcm"

    def __init__(self, *, project_id: str, credentials, endpoint: str = "https://fcm.googleapis.com",
                 timeout: float = 10):
        self.project_id = project_id
        self.credentials = credentials     # anything with get() -> access token
        self.url = f"{endpoint.rstrip('/')}/v1/projects/{project_id}/messages:send"
        self.timeout = timeout

    def message(self, delivery: Delivery) -> dict:
        """The FCM v1 `message` for one device token."""
        high = delivery.priority < URGENT_BELOW
        key = delivery.idempotency_key
        data = {k: str(v) for k, v in delivery.data.items()
                if v is not None and k not in RESERVED_DATA_KEYS and not k.startswith(("google", "gcm"))}
        data.update({"event": delivery.event, "message_id": key,
                     "notification_id": str(delivery.notification_id or "")})
        return {
            "token": delivery.address,
            "notification": {"title": delivery.title or "", "body": delivery.body},
            "data": data,
            "android": {"priority": "HIGH" if high else "NORMAL", "ttl": "86400s",
                        "notification": {"tag": key}},
            "apns": {"headers": {"apns-priority": "10" if high else "5", "apns-collapse-id": key[:64]},
                     "payload": {"aps": {"sound": "default"}}},
        }

    def send(self, delivery: Delivery) -> Sent:
        response = post(self.url, json_body={"message": self.message(delivery)},
                        headers={"Authorization": f"Bearer {self.credentials.get()}"}, timeout=self.timeout)
        if response.status == 200:
            return Sent(self.name, provider_ref=response.json().get("name"), delivered=True)
        error = response.json().get("error") or {}
        code = _fcm_error_code(error) or error.get("status") or f"HTTP {response.status}"
        reason = f"FCM {code}: {error.get('message', '')}".strip(": ")
        if response.status == 401:
            getattr(self.credentials, "forget", lambda: None)()
            raise TemporaryFailure(reason)
        if code in UNREGISTERED_CODES or response.status == 404:
            raise PermanentFailure(reason, unregistered=True)
        if code in PERMANENT_CODES:
            raise PermanentFailure(reason)
        raise TemporaryFailure(reason, response.retry_after())


def _fcm_error_code(error: dict) -> str | None:
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and detail.get("@type", "").endswith("FcmError"):
            return detail.get("errorCode")
    return None
