"""Notification settings, read from the environment by `app.config.Config`.

Kept here, next to the code that uses them, so the channel adapters and the
worker are configured in one place. Every value has a development default;
`production_problems` lists what production must set.
"""
from collections.abc import Mapping

DEV_CALLBACK_SECRET = "dev-notify-callback-secret-change-me"
MOCK = "mock"


def notification_settings(e: Mapping[str, str], env_name: str) -> dict:
    """The NOTIFY_*, SMS_*, FCM_*, SMTP_* and WORKER_* settings for one environment."""
    return {
        # Which adapter serves each channel (`mock` records what it would send)
        "NOTIFY_SMS_ADAPTER": e.get("NOTIFY_SMS_ADAPTER", MOCK),        # mock | brandname
        "NOTIFY_PUSH_ADAPTER": e.get("NOTIFY_PUSH_ADAPTER", MOCK),      # mock | fcm
        "NOTIFY_EMAIL_ADAPTER": e.get("NOTIFY_EMAIL_ADAPTER", MOCK),    # mock | smtp
        # Brandname SMS over HTTP (eSMS-style JSON API)
        "SMS_BRANDNAME_URL": e.get("SMS_BRANDNAME_URL", ""),
        "SMS_BRANDNAME_API_KEY": e.get("SMS_BRANDNAME_API_KEY", ""),
        "SMS_BRANDNAME_SECRET_KEY": e.get("SMS_BRANDNAME_SECRET_KEY", ""),
        "SMS_BRANDNAME_NAME": e.get("SMS_BRANDNAME_NAME", "SMARTPROV"),
        "SMS_BRANDNAME_SMS_TYPE": e.get("SMS_BRANDNAME_SMS_TYPE", "2"),
        # Vietnamese SMS without diacritics: 160 characters per segment instead of 70
        "NOTIFY_SMS_UNACCENTED": _bool(e.get("NOTIFY_SMS_UNACCENTED"), True),
        # Firebase Cloud Messaging HTTP v1
        "FCM_PROJECT_ID": e.get("FCM_PROJECT_ID", ""),
        "FCM_CREDENTIALS_FILE": e.get("FCM_CREDENTIALS_FILE", ""),
        "FCM_ENDPOINT": e.get("FCM_ENDPOINT", "https://fcm.googleapis.com"),
        # E-mail over SMTP
        "SMTP_HOST": e.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": int(e.get("SMTP_PORT", 25)),
        "SMTP_SECURITY": e.get("SMTP_SECURITY", "none"),   # none | starttls | ssl
        "SMTP_USERNAME": e.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": e.get("SMTP_PASSWORD", ""),
        "EMAIL_FROM": e.get("EMAIL_FROM", "Smart Province <no-reply@smartprovince.local>"),
        "NOTIFY_HTTP_TIMEOUT": float(e.get("NOTIFY_HTTP_TIMEOUT", 10)),
        # Provider delivery receipts: HMAC-SHA256 of the body with this secret
        "NOTIFY_CALLBACK_SECRET": e.get("NOTIFY_CALLBACK_SECRET", DEV_CALLBACK_SECRET),
        "NOTIFY_CALLBACK_BASE_URL": e.get("NOTIFY_CALLBACK_BASE_URL", ""),
        # Retries: exponential backoff, then the message is marked failed
        "NOTIFY_MAX_ATTEMPTS": int(e.get("NOTIFY_MAX_ATTEMPTS", 6)),
        "NOTIFY_RETRY_BASE_SECONDS": float(e.get("NOTIFY_RETRY_BASE_SECONDS", 10)),
        "NOTIFY_RETRY_MAX_SECONDS": float(e.get("NOTIFY_RETRY_MAX_SECONDS", 1800)),
        "NOTIFY_RECEIPT_TIMEOUT_HOURS": float(e.get("NOTIFY_RECEIPT_TIMEOUT_HOURS", 72)),
        "NOTIFY_RETENTION_DAYS": int(e.get("NOTIFY_RETENTION_DAYS", 90)),
        # A missing template value raises in development and tests; production
        # keeps the caller's change and records the message as failed instead.
        "NOTIFY_STRICT_TEMPLATES": _bool(e.get("NOTIFY_STRICT_TEMPLATES"), env_name != "production"),
        # Mock channels: a delay per message (tests and benchmarks)
        "NOTIFY_MOCK_DELAY_MS": int(e.get("NOTIFY_MOCK_DELAY_MS", 0)),
        # Delivery worker
        "WORKER_BATCH_SIZE": int(e.get("WORKER_BATCH_SIZE", 20)),
        "WORKER_LEASE_SECONDS": float(e.get("WORKER_LEASE_SECONDS", 60)),
        "WORKER_POLL_SECONDS": float(e.get("WORKER_POLL_SECONDS", 1)),
    }


def production_problems(config) -> list[str]:
    """Reasons the notification settings may not serve production."""
    found = []
    for channel in ("SMS", "PUSH", "EMAIL"):
        if getattr(config, f"NOTIFY_{channel}_ADAPTER") == MOCK:
            found.append(f"NOTIFY_{channel}_ADAPTER is the development mock")
    secret = config.NOTIFY_CALLBACK_SECRET
    if secret in ("", DEV_CALLBACK_SECRET) or len(secret) < 32:
        found.append("NOTIFY_CALLBACK_SECRET is the development secret or shorter than 32 characters")
    if config.NOTIFY_SMS_ADAPTER == "brandname" and not (
            config.SMS_BRANDNAME_URL and config.SMS_BRANDNAME_API_KEY and config.SMS_BRANDNAME_SECRET_KEY):
        found.append("SMS_BRANDNAME_URL, SMS_BRANDNAME_API_KEY and SMS_BRANDNAME_SECRET_KEY are required")
    if config.NOTIFY_PUSH_ADAPTER == "fcm" and not (config.FCM_PROJECT_ID and config.FCM_CREDENTIALS_FILE):
        found.append("FCM_PROJECT_ID and FCM_CREDENTIALS_FILE are required")
    return found


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}
