"""Channel adapters, chosen by configuration (NOTIFY_SMS_ADAPTER, ...)."""
from app.notifications.channels.base import (  # noqa: F401
    Channel, Delivery, PermanentFailure, Sent, TemporaryFailure,
)
from app.notifications.channels import mock, sms
from app.notifications.channels.email import SmtpEmail
from app.notifications.channels.mock import MockChannel
from app.notifications.channels.push import FcmPush, ServiceAccountToken
from app.notifications.channels.sms import BrandnameSms
from app.notifications.models import EMAIL, PUSH, SMS


def build_channels(config) -> dict[str, "Channel"]:
    """The adapter serving each outside channel (in-app needs none)."""
    return {SMS: _sms(config), PUSH: _push(config), EMAIL: _email(config)}


def receipt_statuses(provider: str) -> dict[str, str] | None:
    """How `provider`'s delivery-receipt statuses map onto ours (None: no receipts)."""
    return {"brandname": sms.RECEIPT_STATUSES, "mock": mock.RECEIPT_STATUSES}.get(provider)


def _mock(channel: str, config):
    return MockChannel(channel, delay_seconds=config["NOTIFY_MOCK_DELAY_MS"] / 1000)


def _sms(config):
    kind = config["NOTIFY_SMS_ADAPTER"]
    if kind == "mock":
        return _mock(SMS, config)
    if kind == "brandname":
        base = config["NOTIFY_CALLBACK_BASE_URL"].rstrip("/")
        return BrandnameSms(
            url=config["SMS_BRANDNAME_URL"], api_key=config["SMS_BRANDNAME_API_KEY"],
            secret_key=config["SMS_BRANDNAME_SECRET_KEY"], brandname=config["SMS_BRANDNAME_NAME"],
            sms_type=config["SMS_BRANDNAME_SMS_TYPE"], timeout=config["NOTIFY_HTTP_TIMEOUT"],
            callback_url=f"{base}/api/v1/notifications/receipts/brandname" if base else "",
        )
    raise ValueError(f"NOTIFY_SMS_ADAPTER must be mock or brandname, not {kind!r}")


def _push(config):
    kind = config["NOTIFY_PUSH_ADAPTER"]
    if kind == "mock":
        return _mock(PUSH, config)
    if kind == "fcm":
        timeout = config["NOTIFY_HTTP_TIMEOUT"]
        return FcmPush(project_id=config["FCM_PROJECT_ID"], endpoint=config["FCM_ENDPOINT"], timeout=timeout,
                       credentials=ServiceAccountToken.from_file(config["FCM_CREDENTIALS_FILE"], timeout))
    raise ValueError(f"NOTIFY_PUSH_ADAPTER must be mock or fcm, not {kind!r}")


def _email(config):
    kind = config["NOTIFY_EMAIL_ADAPTER"]
    if kind == "mock":
        return _mock(EMAIL, config)
    if kind == "smtp":
        return SmtpEmail(host=config["SMTP_HOST"], port=config["SMTP_PORT"], security=config["SMTP_SECURITY"],
                         username=config["SMTP_USERNAME"], password=config["SMTP_PASSWORD"],
                         sender=config["EMAIL_FROM"], timeout=config["NOTIFY_HTTP_TIMEOUT"])
    raise ValueError(f"NOTIFY_EMAIL_ADAPTER must be mock or smtp, not {kind!r}")
