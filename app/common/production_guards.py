"""What production refuses beyond each domain's own checks: shared rate limits, strong secrets.

The rule for a secret (SECRET_KEY, the callback and gateway secrets, the
metrics token): at least 32 characters, and at least 3 bits of Shannon entropy
per character measured over its own characters (a random hex string has about
3.8, a random base64 string about 4.8; "a" x 32 has 0, "abab..." has 1). For a
key given as base64 bytes (TOTP_ENCRYPTION_KEY, a Fernet key) the same rule
applies to the decoded bytes: exactly 32 bytes, 3 bits per byte. Generate
them with `python -c "import secrets; print(secrets.token_urlsafe(48))"` and
`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
"""
import base64
import binascii
import ipaddress
import math
from collections import Counter

MIN_SECRET_LENGTH = 32
MIN_BITS_PER_SYMBOL = 3.0
TEXT_SECRETS = ("SECRET_KEY", "NOTIFY_CALLBACK_SECRET", "VNPAY_HASH_SECRET", "MOMO_SECRET_KEY", "PAYGOV_SECRET")


def bits_per_symbol(symbols) -> float:
    """Shannon entropy of the symbols' own distribution, in bits per symbol."""
    counts = Counter(symbols)
    total = sum(counts.values())
    if not total:
        return 0.0
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def weak_secret(value: str | None) -> str | None:
    """Why `value` is too weak for a production secret, or None."""
    if not value or len(value) < MIN_SECRET_LENGTH:
        return f"shorter than {MIN_SECRET_LENGTH} characters"
    if bits_per_symbol(value) < MIN_BITS_PER_SYMBOL:
        return "low entropy (repeated characters)"
    return None


def weak_fernet_key(value: str | None) -> str | None:
    try:
        raw = base64.urlsafe_b64decode((value or "").encode())
    except (binascii.Error, ValueError):
        return "not a base64 key (generate it with Fernet.generate_key())"
    if len(raw) != 32:
        return "not 32 bytes of base64 (generate it with Fernet.generate_key())"
    if bits_per_symbol(raw) < MIN_BITS_PER_SYMBOL:
        return "low entropy (repeated bytes)"
    return None


def serving_problems(config) -> list[str]:
    """Rate-limit storage, secrets, development switches: the reasons production may not start."""
    found = []
    storage = config.RATELIMIT_STORAGE_URI or ""
    if storage.startswith("memory://") or not storage:
        found.append("RATELIMIT_STORAGE_URI is memory:// (each worker would count alone); "
                     "use the shared Redis, redis://...")
    if not config.RATELIMIT_ENABLED:
        found.append("RATELIMIT_ENABLED is off")
    for name in TEXT_SECRETS:
        reason = weak_secret(getattr(config, name, None))
        if reason:
            found.append(f"{name} is weak: {reason}")
    reason = weak_fernet_key(config.TOTP_ENCRYPTION_KEY)
    if reason:
        found.append(f"TOTP_ENCRYPTION_KEY is weak: {reason}")
    if not config.METRICS_TOKEN and not config.METRICS_ALLOWED_NETWORKS:
        found.append("METRICS_TOKEN or METRICS_ALLOWED_NETWORKS must protect /metrics")
    elif config.METRICS_TOKEN and (reason := weak_secret(config.METRICS_TOKEN)):
        found.append(f"METRICS_TOKEN is weak: {reason}")
    for network in config.METRICS_ALLOWED_NETWORKS:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            found.append(f"METRICS_ALLOWED_NETWORKS: {network!r} is not an address or network")
    if getattr(config, "DEV_ENDPOINTS", False):
        found.append("DEV_ENDPOINTS is on (development read-back endpoints)")
    return found
