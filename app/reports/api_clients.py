"""API keys of partner applications that file reports through Open311 (kept hashed)."""
import hashlib
import secrets

from sqlalchemy import select

from app.extensions import db
from app.reports.errors import ApiKeyInvalid
from app.reports.models import ReportApiClient

KEY_PREFIX = "o311_"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key(name: str, *, created_by=None, key: str | None = None) -> tuple[ReportApiClient, str]:
    """A new client and its key (shown once). `key` fixes it (the development seed only). Caller commits."""
    key = key or KEY_PREFIX + secrets.token_urlsafe(24)
    client = ReportApiClient(name=name.strip(), key_hash=key_hash(key), key_hint=key[:10], created_by=created_by)
    db.session.add(client)
    return client, key


def client_for(key: str | None) -> ReportApiClient:
    if not key:
        raise ApiKeyInvalid()
    client = db.session.scalar(select(ReportApiClient).where(ReportApiClient.key_hash == key_hash(key)))
    if client is None or not client.active:
        raise ApiKeyInvalid()
    return client


def issue_for_partner(name: str, *, created_by) -> dict:
    """An admin issues a key: committed, and the key returned this once."""
    client, key = issue_key(name, created_by=created_by)
    db.session.commit()
    return {"id": client.id, "name": client.name, "api_key": key}
