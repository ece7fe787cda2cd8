"""Logout: RP-initiated (OIDC RP-Initiated Logout 1.0) and back-channel (OIDC Back-Channel Logout 1.0).

When identity ends sessions (logout, password change or reset, device change,
a stolen refresh token, a disabled account) it publishes
`identity.sessions_ended`; inside that transaction `on_sessions_ended` revokes
the tokens clients hold for those sessions and queues one delivery per client
with a `backchannel_logout_uri`. The worker (`scheduled.py`) signs a logout
token and POSTs it; failures are retried with growing waits, then given up.
"""
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from sqlalchemy import select, union, update

from app.common.clock import utcnow
from app.extensions import db
from app.identity.audit import audit
from app.identity.sessions import SessionsEnded, end_session
from app.oidc import keys
from app.oidc.claims import pairwise_subject, session_id_for
from app.oidc.clients import find_client
from app.oidc.models import OidcAuthorizationCode, OidcLogoutDelivery, OidcToken
from app.oidc.people import EndUser
from app.oidc.issuer import current_issuer
from app.oidc.settings import settings

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def on_sessions_ended(ended: SessionsEnded) -> None:
    """Revokes the clients' tokens of the ended sessions and queues back-channel logouts."""
    now = utcnow()
    issuer = current_issuer()
    sessions = list(ended.session_ids)
    db.session.execute(update(OidcToken).where(OidcToken.auth_session_id.in_(sessions),
                                               OidcToken.revoked_at.is_(None)).values(revoked_at=now))
    pairs = union(
        select(OidcToken.client_id, OidcToken.auth_session_id).where(OidcToken.auth_session_id.in_(sessions)),
        select(OidcAuthorizationCode.client_id, OidcAuthorizationCode.auth_session_id)
        .where(OidcAuthorizationCode.auth_session_id.in_(sessions)))
    for client_id, session_id in db.session.execute(pairs).all():
        client = find_client(client_id)
        if client is None or not client.backchannel_logout_uri:
            continue
        db.session.add(OidcLogoutDelivery(client_id=client_id, uri=client.backchannel_logout_uri, issuer=issuer,
                                          account_id=ended.account_id, auth_session_id=session_id,
                                          attempts=0, next_attempt_at=now))


def logout_token(delivery: OidcLogoutDelivery) -> str:
    client = find_client(delivery.client_id)
    now = int(time.time())
    return keys.sign({
        "iss": delivery.issuer, "aud": delivery.client_id, "iat": now, "exp": now + settings().logout_token_ttl_seconds,
        "jti": secrets.token_urlsafe(16), "sub": pairwise_subject(client, delivery.account_id),
        "sid": session_id_for(client, delivery.auth_session_id), "events": {BACKCHANNEL_EVENT: {}},
    }, typ="logout+jwt")


def _post(uri: str, token: str) -> None:
    body = urllib.parse.urlencode({"logout_token": token}).encode()
    outgoing = urllib.request.Request(uri, data=body, method="POST",
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(outgoing, timeout=settings().backchannel_timeout) as response:  # noqa: S310
        if response.status >= 300:
            raise urllib.error.HTTPError(uri, response.status, "refused", response.headers, None)


def deliver_due_logouts(*, limit: int = 50) -> int:
    """Posts the due logout tokens (one worker claims each row); returns how many were delivered."""
    rules = settings()
    now = utcnow()
    due = list(db.session.scalars(select(OidcLogoutDelivery).where(
        OidcLogoutDelivery.delivered_at.is_(None), OidcLogoutDelivery.failed_at.is_(None),
        OidcLogoutDelivery.next_attempt_at <= now).order_by(OidcLogoutDelivery.next_attempt_at).limit(limit)))
    delivered = 0
    for row in due:
        lease = now + timedelta(seconds=60)
        claimed = db.session.execute(update(OidcLogoutDelivery).where(
            OidcLogoutDelivery.id == row.id, OidcLogoutDelivery.next_attempt_at == row.next_attempt_at,
            OidcLogoutDelivery.delivered_at.is_(None)).values(next_attempt_at=lease)).rowcount
        db.session.commit()
        if not claimed:
            continue
        db.session.refresh(row)
        row.attempts += 1
        try:
            _post(row.uri, logout_token(row))
        except (OSError, ValueError) as error:
            row.last_error = str(error)[:255]
            if row.attempts >= rules.backchannel_max_attempts:
                row.failed_at = utcnow()
            else:
                row.next_attempt_at = utcnow() + timedelta(seconds=min(30 * 2 ** row.attempts, 3600))
            audit("oidc.backchannel_failed", ok=False, client_id=row.client_id, attempts=row.attempts)
        else:
            row.delivered_at = utcnow()
            delivered += 1
            audit("oidc.backchannel_delivered", client_id=row.client_id, account_id=row.account_id)
        db.session.commit()
    return delivered


def rp_logout(user: EndUser | None, *, client_id: str | None, post_logout_redirect_uri: str | None,
              id_token_hint: str | None) -> str | None:
    """Ends the citizen's provider session; returns the registered address to return to, if any."""
    hint = keys.verify(id_token_hint) if id_token_hint else None
    client_id = client_id or (hint or {}).get("aud")
    if isinstance(client_id, list):
        client_id = client_id[0] if client_id else None
    client = find_client(client_id)
    if user is not None:
        end_session(user.account_id, user.session_id, "oidc_logout")
        audit("oidc.logout", account_id=user.account_id, session_id=user.session_id, client_id=client_id)
    if client is not None and post_logout_redirect_uri in (client.post_logout_redirect_uris or []):
        return post_logout_redirect_uri
    return None
