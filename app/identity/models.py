"""Accounts, authenticated sessions, refresh tokens and bound devices."""
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.models import EntityMixin
from app.extensions import db

# Account statuses
PENDING_PHONE = "pending_phone"        # registered, phone not yet verified by SMS OTP
PENDING_PASSWORD = "pending_password"  # phone verified, no password yet
ACTIVE = "active"
DISABLED = "disabled"


class Account(EntityMixin, db.Model):
    """A person's e-ID account (citizen) or a staff account.

    Citizens log in with their personal id; staff with a username. The
    assurance level (1 or 2) applies to citizen accounts.
    """

    __tablename__ = "accounts"

    login: Mapped[str] = mapped_column(String(64), unique=True)
    personal_id: Mapped[str | None] = mapped_column(String(12), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(15))
    role: Mapped[str] = mapped_column(String(16), index=True)
    level: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default=PENDING_PHONE)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)   # encrypted
    totp_confirmed_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Access tokens issued before this instant are refused (logout everywhere,
    # password change, new device, disabled account).
    tokens_valid_after: Mapped[datetime | None]
    # Staff scope
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    commune_code: Mapped[str | None] = mapped_column(String(5))
    activated_at: Mapped[datetime | None]
    level2_at: Mapped[datetime | None]

    @property
    def is_staff(self) -> bool:
        return self.role != "citizen"


class Device(EntityMixin, db.Model):
    """A phone bound to a level-2 account; one bound device at a time."""

    __tablename__ = "devices"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    platform: Mapped[str | None] = mapped_column(String(20))
    bound_at: Mapped[datetime | None]
    unbound_at: Mapped[datetime | None]
    # SHA-256 of the secret the app holds to prove it is this device at login
    secret_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Reported lost: level 2 is suspended until the phone proves itself again
    frozen_at: Mapped[datetime | None]
    frozen_reason: Mapped[str | None] = mapped_column(String(20))


class AuthSession(EntityMixin, db.Model):
    """One logged-in client. Refresh tokens rotate within it; revoking it ends them all."""

    __tablename__ = "auth_sessions"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    methods: Mapped[list] = mapped_column(JSON, default=list)   # amr values
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("devices.id"))
    client_name: Mapped[str | None] = mapped_column(String(100))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    last_seen_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]           # absolute expiry
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(40))

    account: Mapped[Account] = relationship(lazy="joined")


class RefreshToken(EntityMixin, db.Model):
    """An opaque refresh token, stored as its SHA-256. Used once, then rotated."""

    __tablename__ = "refresh_tokens"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_sessions.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]           # idle expiry
    used_at: Mapped[datetime | None]


class OtpChallenge(EntityMixin, db.Model):
    """One SMS one-time code. Resends create a new row in the same flow.

    Clients know the flow by `flow_id`; the newest row of a flow is the only
    one that verifies. After verification a flow may hand out a one-time grant
    (a setup or reset token) for the step that follows.
    """

    __tablename__ = "otp_challenges"
    __table_args__ = (Index("ix_otp_challenges_phone_created", "phone", "created_at"),)

    flow_id: Mapped[uuid.UUID] = mapped_column(index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str] = mapped_column(String(15))
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))        # HMAC-SHA256, keyed
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]
    grant_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    grant_expires_at: Mapped[datetime | None]
    grant_used_at: Mapped[datetime | None]


class PendingLogin(EntityMixin, db.Model):
    """A login whose password was right and whose second factor is awaited."""

    __tablename__ = "pending_logins"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    requested_level: Mapped[int | None] = mapped_column(Integer)
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("devices.id"))
    sms_flow_id: Mapped[uuid.UUID | None]
    client_name: Mapped[str | None] = mapped_column(String(100))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    expires_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]

    account: Mapped[Account] = relationship(lazy="joined")


class LoginThrottle(EntityMixin, db.Model):
    """Failed-login counters for identifiers that have no account.

    Unknown identifiers lock exactly as accounts do, so a lockout does not
    tell whether an account exists. Keyed by a keyed hash of the identifier.
    """

    __tablename__ = "login_throttles"

    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]


class DeviceBinding(EntityMixin, db.Model):
    """Binding a phone to an account: SMS OTP to the registry phone, then TOTP enrolment."""

    __tablename__ = "device_bindings"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_sessions.id"))
    device_name: Mapped[str] = mapped_column(String(100))
    platform: Mapped[str | None] = mapped_column(String(20))
    sms_flow_id: Mapped[uuid.UUID]
    sms_verified_at: Mapped[datetime | None]
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)   # encrypted
    expires_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("devices.id"))
    # What allows this binding: an in-person code (activation, re-proofing), the
    # bound device's approval, or a cooling-off period (see device_change.py)
    authorised_by: Mapped[str | None] = mapped_column(String(20))
    in_person_code_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("identity_in_person_codes.id"))
    approval_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    approved_at: Mapped[datetime | None]
    approved_by_device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("devices.id"))
    effective_at: Mapped[datetime | None]       # cooling-off: the change takes effect then
    reminded_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


# In-person code kinds
ACTIVATION, REPROOFING = "activation", "reproofing"


class InPersonCode(EntityMixin, db.Model):
    """A single-use code handed over at a desk: the first level 2 (activation after
    biometric enrolment) or a re-proofing that lets a new phone replace the bound one."""

    __tablename__ = "identity_in_person_codes"

    kind: Mapped[str] = mapped_column(String(12))
    personal_id: Mapped[str] = mapped_column(String(12), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)   # HMAC-SHA256, keyed
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    issued_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))   # None: registry enrolment
    place: Mapped[str | None] = mapped_column(String(200))
    enrolled_on: Mapped[date | None]
    verifier: Mapped[str | None] = mapped_column(String(20))
    verification_method: Mapped[str | None] = mapped_column(String(20))
    verification_ref: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("identity_reproofing_requests.id"))


class ReproofingRequest(EntityMixin, db.Model):
    """A community helper, with the resident present and consenting, asks for re-proofing;
    only an officer authorises it (issuing an in-person code)."""

    __tablename__ = "identity_reproofing_requests"

    personal_id: Mapped[str] = mapped_column(String(12), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    started_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    consent_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    authorised_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    authorised_at: Mapped[datetime | None]


# QR login statuses
QR_PENDING, QR_SCANNED, QR_APPROVED, QR_DENIED, QR_CONSUMED = (
    "pending", "scanned", "approved", "denied", "consumed")


class QrLogin(EntityMixin, db.Model):
    """A cross-device login: a web client shows a code, a bound phone approves it."""

    __tablename__ = "qr_logins"

    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    poll_secret_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default=QR_PENDING)
    client_name: Mapped[str | None] = mapped_column(String(100))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    expires_at: Mapped[datetime]
    refreshes: Mapped[int] = mapped_column(Integer, default=0)
    # Set when a level-1 session asks for level 2 (step-up) instead of a new login
    step_up_session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("auth_sessions.id"))
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    approver_session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("auth_sessions.id"))
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("auth_sessions.id"))
    decided_at: Mapped[datetime | None]
    consumed_at: Mapped[datetime | None]
