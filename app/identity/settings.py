"""The identity domain's tunables, with defaults; each may be overridden in the config.

Keys are `IDENTITY_<NAME>` (for example `IDENTITY_OTP_TTL_SECONDS=300`,
`IDENTITY_LOGIN_RATE_LIMIT="10 per minute;100 per hour"`).
"""
from dataclasses import dataclass, fields
from datetime import timedelta

from flask import current_app


@dataclass(frozen=True)
class IdentitySettings:
    otp_ttl_seconds: int = 300            # SMS codes live 5 minutes
    otp_max_attempts: int = 5             # wrong tries per code
    otp_resend_seconds: int = 60          # between two codes to one phone for one purpose
    otp_max_per_hour: int = 5             # codes per phone per hour
    grant_ttl_seconds: int = 600          # setup / reset token after phone verification
    login_ttl_seconds: int = 300          # password accepted, second factor awaited
    max_failed_logins: int = 5
    lockout_seconds: int = 900            # 15 minutes, doubled on every repeat
    max_lockout_seconds: int = 86400
    binding_ttl_seconds: int = 900
    qr_ttl_seconds: int = 120
    qr_max_lifetime_seconds: int = 600    # refreshes stop after this
    qr_poll_max_wait_seconds: int = 25
    qr_poll_check_seconds: float = 1.0
    totp_issuer: str = "Smart Province"
    login_rate_limit: str = "10 per minute;100 per hour"
    refresh_rate_limit: str = "30 per minute;600 per hour"
    otp_send_rate_limit: str = "5 per minute;30 per hour"
    otp_verify_rate_limit: str = "20 per minute;200 per hour"
    qr_rate_limit: str = "20 per minute"
    qr_poll_rate_limit: str = "120 per minute"
    # Level 2 and device changes (docs/identity-level2.md)
    activation_ttl_hours: int = 168       # in-person activation code; never more than 7 days
    reproofing_code_ttl_seconds: int = 1800   # the short code an officer hands over
    reproofing_request_ttl_seconds: int = 3600
    in_person_code_max_attempts: int = 5  # wrong codes before the account's open codes stop working
    rebind_cooling_off_hours: int = 0     # 0: off; otherwise a device change waits this long
    rebind_reminder_hours: int = 24       # the reminder goes this long before a change takes effect
    verifier: str = "mock"                # IdentityVerifier adapter for in-person checks
    # Reset and registration answer no sooner than this, whether or not the account
    # exists (the genuine path writes the SMS to the outbox, a decoy does not)
    answer_floor_ms: int = 150

    @property
    def otp_ttl(self) -> timedelta:
        return timedelta(seconds=self.otp_ttl_seconds)

    @property
    def activation_ttl(self) -> timedelta:
        return timedelta(hours=min(self.activation_ttl_hours, MAX_ACTIVATION_HOURS))


MAX_ACTIVATION_HOURS = 168     # an activation code never lives longer than 7 days


def settings() -> IdentitySettings:
    """The settings of the current app (built once per app)."""
    cached = current_app.extensions.get("identity_settings")
    if cached is None:
        config = current_app.config
        overrides = {f.name: f.type(config[key]) if isinstance(f.type, type) else config[key]
                     for f in fields(IdentitySettings)
                     if (key := f"IDENTITY_{f.name.upper()}") in config}
        cached = IdentitySettings(**overrides)
        current_app.extensions["identity_settings"] = cached
    return cached


@dataclass(frozen=True)
class IdentityKeys:
    """Keys and costs of the identity domain, from the app-wide configuration keys."""
    token_issuer: str
    token_audience: str
    totp_encryption_key: str       # encrypts TOTP secrets at rest
    argon2_time_cost: int
    argon2_memory_cost: int
    argon2_parallelism: int


def keys() -> IdentityKeys:
    """Read on each call (not cached): tests change the hashing costs of a running app."""
    config = current_app.config
    return IdentityKeys(
        token_issuer=config.get("JWT_ISSUER", "smart-province"),
        token_audience=config.get("JWT_AUDIENCE", "smart-province-api"),
        totp_encryption_key=config["TOTP_ENCRYPTION_KEY"], argon2_time_cost=config["ARGON2_TIME_COST"],
        argon2_memory_cost=config["ARGON2_MEMORY_COST"], argon2_parallelism=config["ARGON2_PARALLELISM"],
    )


def seconds(value: int | float) -> timedelta:
    return timedelta(seconds=value)
