"""Passwords: the NIST SP 800-63B rules, and argon2id hashing.

Rules: at least 8 characters; up to 256 accepted, never truncated; refused
when on the list of common and breached passwords (`data/common_passwords.txt.gz`,
see its build script) or when built from the holder's own personal id, phone,
name or date of birth. No composition rules (NIST advises against them).
Passwords are compared after Unicode NFKC normalisation, as 63B asks.
"""
import gzip
import re
import unicodedata
from datetime import date
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from app.errors import N_
from app.identity.errors import WeakPassword
from app.identity.settings import keys

MIN_LENGTH = 8
MAX_LENGTH = 256
COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common_passwords.txt.gz"

REASONS = {
    "short": N_("A password has at least 8 characters."),
    "long": N_("A password has at most 256 characters."),
    "common": N_("This password is too common: it appears in lists of leaked passwords."),
    "personal": N_("Do not build the password from your personal id, phone, name or date of birth."),
}


def normalize(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def check_password(password: str, *, personal_id: str | None = None, phone: str | None = None,
                   full_name: str | None = None, date_of_birth: date | None = None) -> str:
    """The normalised password, or WeakPassword saying why it is refused."""
    password = normalize(password)
    if len(password) < MIN_LENGTH:
        _refuse("short")
    if len(password) > MAX_LENGTH:
        _refuse("long")
    if _is_common(password):
        _refuse("common")
    if _is_personal(password, personal_id, phone, full_name, date_of_birth):
        _refuse("personal")
    return password


def _refuse(reason: str):
    raise WeakPassword(errors={"password": [REASONS[reason]]})


def _is_common(password: str) -> bool:
    lowered = password.lower()
    # "iloveyou2025!" is as weak as "iloveyou": also test the word without its tail
    stem = re.sub(r"[\d\W_]+$", "", lowered)
    listed = common_passwords()
    return lowered in listed or (len(stem) >= MIN_LENGTH and stem in listed)


def fold(text: str) -> str:
    """Lowercase ASCII letters and digits only: 'Nguyễn Văn Đạt' -> 'nguyenvandat'."""
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in text if c.isascii() and c.isalnum()).lower()


def _is_personal(password, personal_id, phone, full_name, date_of_birth) -> bool:
    folded = fold(password)
    pieces = []
    if personal_id:
        pieces += [personal_id, personal_id[-6:] + personal_id[:6]]
    if phone:
        digits = re.sub(r"\D", "", phone)
        pieces += [digits[-9:]]
    if full_name and len(fold(full_name)) >= 4:
        pieces.append(fold(full_name))
    if date_of_birth:
        pieces += [date_of_birth.strftime("%d%m%Y"), date_of_birth.strftime("%Y%m%d")]
    if any(piece and piece in folded for piece in pieces):
        return True
    # A password that is only the letters of the name plus digits or symbols
    letters = re.sub(r"[^a-z]", "", folded)
    return bool(full_name) and len(letters) >= 2 and letters in {fold(full_name), fold(full_name.split()[-1])}


# --- hashing ---------------------------------------------------------------

def _hasher() -> PasswordHasher:
    k = keys()
    return _hasher_for(k.argon2_time_cost, k.argon2_memory_cost, k.argon2_parallelism)


@cache
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                          parallelism=parallelism, type=Type.ID)


@cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return _hasher_for(time_cost, memory_cost, parallelism).hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher().hash(normalize(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; without a hash a dummy one is checked, taking the same time."""
    hasher = _hasher()
    if not password_hash:
        k = keys()
        password_hash = _dummy_hash(k.argon2_time_cost, k.argon2_memory_cost, k.argon2_parallelism)
        _verify(hasher, password_hash, password)
        return False
    return _verify(hasher, password_hash, password)


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, normalize(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
