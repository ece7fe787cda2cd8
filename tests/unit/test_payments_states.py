"""Payment states only move forward."""
import pytest

from app.payments import states


@pytest.mark.parametrize("current, target", [
    ("created", "pending"), ("created", "expired"), ("pending", "succeeded"), ("pending", "failed"),
    ("pending", "cancelled"), ("pending", "expired"), ("succeeded", "refunded"),
])
def test_forward_moves_are_allowed(current, target):
    assert states.can_move(current, target)


@pytest.mark.parametrize("current, target", [
    ("succeeded", "pending"), ("succeeded", "failed"), ("succeeded", "cancelled"), ("succeeded", "expired"),
    ("failed", "succeeded"), ("cancelled", "succeeded"), ("expired", "succeeded"), ("expired", "pending"),
    ("refunded", "succeeded"), ("pending", "refunded"), ("pending", "created"), ("pending", "pending"),
])
def test_backward_or_sideways_moves_are_refused(current, target):
    assert not states.can_move(current, target)


def test_every_state_has_its_transitions_and_closed_states_are_final_but_succeeded():
    assert set(states.TRANSITIONS) == set(states.PAYMENT_STATES)
    for state in states.CLOSED_UNPAID + (states.REFUNDED,):
        assert states.TRANSITIONS[state] == frozenset()
    assert states.is_open("created") and states.is_open("pending") and not states.is_open("succeeded")


def test_refunds_move_from_requested_to_a_final_state_only():
    assert states.can_move_refund("requested", "succeeded") and states.can_move_refund("requested", "failed")
    assert not states.can_move_refund("succeeded", "failed") and not states.can_move_refund("failed", "succeeded")
