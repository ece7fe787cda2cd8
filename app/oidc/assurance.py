"""Assurance levels as OpenID `acr` values, and the scopes with the claims behind them.

Pure: no database, no Flask. Level 1 (mức 1): password plus an SMS or TOTP code.
Level 2 (mức 2): an account enrolled in person (biometrics in the registry), a
session proven with the bound device (TOTP from its authenticator or a QR
approval from the phone); an SMS code never reaches it.
"""
ACR_PREFIX = "urn:vn:smart-province:acr:"
LOA_1 = ACR_PREFIX + "loa-1"
LOA_2 = ACR_PREFIX + "loa-2"
ACR_BY_LEVEL = {1: LOA_1, 2: LOA_2}
LEVEL_BY_ACR = {value: level for level, value in ACR_BY_LEVEL.items()}

# scope -> the claims it releases (besides `sub`)
SCOPE_CLAIMS = {
    "openid": (),
    "profile": ("name", "family_name", "given_name", "birthdate", "gender"),
    "phone": ("phone_number", "phone_number_verified"),
    "address": ("address", "current_address"),
    "vn_personal_id": ("vn_personal_id",),
    "offline_access": (),
}
SUPPORTED_SCOPES = tuple(SCOPE_CLAIMS)
PERSONAL_ID_SCOPE = "vn_personal_id"


def requested_level(acr_values: str | None, allowed_levels: list[int]) -> int | None:
    """The lowest level asked for among the client's allowed ones; None when none is usable.

    `acr_values` is a space-separated preference list (OIDC Core §3.1.2.1); an
    unknown value is ignored; no usable value means the client's lowest level.
    """
    allowed = sorted(int(level) for level in allowed_levels) or [1]
    if not acr_values:
        return allowed[0]
    asked = [LEVEL_BY_ACR[value] for value in acr_values.split() if value in LEVEL_BY_ACR]
    usable = [level for level in asked if level in allowed]
    if not asked:
        return allowed[0]
    return min(usable) if usable else None


def acr_for(level: int) -> str:
    return ACR_BY_LEVEL[2 if level >= 2 else 1]


def claims_of(scopes: list[str]) -> list[str]:
    """The claim names the scopes release, in a stable order."""
    return [claim for scope in SUPPORTED_SCOPES if scope in scopes for claim in SCOPE_CLAIMS[scope]]
