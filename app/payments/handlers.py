"""Reactions to other domains' events, in the publisher's transaction.

A rejected or withdrawn dossier whose fee was paid gets a full refund
recorded here; the gateway is called later by the refund job.
"""
from app.common import events
from app.payments import refunds


def on_dossier_rejected(dossier_id, **_payload) -> None:
    refunds.refund_dossier_fee(dossier_id, "dossier_rejected")


def on_dossier_withdrawn(dossier_id, **_payload) -> None:
    refunds.refund_dossier_fee(dossier_id, "dossier_withdrawn")


def subscribe() -> None:
    """Called once at start (app/payments/__init__.py)."""
    events.subscribe("dossier.rejected", on_dossier_rejected)
    events.subscribe("dossier.withdrawn", on_dossier_withdrawn)
