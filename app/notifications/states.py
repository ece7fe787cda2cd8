"""Delivery statuses and the one rule about them: they only move forward.

    created ──> sending ──> delivered
                       ├──> temporary_failure   (gave up: retries ran out, no receipt,
                       │                          or the provider reported a temporary cause)
                       └──> permanent_failure   (wrong address, unregistered token, expired OTP)

A message waits for its next attempt in `sending` (with `attempts` and
`last_error`); the three outcomes are final, so a late or repeated provider
receipt cannot undo one.
"""
from app.notifications.models import (
    CREATED, DELIVERED, PERMANENT_FAILURE, SENDING, TEMPORARY_FAILURE,
)

RANK = {CREATED: 0, SENDING: 1, DELIVERED: 2, TEMPORARY_FAILURE: 2, PERMANENT_FAILURE: 2}
FINAL = frozenset({DELIVERED, TEMPORARY_FAILURE, PERMANENT_FAILURE})
PENDING = (CREATED, SENDING)
FAILED = frozenset({TEMPORARY_FAILURE, PERMANENT_FAILURE})


def is_final(status: str) -> bool:
    return status in FINAL


def can_advance(current: str, new: str) -> bool:
    """True when moving from `current` to `new` goes forward."""
    if current not in RANK or new not in RANK:
        raise ValueError(f"unknown status {current!r} -> {new!r}")
    return current not in FINAL and RANK[new] > RANK[current]
