"""Periodic clean-up of the identity domain's short-lived rows (run by the worker).

SMS challenges, pending logins, device bindings and QR logins matter for
minutes; they are kept a day (for the security log's sake and the per-phone
hourly limit) and then deleted. Failure counters of unknown logins go once no
lock holds and nothing failed for a day. Spent or expired refresh tokens of
sessions go too; the sessions themselves stay (the account's history).
"""
from datetime import timedelta

from sqlalchemy import delete, or_

from app.common.clock import utcnow
from app.extensions import db
from app.identity.device_change import apply_due_changes
from app.identity.models import DeviceBinding, LoginThrottle, OtpChallenge, PendingLogin, QrLogin, RefreshToken
from app.common.jobs import register_periodic

KEEP = timedelta(days=1)


def purge_expired_rows() -> int:
    """Deletes what expired more than a day ago; returns how many rows went."""
    cutoff = utcnow() - KEEP
    statements = [
        delete(PendingLogin).where(PendingLogin.expires_at < cutoff),
        delete(OtpChallenge).where(OtpChallenge.created_at < cutoff, OtpChallenge.expires_at < cutoff,
                                   or_(OtpChallenge.grant_expires_at.is_(None),
                                       OtpChallenge.grant_expires_at < cutoff)),
        delete(DeviceBinding).where(DeviceBinding.expires_at < cutoff),
        delete(QrLogin).where(QrLogin.expires_at < cutoff),
        delete(LoginThrottle).where(LoginThrottle.updated_at < cutoff,
                                    or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < cutoff)),
        delete(RefreshToken).where(or_(RefreshToken.expires_at < cutoff, RefreshToken.used_at < cutoff)),
    ]
    return sum(db.session.execute(s.execution_options(synchronize_session=False)).rowcount for s in statements)


register_periodic("identity.purge_expired_rows", 3600, purge_expired_rows)

# Cooling-off device changes: the reminder before, the change when due (no-op when the policy is off)
register_periodic("identity.apply_due_device_changes", 300, apply_due_changes)
