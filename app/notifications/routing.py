"""Which channels one notification goes to: the citizen's choices and the rules.

- In-app: always, for an account (the inbox is the record of everything),
  except sensitive messages (an OTP code is never kept).
- Push: to every registered device, unless switched off for the category.
- E-mail: when the account has an address, unless switched off.
- SMS: when switched on for the category; and for messages that matter
  (`Template.important`) whenever no push can carry them. When a push for
  such a message fails, the worker falls back to SMS.
- Security and OTP categories cannot be switched off: every channel the
  account has, SMS included.
- A phone number without an account (an OTP code at registration) gets an SMS.
Defaults, until the citizen chooses: push on, e-mail on, SMS off.
"""
import uuid
from dataclasses import dataclass, field

from app.notifications.models import EMAIL, IN_APP, PUSH, SMS
from app.notifications.templates import CATEGORIES, MANDATORY, Template

CONFIGURABLE = (PUSH, SMS, EMAIL)
DEFAULTS = {PUSH: True, SMS: False, EMAIL: True}


@dataclass(frozen=True)
class Recipient:
    account_id: uuid.UUID | None = None
    phone: str | None = None
    email: str | None = None
    push_tokens: tuple[str, ...] = ()
    choices: dict = field(default_factory=dict)   # {category: {channel: bool}}
    locale: str = "vi"


def is_locked(category: str, channel: str) -> bool:
    """True when the citizen cannot switch this off."""
    return category in MANDATORY or channel == IN_APP


def wants(choices: dict, category: str, channel: str) -> bool:
    if is_locked(category, channel):
        return True
    return bool(choices.get(category, {}).get(channel, DEFAULTS[channel]))


def plan(template: Template, recipient: Recipient, *, sensitive: bool = False,
         channels: tuple[str, ...] | None = None) -> list[tuple[str, str | None]]:
    """(channel, address) pairs for one notification, in sending order."""
    explicit = channels if channels is not None else template.only
    if explicit is not None:
        return [pair for channel in explicit for pair in _addresses(channel, recipient, sensitive)]
    if recipient.account_id is None:
        # Only a number was given (no account yet): SMS is the one way to reach it
        return [(SMS, recipient.phone)] if recipient.phone else []
    category, choices = template.category, recipient.choices
    pairs: list[tuple[str, str | None]] = [] if sensitive else [(IN_APP, None)]
    pushes = [(PUSH, token) for token in recipient.push_tokens] if wants(choices, category, PUSH) else []
    pairs += pushes
    if recipient.email and wants(choices, category, EMAIL):
        pairs.append((EMAIL, recipient.email))
    if recipient.phone and (wants(choices, category, SMS) or (template.important and not pushes)):
        pairs.append((SMS, recipient.phone))
    return pairs


def _addresses(channel: str, recipient: Recipient, sensitive: bool) -> list[tuple[str, str | None]]:
    if channel == IN_APP:
        return [(IN_APP, None)] if recipient.account_id is not None and not sensitive else []
    if channel == PUSH:
        return [(PUSH, token) for token in recipient.push_tokens]
    address = {SMS: recipient.phone, EMAIL: recipient.email}.get(channel)
    return [(channel, address)] if address else []


def matrix(choices: dict) -> list[dict]:
    """Every (category, channel) with its current value, for the preferences screen."""
    return [
        {"category": category, "channel": channel, "enabled": wants(choices, category, channel),
         "locked": is_locked(category, channel)}
        for category in CATEGORIES for channel in (IN_APP, *CONFIGURABLE)
    ]
