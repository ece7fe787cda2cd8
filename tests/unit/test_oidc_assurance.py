"""acr values and scopes: pure rules, no database."""
import pytest

from app.oidc.assurance import LOA_1, LOA_2, acr_for, claims_of, requested_level


@pytest.mark.parametrize("acr_values, allowed, expected", [
    (None, [1, 2], 1),
    ("", [2], 2),
    (LOA_1, [1, 2], 1),
    (LOA_2, [1, 2], 2),
    (f"{LOA_2} {LOA_1}", [1, 2], 1),        # the lowest acceptable level asked for
    (f"{LOA_2} {LOA_1}", [2], 2),
    (LOA_2, [1], None),                      # asked for a level the client may not use
    ("urn:other:loa-9", [1, 2], 1),          # unknown values are ignored
])
def test_requested_level(acr_values, allowed, expected):
    assert requested_level(acr_values, allowed) == expected


def test_acr_values_name_their_level():
    assert LOA_1.endswith(":loa-1") and LOA_2.endswith(":loa-2")
    assert acr_for(1) == LOA_1 and acr_for(2) == LOA_2 and acr_for(3) == LOA_2


def test_claims_behind_scopes():
    assert claims_of(["openid"]) == []
    assert claims_of(["openid", "profile"]) == ["name", "family_name", "given_name", "birthdate", "gender"]
    assert claims_of(["address", "vn_personal_id"]) == ["address", "current_address", "vn_personal_id"]
