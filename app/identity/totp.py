"""TOTP (RFC 6238) for authenticator apps, with secrets encrypted at rest.

Secrets are 160 random bits (RFC 4226 recommends at least 128, 160 for SHA-1),
shown once as base32, as an `otpauth://` URI in the Key URI format
authenticator apps read, and as a QR code of that URI. At rest they are
encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived with HKDF
from `TOTP_ENCRYPTION_KEY`; several comma-separated keys may be configured to
rotate (the first encrypts, all decrypt). A code is accepted once per 30-second
step: the last accepted step is stored and a code of that step or an earlier
one is refused as a replay.
"""
import base64
import hmac
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import pyotp
from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.identity.settings import keys

DIGITS = 6
PERIOD = 30
SECRET_BYTES = 20          # 160 bits
VALID_WINDOW = 1           # one step either side for clock drift


def new_secret() -> str:
    return pyotp.random_base32(length=SECRET_BYTES * 8 // 5)


def encrypt_secret(secret: str) -> bytes:
    return _fernet(keys().totp_encryption_key).encrypt(secret.encode())


def decrypt_secret(blob: bytes) -> str:
    return _fernet(keys().totp_encryption_key).decrypt(blob).decode()


@cache
def _fernet(configured: str) -> MultiFernet:
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    return MultiFernet([Fernet(_derive(k)) for k in keys])


def _derive(key: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"smart-province",
               info=b"totp-secret-encryption").derive(key.encode())
    return base64.urlsafe_b64encode(raw)


def provisioning_uri(secret: str, account_name: str, issuer: str) -> str:
    """otpauth://totp/Issuer:name?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30"""
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD, issuer=issuer, name=account_name)
    return uri.provisioning_uri()


def step_of(moment: datetime) -> int:
    return int(moment.timestamp()) // PERIOD


def code_at_step(secret: str, step: int, *, digits: int = DIGITS, digest=None) -> str:
    totp = pyotp.TOTP(secret, digits=digits, interval=PERIOD, **({"digest": digest} if digest else {}))
    return totp.generate_otp(step)


def matching_step(secret: str, code: str, moment: datetime) -> int | None:
    """The time step (within the drift window) whose code is `code`, or None."""
    if not (isinstance(code, str) and len(code) == DIGITS and code.isascii() and code.isdigit()):
        return None
    now = step_of(moment)
    found = None
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        # compare every candidate, so the time taken does not depend on which matched
        if hmac.compare_digest(code_at_step(secret, step), code):
            found = step
    return found


@dataclass(frozen=True)
class TotpCheck:
    ok: bool
    step: int | None = None
    replay: bool = False


def check_code(secret: str, code: str, moment: datetime, last_step: int | None) -> TotpCheck:
    """Accepts a code once: a step at or before `last_step` is a replay."""
    step = matching_step(secret, code, moment)
    if step is None:
        return TotpCheck(ok=False)
    if last_step is not None and step <= last_step:
        return TotpCheck(ok=False, step=step, replay=True)
    return TotpCheck(ok=True, step=step)
