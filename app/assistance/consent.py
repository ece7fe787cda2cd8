"""The resident's consent: a code by SMS to the phone the registry lists, or approval in the app.

The SMS says who asks, for what and for how long; the resident reads the code
aloud to the helper, who types it in. The code (6 digits, 5 minutes, 5 tries,
a new one at most every minute and 5 per session) is stored only as a keyed
hash and never appears in an API answer.
"""
import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import update

from app.assistance import scopes
from app.assistance.errors import (
    ConsentAttemptsExceeded, ConsentCodeExpired, ConsentCodeNotSent, ConsentResendTooSoon, ConsentSendLimit,
    InvalidConsentCode,
)
from app.assistance.models import BY_APP, BY_SMS, Delegation
from app.common.clock import utcnow
from app.common.settings import settings as common_settings
from app.extensions import db
from app.notifications.service import load_recipient, notify

CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
RESEND_WAIT = timedelta(seconds=60)
MAX_SENDS = 5

WHAT = {
    scopes.REGISTER_ACCOUNT: {"vi": "đăng ký tài khoản định danh điện tử",
                              "en": "register your e-ID account"},
    scopes.SUBMIT_DOSSIER: {"vi": "nộp hồ sơ “{procedure}”", "en": "submit a dossier for “{procedure}”"},
    scopes.PAY_FEE: {"vi": "tạo thanh toán lệ phí (liên kết gửi về điện thoại của bạn)",
                     "en": "start paying a fee (the link comes to your phone)"},
    scopes.READ_STATUS: {"vi": "xem tình trạng hồ sơ của bạn", "en": "see the status of your dossiers"},
    scopes.FILE_REPORT: {"vi": "gửi phản ánh hiện trường", "en": "file a report of a problem on the spot"},
}


def describe(delegation: Delegation, locale: str, procedure_name: str | None) -> tuple[str, str]:
    """What the helper asks to do and for how long, in the resident's language."""
    parts = [WHAT[scope][locale].format(procedure=procedure_name or delegation.procedure_code or "")
             for scope in scopes.SCOPES if scope in delegation.scopes]
    hours, minutes = divmod(delegation.duration_minutes, 60)
    if locale == "vi":
        duration = " ".join(filter(None, [f"{hours} giờ" if hours else "", f"{minutes} phút" if minutes else ""]))
    else:
        duration = " ".join(filter(None, [f"{hours} hour{'s' * (hours > 1)}" if hours else "",
                                          f"{minutes} minutes" if minutes else ""]))
    return "; ".join(parts), duration


def _hash(delegation: Delegation, code: str) -> str:
    key = hashlib.sha256(b"assistance-consent|" + common_settings().secret_key.encode()).digest()
    return hmac.new(key, f"{delegation.id}|{code}".encode(), hashlib.sha256).hexdigest()


def send_code(delegation: Delegation, phone: str, *, assistant_name: str, procedure_name: str | None) -> None:
    """Sends a fresh consent code to `phone` (the caller commits); the previous code stops working."""
    now = utcnow()
    if delegation.consent_sends >= MAX_SENDS:
        raise ConsentSendLimit()
    if delegation.consent_sent_at is not None and delegation.consent_sent_at + RESEND_WAIT > now:
        wait = int((delegation.consent_sent_at + RESEND_WAIT - now).total_seconds()) + 1
        raise ConsentResendTooSoon(headers={"Retry-After": str(wait)})
    code = f"{secrets.randbelow(10**6):06d}"
    delegation.consent_method, delegation.consent_phone = BY_SMS, phone
    delegation.consent_code_hash = _hash(delegation, code)
    delegation.consent_code_expires_at = now + CODE_TTL
    delegation.consent_sent_at, delegation.consent_attempts = now, 0
    delegation.consent_sends = (delegation.consent_sends or 0) + 1
    locale = load_recipient(delegation.subject_account_id, phone).locale
    what, duration = describe(delegation, locale, procedure_name)
    notify("assistance_consent_code", account_id=delegation.subject_account_id, phone=phone, locale=locale,
           urgent=True, sensitive=True,
           params={"code": code, "assistant_name": assistant_name, "what": what, "duration": duration})


def request_in_app(delegation: Delegation, *, assistant_name: str) -> None:
    """Asks the resident to approve in the app (inbox and push; the caller commits)."""
    delegation.consent_method, delegation.consent_phone = BY_APP, None
    delegation.consent_code_hash = delegation.consent_code_expires_at = None
    delegation.consent_sent_at = utcnow()
    notify("consent_requested", account_id=delegation.subject_account_id, urgent=True,
           params={"assistant_name": assistant_name})


def check_code(delegation: Delegation, code: str) -> None:
    """Accepts the right code once; a wrong one is counted and committed before the refusal."""
    if delegation.consent_method != BY_SMS or delegation.consent_code_hash is None:
        raise ConsentCodeNotSent()
    if delegation.consent_code_expires_at <= utcnow():
        raise ConsentCodeExpired()
    # One try taken atomically: concurrent guesses cannot pass the limit
    taken = db.session.execute(update(Delegation).where(
        Delegation.id == delegation.id, Delegation.consent_attempts < MAX_ATTEMPTS
    ).values(consent_attempts=Delegation.consent_attempts + 1),
        execution_options={"synchronize_session": "fetch"}).rowcount
    if not taken:
        raise ConsentAttemptsExceeded()
    right = _hash(delegation, str(code))
    if not hmac.compare_digest(delegation.consent_code_hash, right):
        db.session.commit()
        raise InvalidConsentCode(errors={"code": [InvalidConsentCode.message]})
    # Single use, also when the same code arrives twice at once
    used = db.session.execute(update(Delegation).where(
        Delegation.id == delegation.id, Delegation.consent_code_hash == right
    ).values(consent_code_hash=None), execution_options={"synchronize_session": "fetch"}).rowcount
    if not used:
        raise ConsentCodeNotSent()
