"""The provider's periodic jobs, run by the worker: back-channel logouts, expired rows."""
from sqlalchemy import delete

from app.common.clock import utcnow
from app.extensions import db
from app.common.jobs import register_periodic
from app.oidc.logout import deliver_due_logouts
from app.oidc.models import OidcAuthRequest, OidcUsedAssertion


def deliver_backchannel_logouts() -> int:
    """Signs and POSTs the queued back-channel logout tokens."""
    return deliver_due_logouts()


def purge_expired_rows() -> None:
    now = utcnow()
    db.session.execute(delete(OidcAuthRequest).where(OidcAuthRequest.expires_at < now))
    db.session.execute(delete(OidcUsedAssertion).where(OidcUsedAssertion.expires_at < now))


register_periodic("oidc.backchannel_logouts", 10, deliver_backchannel_logouts)
register_periodic("oidc.purge_expired_rows", 3600, purge_expired_rows)
