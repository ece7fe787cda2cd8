"""TOTP: RFC 6238 test vectors, secrets, the Key URI, replay refusal, encryption at rest."""
import base64
import hashlib
from datetime import UTC, datetime

import pyotp
import pytest
from cryptography.fernet import InvalidToken

from app.identity import totp

# RFC 6238, appendix B: 8-digit codes for the ASCII seeds below
SEEDS = {
    "sha1": (b"12345678901234567890", hashlib.sha1),
    "sha256": (b"12345678901234567890123456789012", hashlib.sha256),
    "sha512": (b"1234567890123456789012345678901234567890123456789012345678901234", hashlib.sha512),
}
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize("moment, sha1, sha256, sha512", VECTORS)
def test_rfc_6238_vectors(moment, sha1, sha256, sha512):
    for name, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        seed, digest = SEEDS[name]
        secret = base64.b32encode(seed).decode()
        step = moment // totp.PERIOD
        assert totp.code_at_step(secret, step, digits=8, digest=digest) == expected


def test_the_six_digit_code_is_the_last_six_of_the_vector():
    secret = base64.b32encode(SEEDS["sha1"][0]).decode()
    moment = datetime.fromtimestamp(1111111109, UTC)
    assert totp.matching_step(secret, "081804", moment) == 1111111109 // 30


def test_secrets_have_160_random_bits():
    secrets = {totp.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(base64.b32decode(s)) == 20 for s in secrets)


def test_the_key_uri_format():
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, "080******234", "Smart Province")
    assert uri.startswith("otpauth://totp/Smart%20Province:080%2A%2A%2A%2A%2A%2A234?")
    parsed = pyotp.parse_uri(uri)
    assert parsed.secret == secret and parsed.issuer == "Smart Province" and parsed.digits == 6
    assert parsed.interval == 30 and parsed.digest().name == "sha1"


def test_drift_window_and_replay():
    secret = totp.new_secret()
    now = datetime(2026, 11, 21, 8, 0, 15, tzinfo=UTC)
    step = totp.step_of(now)
    code = totp.code_at_step(secret, step)
    assert totp.check_code(secret, code, now, None) == totp.TotpCheck(ok=True, step=step)
    assert totp.check_code(secret, code, now, step) == totp.TotpCheck(ok=False, step=step, replay=True)
    assert totp.check_code(secret, code, now, step + 1).replay
    assert totp.check_code(secret, totp.code_at_step(secret, step - 1), now, None).ok
    assert totp.check_code(secret, totp.code_at_step(secret, step + 1), now, None).ok
    assert not totp.check_code(secret, totp.code_at_step(secret, step - 2), now, None).ok
    assert not totp.check_code(secret, totp.code_at_step(secret, step - 2), now, None).replay


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", None, 123456])
def test_malformed_codes_never_match(code):
    assert totp.matching_step(totp.new_secret(), code, datetime.now(UTC)) is None


def test_encryption_round_trip_and_key_rotation(app):
    secret = totp.new_secret()
    with app.app_context():
        old_key = app.config["TOTP_ENCRYPTION_KEY"]
        blob = totp.encrypt_secret(secret)
        assert secret.encode() not in blob
        assert totp.decrypt_secret(blob) == secret
        try:
            app.config["TOTP_ENCRYPTION_KEY"] = "a-new-key-for-2027," + old_key
            assert totp.decrypt_secret(blob) == secret            # old secrets still readable
            fresh = totp.encrypt_secret(secret)
            app.config["TOTP_ENCRYPTION_KEY"] = "a-new-key-for-2027"
            assert totp.decrypt_secret(fresh) == secret           # new ones use the first key
            with pytest.raises(InvalidToken):
                totp.decrypt_secret(blob)
        finally:
            app.config["TOTP_ENCRYPTION_KEY"] = old_key
