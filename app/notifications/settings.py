"""The notifications domain's settings: a typed, frozen view of the configuration.

The environment is read by `app.config` (NOTIFY_*, SMS_*, FCM_*, SMTP_*,
WORKER_*); the service and the periodic jobs read `settings()`, never
`current_app.config`. The channel adapters and the worker are built from the
configuration mapping at start (channels/__init__.py, worker.py).
"""
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class NotificationSettings:
    strict_templates: bool         # a missing template value raises (development, tests)
    sms_unaccented: bool           # Vietnamese SMS without diacritics
    receipt_timeout_hours: float   # a message sent without a delivery receipt by then failed
    retention_days: int            # finished outside-channel messages are kept this long

    @classmethod
    def from_config(cls, config) -> "NotificationSettings":
        return cls(strict_templates=config["NOTIFY_STRICT_TEMPLATES"],
                   sms_unaccented=config["NOTIFY_SMS_UNACCENTED"],
                   receipt_timeout_hours=config["NOTIFY_RECEIPT_TIMEOUT_HOURS"],
                   retention_days=config["NOTIFY_RETENTION_DAYS"])


def settings() -> NotificationSettings:
    """The current app's notification settings (read on each call: tests change them)."""
    return NotificationSettings.from_config(current_app.config)
