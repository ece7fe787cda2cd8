"""Pure rules of level 2: the mock identity verifier, the activation cap, code normalising."""
from datetime import timedelta

from app.identity.in_person import ALPHABET, normalize_code
from app.identity.settings import IdentitySettings
from app.identity.verifier import CHIP_CARD, FACE_MATCH, IdentityVerifier, MockVerifier


def test_the_mock_verifier_accepts_only_the_citizens_own_id_by_a_known_method():
    verifier = MockVerifier()
    assert isinstance(verifier, IdentityVerifier)
    for method in (CHIP_CARD, FACE_MATCH):
        ok = verifier.verify("080090001234", method, " 080090001234 ")
        assert ok.ok and ok.verifier == "mock" and ok.method == method and ok.reference.startswith("mock-")
        assert "080090001234" not in ok.reference            # the audit log keeps a reference, not the evidence
    assert not verifier.verify("080090001234", CHIP_CARD, "080090009999").ok
    assert not verifier.verify("080090001234", "a_glance", "080090001234").ok


def test_activation_codes_never_live_longer_than_seven_days():
    assert IdentitySettings().activation_ttl == timedelta(days=7)
    assert IdentitySettings(activation_ttl_hours=24 * 30).activation_ttl == timedelta(days=7)
    assert IdentitySettings(activation_ttl_hours=48).activation_ttl == timedelta(days=2)


def test_cooling_off_is_off_by_default():
    assert IdentitySettings().rebind_cooling_off_hours == 0


def test_codes_are_read_as_typed_from_a_slip():
    assert normalize_code("k7pz-4veg 6z") == "K7PZ4VEG6Z"
    assert not set("01ILO") & set(ALPHABET)
