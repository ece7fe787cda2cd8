"""Access-token keys rotate: tokens carry a kid, several keys verify at once, unknown kids are refused."""
import dataclasses

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.common.token_keys import TokenKeys, load_token_keys, thumbprint, token_keys
from tests.factories import AccountFactory, RegistryCitizenFactory
from app.identity.sessions import start_session

ME = "/api/v1/identity/me"


@pytest.fixture
def swap_keys(app):
    """Replaces the app's keys for one test, as a restart with new configuration would."""
    original = app.extensions.get("access_token_keys") or token_keys()

    def swap(keys: TokenKeys):
        app.extensions["access_token_keys"] = keys

    yield swap
    app.extensions["access_token_keys"] = original


def _bearer() -> dict:
    account = AccountFactory(citizen=RegistryCitizenFactory(), level=1)
    return {"Authorization": f"Bearer {start_session(account, level=1, methods=['pwd']).access_token}"}


def _pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _public_pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def test_tokens_carry_the_kid_of_the_signing_key(client):
    header = jwt.get_unverified_header(_bearer()["Authorization"].split()[1])
    assert header["alg"] == "EdDSA" and header["kid"] == token_keys().signing_kid


def test_rotation_keeps_everyone_logged_in(client, swap_keys):
    old = token_keys()
    before = _bearer()
    new_key = Ed25519PrivateKey.generate()
    # step 2 of the rotation: sign with the new key, keep verifying with the old one
    swap_keys(TokenKeys(thumbprint(new_key.public_key()), new_key,
                        {thumbprint(new_key.public_key()): new_key.public_key(), **old.verifying}))
    assert client.get(ME, headers=before).status_code == 200          # issued before: still accepted
    after = _bearer()
    assert jwt.get_unverified_header(after["Authorization"].split()[1])["kid"] == thumbprint(new_key.public_key())
    assert client.get(ME, headers=after).status_code == 200
    # step 3, after the longest token lifetime: the old key is removed
    swap_keys(TokenKeys(thumbprint(new_key.public_key()), new_key, {thumbprint(new_key.public_key()): new_key.public_key()}))
    response = client.get(ME, headers=before)
    assert response.status_code == 401 and response.get_json()["code"] == "invalid_token"
    assert client.get(ME, headers=after).status_code == 200


def test_a_token_with_an_unknown_or_missing_kid_is_refused(client):
    token = _bearer()["Authorization"].split()[1]
    claims = jwt.decode(token, options={"verify_signature": False})
    stranger = Ed25519PrivateKey.generate()
    keys = token_keys()
    for forged in (jwt.encode(claims, stranger, algorithm="EdDSA", headers={"kid": thumbprint(stranger.public_key())}),
                   jwt.encode(claims, stranger, algorithm="EdDSA", headers={"kid": keys.signing_kid}),
                   jwt.encode(claims, keys.signing_key, algorithm="EdDSA")):          # no kid
        response = client.get(ME, headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401 and response.get_json()["code"] == "invalid_token"


def test_keys_from_configuration_files(tmp_path):
    current, previous, following = (Ed25519PrivateKey.generate() for _ in range(3))
    private = tmp_path / "current.pem"
    private.write_text(_pem(current))
    public = tmp_path / "verify.pem"
    public.write_text(_public_pem(previous) + _public_pem(following))
    keys = load_token_keys({"JWT_PRIVATE_KEY_FILE": str(private), "JWT_PUBLIC_KEYS_FILE": str(public)})
    assert keys.signing_kid == thumbprint(current.public_key())
    assert set(keys.verifying) == {thumbprint(k.public_key()) for k in (current, previous, following)}
    assert [k["kid"] for k in keys.jwks()["keys"]][0] == keys.signing_kid
    assert all(k["kty"] == "OKP" and k["crv"] == "Ed25519" and "d" not in k for k in keys.jwks()["keys"])


def test_an_escaped_pem_in_the_environment_is_read(tmp_path):
    key = Ed25519PrivateKey.generate()
    keys = load_token_keys({"JWT_PRIVATE_KEY": _pem(key).replace("\n", "\\n")})
    assert keys.signing_kid == thumbprint(key.public_key())


def test_development_derives_one_key_per_secret():
    one = load_token_keys({"SECRET_KEY": "a" * 40})
    again = load_token_keys({"SECRET_KEY": "a" * 40})
    other = load_token_keys({"SECRET_KEY": "b" * 40})
    assert one.signing_kid == again.signing_kid != other.signing_kid


def test_the_thumbprint_follows_rfc_7638():
    # RFC 8037 appendix A.3: the thumbprint of its example Ed25519 key
    raw = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    assert thumbprint(Ed25519PublicKey.from_public_bytes(raw)) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_production_requires_a_configured_key():
    from app.config import ConfigurationError, load_config
    from tests.unit.test_config import SAFE

    without = {k: v for k, v in SAFE.items() if k != "JWT_PRIVATE_KEY"}
    with pytest.raises(ConfigurationError) as caught:
        load_config(environ=without)
    assert "JWT_PRIVATE_KEY" in str(caught.value)
    with pytest.raises(ConfigurationError) as caught:
        load_config(environ={**SAFE, "JWT_PRIVATE_KEY": "not a key"})
    assert "JWT_PRIVATE_KEY" in str(caught.value)
