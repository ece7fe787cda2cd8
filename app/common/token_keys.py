"""The keys that sign and verify access tokens (EdDSA, Ed25519), named by `kid`.

- One signing key: JWT_PRIVATE_KEY (PEM text) or JWT_PRIVATE_KEY_FILE (a PEM
  file, e.g. a Docker secret). Its `kid` is the RFC 7638 thumbprint of its
  public key (base64url SHA-256 of the canonical JWK), so no one has to name
  keys by hand and two different keys never share a kid.
- Any number of further verification keys: JWT_PUBLIC_KEYS_FILE, a PEM file
  holding one or more public keys (the previous key during a rotation, or the
  next one published in advance). Tokens signed by any of them are accepted
  until they expire; a token whose kid is none of them is refused.
- Development and tests without JWT_PRIVATE_KEY: the key is derived from
  SECRET_KEY (HKDF-SHA256, a label of its own), so every worker process of one
  deployment derives the same key and no key file is needed. Production
  refuses to start without JWT_PRIVATE_KEY(_FILE) (app/common/production_guards.py).

Services that verify tokens need only the public keys: `flask identity jwks`
prints them as a JWKS document.
"""
import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

ALGORITHM = "EdDSA"
_KEY = "access_token_keys"


@dataclass(frozen=True)
class TokenKeys:
    signing_kid: str
    signing_key: Ed25519PrivateKey
    verifying: dict[str, Ed25519PublicKey]   # kid -> public key, the signing key's included
    # access tokens already verified with these keys -> their claims (app/identity/tokens.py)
    verified_claims: dict = field(default_factory=dict, compare=False, repr=False)

    def jwks(self) -> dict:
        return {"keys": [{**_jwk(key), "kid": kid, "alg": ALGORITHM, "use": "sig"}
                         for kid, key in self.verifying.items()]}


def token_keys() -> TokenKeys:
    """The current app's keys (read once per app)."""
    keys = current_app.extensions.get(_KEY)
    if keys is None:
        keys = load_token_keys(current_app.config)
        current_app.extensions[_KEY] = keys
    return keys


def load_token_keys(config) -> TokenKeys:
    signing = _private_key(config)
    kid = thumbprint(signing.public_key())
    verifying = {kid: signing.public_key()}
    for public in _public_keys(config):
        verifying.setdefault(thumbprint(public), public)
    return TokenKeys(kid, signing, verifying)


def configured_private_key_pem(config) -> bytes | None:
    if config.get("JWT_PRIVATE_KEY"):
        return config["JWT_PRIVATE_KEY"].replace("\\n", "\n").encode()
    if config.get("JWT_PRIVATE_KEY_FILE"):
        return Path(config["JWT_PRIVATE_KEY_FILE"]).read_bytes()
    return None


def _private_key(config) -> Ed25519PrivateKey:
    pem = configured_private_key_pem(config)
    if pem is None:
        seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"smart-province access-token signing key").derive(config["SECRET_KEY"].encode())
        return Ed25519PrivateKey.from_private_bytes(seed)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("JWT_PRIVATE_KEY must be an Ed25519 private key (openssl genpkey -algorithm ed25519)")
    return key


def _public_keys(config) -> list[Ed25519PublicKey]:
    path = config.get("JWT_PUBLIC_KEYS_FILE")
    if not path:
        return []
    text = Path(path).read_text()
    blocks = [f"-----BEGIN PUBLIC KEY-----{b.split('-----END PUBLIC KEY-----')[0]}-----END PUBLIC KEY-----\n"
              for b in text.split("-----BEGIN PUBLIC KEY-----")[1:]]
    keys = [serialization.load_pem_public_key(block.encode()) for block in blocks]
    if not all(isinstance(key, Ed25519PublicKey) for key in keys):
        raise ValueError("JWT_PUBLIC_KEYS_FILE must hold Ed25519 public keys")
    return keys


def _jwk(key: Ed25519PublicKey) -> dict:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"crv": "Ed25519", "kty": "OKP", "x": _b64(raw)}


def thumbprint(key: Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint: SHA-256 of the required members in lexicographic order."""
    canonical = json.dumps(_jwk(key), separators=(",", ":"), sort_keys=True).encode()
    return _b64(hashlib.sha256(canonical).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def key_problems(config) -> list[str]:
    """Production: a configured, readable Ed25519 signing key and readable verification keys."""
    settings = {name: getattr(config, name, "") for name in
                ("JWT_PRIVATE_KEY", "JWT_PRIVATE_KEY_FILE", "JWT_PUBLIC_KEYS_FILE", "SECRET_KEY")}
    if not settings["JWT_PRIVATE_KEY"] and not settings["JWT_PRIVATE_KEY_FILE"]:
        return ["JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE (an Ed25519 private key) is required; "
                "production does not derive the token key from SECRET_KEY"]
    try:
        load_token_keys(settings)
    except (OSError, ValueError, TypeError) as error:
        return [f"JWT_PRIVATE_KEY / JWT_PUBLIC_KEYS_FILE cannot be used: {error}"]
    return []
