"""SMS one-time codes: 6 digits, 5 minutes, single use, stored as a keyed hash.

A *flow* (registration, password reset, login, device binding) sends one code
and maybe resends; each code is one `OtpChallenge` row sharing the flow's
`flow_id`, and only the newest code of a flow verifies. Limits: 5 wrong tries
per code, one code per phone and purpose per 60 s, 5 codes per phone per hour
(decoys counted apart, see `_check_sending_limits`).
Codes reach the phone through the notifications outbox, written in the same
transaction. A flow without an account is a decoy: it behaves the same but
sends nothing, so a password reset for someone else's details looks like any other.
"""
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from app.common.clock import utcnow
from app.common.settings import settings as common_settings
from app.extensions import db
from app.identity.audit import audit
from app.identity.errors import (
    InvalidGrant, InvalidOtp, OtpAttemptsExceeded, OtpExpired, OtpNotFound, OtpQuotaExceeded,
    OtpResendTooSoon, OtpUsed,
)
from app.identity.models import OtpChallenge
from app.identity.settings import seconds, settings
from app.notifications.service import notify

REGISTER, RESET, LOGIN, BIND_DEVICE = "register", "reset", "login", "bind_device"
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class SentCode:
    """What a client learns about a code it asked for (never the code)."""

    flow_id: uuid.UUID
    phone: str
    expires_at: datetime
    resend_at: datetime


def _keyed_hash(*parts: str) -> str:
    key = hashlib.sha256(b"otp|" + common_settings().secret_key.encode()).digest()
    return hmac.new(key, "|".join(parts).encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def start_flow(purpose: str, phone: str, *, account_id: uuid.UUID | None) -> SentCode:
    """Sends the first code of a new flow (the caller commits).

    Without an account the flow is a decoy: limits apply, nothing is sent and
    no code verifies.
    """
    return _send(uuid.uuid4(), purpose, phone, account_id, deliver=account_id is not None)


def resend(flow_id: uuid.UUID) -> SentCode:
    """Sends a fresh code for an existing flow; the previous one stops working."""
    latest = _latest(flow_id)
    if latest is None or latest.used_at is not None:
        raise OtpNotFound()
    return _send(flow_id, latest.purpose, latest.phone, latest.account_id,
                 deliver=latest.account_id is not None)


def _send(flow_id, purpose, phone, account_id, *, deliver: bool) -> SentCode:
    now = utcnow()
    rules = settings()
    _check_sending_limits(phone, purpose, now, decoy=account_id is None)
    db.session.execute(update(OtpChallenge).where(
        OtpChallenge.flow_id == flow_id, OtpChallenge.superseded_at.is_(None),
        OtpChallenge.used_at.is_(None)).values(superseded_at=now))
    code = new_code()
    challenge = OtpChallenge(id=uuid.uuid4(), flow_id=flow_id, purpose=purpose, phone=phone,
                             account_id=account_id, expires_at=now + rules.otp_ttl, created_at=now)
    challenge.code_hash = _keyed_hash(str(challenge.id), code)
    db.session.add(challenge)
    if deliver:
        notify("otp_code", phone=phone, urgent=True, sensitive=True,
               params={"code": code, "purpose": purpose, "minutes": rules.otp_ttl_seconds // 60})
    audit("otp.sent", purpose=purpose, phone=phone, account_id=account_id, flow_id=flow_id)
    return SentCode(flow_id, phone, challenge.expires_at,
                    now + seconds(rules.otp_resend_seconds))


def _check_sending_limits(phone: str, purpose: str, now: datetime, *, decoy: bool) -> None:
    """Per phone limits, counted apart for decoys and for real codes.

    Decoys (an unknown personal id, or details that fit no account) send
    nothing, so a stranger's decoys never use up the citizen's own quota;
    they are limited the same way among themselves, so both answer alike.
    """
    rules = settings()
    kind = OtpChallenge.account_id.is_(None) if decoy else OtpChallenge.account_id.is_not(None)
    last = db.session.scalar(select(func.max(OtpChallenge.created_at)).where(
        OtpChallenge.phone == phone, OtpChallenge.purpose == purpose, kind))
    if last is not None:
        wait = (last + seconds(rules.otp_resend_seconds) - now).total_seconds()
        if wait > 0:
            raise OtpResendTooSoon(headers={"Retry-After": str(int(wait) + 1)})
    recent = list(db.session.scalars(select(OtpChallenge.created_at).where(
        OtpChallenge.phone == phone, OtpChallenge.created_at > now - HOUR, kind
    ).order_by(OtpChallenge.created_at)))
    if len(recent) >= rules.otp_max_per_hour:
        wait = (recent[-rules.otp_max_per_hour] + HOUR - now).total_seconds()
        audit("otp.quota_exceeded", ok=False, phone=phone, purpose=purpose)
        raise OtpQuotaExceeded(headers={"Retry-After": str(int(wait) + 1)})


def _latest(flow_id: uuid.UUID) -> OtpChallenge | None:
    return db.session.scalar(select(OtpChallenge).where(OtpChallenge.flow_id == flow_id)
                             .order_by(OtpChallenge.created_at.desc()).limit(1))


def verify(flow_id: uuid.UUID, code: str, purpose: str) -> OtpChallenge:
    """Checks `code` against the flow's newest code; marks it used.

    A wrong code is counted and committed before the refusal is raised, so
    the limit of wrong tries holds even though the request fails.
    """
    challenge = _latest(flow_id)
    if challenge is None or challenge.purpose != purpose:
        raise OtpNotFound()
    if challenge.used_at is not None:
        raise OtpUsed()
    if challenge.expires_at <= utcnow():
        raise OtpExpired()
    # Take one try atomically: concurrent guesses cannot exceed the limit
    taken = db.session.execute(update(OtpChallenge).where(
        OtpChallenge.id == challenge.id, OtpChallenge.used_at.is_(None),
        OtpChallenge.attempts < settings().otp_max_attempts,
    ).values(attempts=OtpChallenge.attempts + 1)).rowcount
    if not taken:
        raise OtpAttemptsExceeded()
    right = hmac.compare_digest(challenge.code_hash, _keyed_hash(str(challenge.id), str(code)))
    if not right or challenge.account_id is None:  # a decoy never verifies
        db.session.commit()
        audit("otp.failed", ok=False, purpose=purpose, flow_id=flow_id, account_id=challenge.account_id)
        raise InvalidOtp(errors={"code": [InvalidOtp.message]})
    used = db.session.execute(update(OtpChallenge).where(
        OtpChallenge.id == challenge.id, OtpChallenge.used_at.is_(None)).values(used_at=utcnow())).rowcount
    if not used:
        raise OtpUsed()
    audit("otp.verified", purpose=purpose, flow_id=flow_id, account_id=challenge.account_id)
    return challenge


def issue_grant(challenge: OtpChallenge) -> tuple[str, datetime]:
    """A one-time token for the step after phone verification (set a password)."""
    token = secrets.token_urlsafe(32)
    challenge.grant_hash = hashlib.sha256(token.encode()).hexdigest()
    challenge.grant_expires_at = utcnow() + seconds(settings().grant_ttl_seconds)
    return token, challenge.grant_expires_at


def consume_grant(token: str, purpose: str) -> OtpChallenge:
    """The verified challenge behind a grant token; the token works once."""
    digest = hashlib.sha256(str(token).encode()).hexdigest()
    challenge = db.session.scalar(select(OtpChallenge).where(OtpChallenge.grant_hash == digest))
    if (challenge is None or challenge.purpose != purpose or challenge.grant_used_at is not None
            or challenge.grant_expires_at <= utcnow()):
        raise InvalidGrant()
    taken = db.session.execute(update(OtpChallenge).where(
        OtpChallenge.id == challenge.id, OtpChallenge.grant_used_at.is_(None)
    ).values(grant_used_at=utcnow())).rowcount
    if not taken:
        raise InvalidGrant()
    return challenge
