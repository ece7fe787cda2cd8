"""Access tokens: short-lived signed JWTs (RFC 9068 profile, EdDSA with a `kid`).

Claims: iss, aud, typ, sub (account id), role, acr (assurance level), amr
(methods used, RFC 8176 values: pwd, sms, otp for TOTP, plus qr for a QR
approval), sid (session), did (device, when bound), iat, exp, jti.
Delegated tokens (community helpers acting for a resident) also carry `act`
(the helper) and `scope`. Only EdDSA is accepted, with one of the configured
verification keys named by the header's `kid` (app/common/token_keys.py), so
`alg: none`, algorithm confusion and unknown keys are refused by construction;
keys rotate without logging anyone out (docs/operations.md, "Key rotation").
"""
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt

from app.common.clock import utcnow
from app.identity.errors import InvalidToken
from app.identity.settings import keys
from app.common.token_keys import ALGORITHM, token_keys

ACCESS = "access"
DELEGATED = "delegated"
ACCESS_TOKEN_TTL = timedelta(minutes=15)


def _settings():
    k = keys()
    return k.token_issuer, k.token_audience


def issue_access_token(*, account_id: uuid.UUID, role: str, level: int, methods: list[str],
                       session_id: uuid.UUID, device_id: uuid.UUID | None = None,
                       token_type: str = ACCESS, extra: dict | None = None,
                       ttl: timedelta = ACCESS_TOKEN_TTL) -> str:
    issuer, audience = _settings()
    now = utcnow()
    claims = {
        "iss": issuer, "aud": audience, "typ": token_type,
        "sub": str(account_id), "role": role, "acr": str(level), "amr": list(methods),
        # iat keeps microseconds, so a per-account cutoff taken a moment ago
        # refuses every earlier token and none issued after it
        "sid": str(session_id), "iat": now.timestamp(),
        "exp": int((now + ttl).timestamp()), "jti": secrets.token_urlsafe(12),
    }
    if device_id:
        claims["did"] = str(device_id)
    claims.update(extra or {})
    keys = token_keys()
    return jwt.encode(claims, keys.signing_key, algorithm=ALGORITHM, headers={"typ": "at+jwt", "kid": keys.signing_kid})


@dataclass(frozen=True)
class TokenClaims:
    account_id: uuid.UUID
    role: str
    level: int
    methods: tuple[str, ...]
    session_id: uuid.UUID
    device_id: uuid.UUID | None
    token_type: str
    issued_at: float
    raw: dict


VERIFIED_TOKENS_KEPT = 4096


def decode_access_token(token: str, *, allowed_types=(ACCESS, DELEGATED)) -> TokenClaims:
    """Verify key (by kid), signature, algorithm, issuer, audience, expiry and type."""
    try:
        claims = _verified_claims(token)
        if claims["exp"] <= datetime.now(timezone.utc).timestamp():
            raise InvalidToken()
        if claims["typ"] not in allowed_types:
            raise InvalidToken()
        return TokenClaims(
            account_id=uuid.UUID(claims["sub"]), role=claims["role"], level=int(claims["acr"]),
            methods=tuple(claims.get("amr", ())), session_id=uuid.UUID(claims["sid"]),
            device_id=uuid.UUID(claims["did"]) if claims.get("did") else None,
            token_type=claims["typ"], issued_at=float(claims["iat"]), raw=claims,
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as error:
        raise InvalidToken() from error


def _verified_claims(token: str) -> dict:
    """The claims of a token whose signature, key, algorithm, issuer and audience were checked.

    A token's signature stays valid for its whole life, so each process checks it once and
    keeps the claims (the signature check and decoding were a tenth of a short read's CPU);
    expiry and everything about the session are checked on every use. Only tokens that
    passed are kept, in the app's key set, so a key rotation starts afresh; past
    VERIFIED_TOKENS_KEPT the kept claims are dropped and re-checked as they come.
    """
    keys = token_keys()
    claims = keys.verified_claims.get(token)
    if claims is not None:
        return claims
    key = keys.verifying.get(jwt.get_unverified_header(token).get("kid"))
    if key is None:
        raise InvalidToken()
    issuer, audience = _settings()
    claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=issuer, audience=audience,
                        options={"require": ["exp", "iat", "sub", "sid", "typ", "acr"]}, leeway=0)
    if len(keys.verified_claims) >= VERIFIED_TOKENS_KEPT:
        keys.verified_claims.clear()
    keys.verified_claims[token] = claims
    return claims
