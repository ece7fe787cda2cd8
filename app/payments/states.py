"""Payment and refund states, and the only transitions allowed between them.

    created -> pending -> succeeded | failed | cancelled | expired
    succeeded -> refunded

States only move forward: a late or duplicate notification, a return URL or
a reconciliation answer can never move a payment back. `can_move` is the one
place that knows the transitions.
"""
CREATED, PENDING, SUCCEEDED, FAILED, CANCELLED, EXPIRED, REFUNDED = (
    "created", "pending", "succeeded", "failed", "cancelled", "expired", "refunded")
PAYMENT_STATES = (CREATED, PENDING, SUCCEEDED, FAILED, CANCELLED, EXPIRED, REFUNDED)
OPEN_STATES = (CREATED, PENDING)
CLOSED_UNPAID = (FAILED, CANCELLED, EXPIRED)

TRANSITIONS: dict[str, frozenset[str]] = {
    CREATED: frozenset({PENDING, FAILED, CANCELLED, EXPIRED}),
    PENDING: frozenset({SUCCEEDED, FAILED, CANCELLED, EXPIRED}),
    SUCCEEDED: frozenset({REFUNDED}),
    FAILED: frozenset(),
    CANCELLED: frozenset(),
    EXPIRED: frozenset(),
    REFUNDED: frozenset(),
}

# Refunds: requested -> succeeded | failed (failed after the gateway refused or retries ran out)
REFUND_REQUESTED, REFUND_SUCCEEDED, REFUND_FAILED = "requested", "succeeded", "failed"
REFUND_STATES = (REFUND_REQUESTED, REFUND_SUCCEEDED, REFUND_FAILED)
REFUND_TRANSITIONS: dict[str, frozenset[str]] = {
    REFUND_REQUESTED: frozenset({REFUND_SUCCEEDED, REFUND_FAILED}),
    REFUND_SUCCEEDED: frozenset(),
    REFUND_FAILED: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def can_move_refund(current: str, target: str) -> bool:
    return target in REFUND_TRANSITIONS.get(current, frozenset())


def is_open(state: str) -> bool:
    return state in OPEN_STATES
