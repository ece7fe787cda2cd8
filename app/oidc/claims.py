"""Claims released to a relying party: subject identifiers and registry facts behind scopes.

Subjects are pairwise by default (OIDC Core §8.1): the same citizen has a
different, stable `sub` at each sector, so two portals cannot join their users.
The personal id leaves only in the `vn_personal_id` claim, only for clients
allowed to receive it and only when the citizen consented to that scope.
"""
import base64
import hashlib
import hmac
import uuid


from app.common.settings import settings as common_settings
from app.oidc.assurance import PERSONAL_ID_SCOPE
from app.oidc.models import OidcClient
from app.oidc.people import account_facts
from app.registry.adapter import get_registry


def _salt() -> bytes:
    return hashlib.sha256(b"oidc-pairwise|" + common_settings().secret_key.encode()).digest()


def pairwise_subject(client: OidcClient, account_id: uuid.UUID) -> str:
    digest = hmac.new(_salt(), f"{client.sector_identifier}|{account_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def session_id_for(client: OidcClient, session_id: uuid.UUID) -> str:
    """The `sid` a client sees for an identity session (per client, not the internal id)."""
    digest = hmac.new(_salt(), f"sid|{client.client_id}|{session_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def _split_name(full_name: str) -> tuple[str, str]:
    family, _, rest = full_name.partition(" ")
    given = rest.rsplit(" ", 1)[-1] if rest else ""
    return family, given


def user_claims(client: OidcClient, account_id: uuid.UUID, scopes: list[str]) -> dict:
    """`sub` plus the claims of the granted scopes, read from the population registry."""
    claims: dict = {"sub": pairwise_subject(client, account_id)}
    facts = account_facts(account_id)
    if facts is None:
        return claims
    record = get_registry().find_citizen(facts.personal_id) if facts.personal_id else None
    if "profile" in scopes:
        name = record.full_name if record else facts.full_name
        family, given = _split_name(name)
        claims.update(name=name, family_name=family, given_name=given)
        if record:
            claims.update(birthdate=record.date_of_birth.isoformat(), gender=record.gender)
    if "phone" in scopes and facts.phone:
        claims.update(phone_number=facts.phone, phone_number_verified=True)
    if "address" in scopes and record:
        claims["address"] = {"formatted": record.permanent_address, "country": "VN",
                             "vn_commune_code": record.permanent_commune_code}
        claims["current_address"] = {"formatted": record.current_address, "country": "VN",
                                     "vn_commune_code": record.current_commune_code}
    if PERSONAL_ID_SCOPE in scopes and client.may_receive_personal_id and facts.personal_id:
        claims["vn_personal_id"] = facts.personal_id
    return claims
