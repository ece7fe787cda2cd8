"""The provider's signing keys: ES256, each named by a `kid`, rotated.

One key signs at a time (the newest not retired). When it is older than
`OIDC_KEY_ROTATION_DAYS` the next signature first creates a new key and
retires the old one; a retired key stays in the JWKS until every token it
signed has expired (the longest token lifetime after retirement), so relying
parties that cached the JWKS keep validating. `flask oidc rotate-keys` forces a
rotation (after a suspected compromise, retire with `--now` to drop it at once).
"""
import json
import secrets
from datetime import timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet
from sqlalchemy import or_, select

from app.common.clock import utcnow
from app.extensions import db
from app.oidc.models import OidcSigningKey
from app.oidc.settings import settings

ALGORITHM = "ES256"


def _new_key() -> OidcSigningKey:
    key = ECKey.generate_key("P-256", private=True)
    kid = f"{utcnow():%Y%m%d}-{secrets.token_hex(4)}"
    public = {**key.as_dict(private=False), "kid": kid, "use": "sig", "alg": ALGORITHM}
    row = OidcSigningKey(kid=kid, alg=ALGORITHM, private_jwk=json.dumps(key.as_dict(private=True)),
                         public_jwk=public)
    db.session.add(row)
    db.session.flush()
    return row


def current_key() -> OidcSigningKey:
    """The key that signs now; rotates (and retires the old one) when it is due."""
    now = utcnow()
    row = db.session.scalar(select(OidcSigningKey).where(OidcSigningKey.retired_at.is_(None))
                            .order_by(OidcSigningKey.created_at.desc()).limit(1))
    if row is not None and row.created_at + timedelta(days=settings().key_rotation_days) > now:
        return row
    row = rotate_keys()
    db.session.commit()          # a signature made with it must be verifiable by the next request
    return row


def rotate_keys(*, drop_old_now: bool = False) -> OidcSigningKey:
    """A new signing key; the previous ones are retired (published until their tokens expired)."""
    now = utcnow()
    keep = timedelta(seconds=0 if drop_old_now else settings().longest_token_seconds)
    for old in db.session.scalars(select(OidcSigningKey).where(OidcSigningKey.retired_at.is_(None))):
        old.retired_at, old.unpublish_after = now, now + keep
    return _new_key()


def published_keys() -> list[OidcSigningKey]:
    now = utcnow()
    return list(db.session.scalars(select(OidcSigningKey).where(
        or_(OidcSigningKey.unpublish_after.is_(None), OidcSigningKey.unpublish_after > now))
        .order_by(OidcSigningKey.created_at.desc())))


def jwks() -> dict:
    """The public JWK Set served at `jwks_uri`; the first key is made here if none signed yet,
    so a relying party that caches the set before the first login does not cache it empty."""
    current_key()
    return {"keys": [dict(row.public_jwk) for row in published_keys()]}


def sign(claims: dict, *, typ: str | None = None) -> str:
    """A compact JWS of `claims` signed with the current key (header carries the kid)."""
    row = current_key()
    header = {"alg": row.alg, "kid": row.kid}
    if typ:
        header["typ"] = typ
    return jwt.encode(header, claims, ECKey.import_key(json.loads(row.private_jwk)), [row.alg])


def private_key_set() -> tuple[str, KeySet]:
    """The current kid and a key set holding its private key (for Authlib's ID token signer)."""
    row = current_key()
    key = ECKey.import_key(json.loads(row.private_jwk), {"kid": row.kid, "alg": row.alg, "use": "sig"})
    return row.kid, KeySet([key])


def verify(token: str) -> dict | None:
    """The claims of a token we signed with a published key (expiry not checked), or None."""
    keys = KeySet([ECKey.import_key(dict(row.public_jwk)) for row in published_keys()])
    try:
        return dict(jwt.decode(token, keys, [ALGORITHM]).claims)
    except (JoseError, ValueError, TypeError):
        return None
