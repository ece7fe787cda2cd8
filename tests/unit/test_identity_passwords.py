"""Password rules (NIST SP 800-63B) and argon2id hashing."""
from datetime import date

import pytest

from app.identity import passwords
from app.identity.errors import WeakPassword


def test_the_common_password_list_is_substantial():
    listed = passwords.common_passwords()
    assert len(listed) > 15_000
    assert {"password", "12345678", "iloveyou", "qwertyuiop", "anhyeuem"} <= listed
    assert all(len(p) >= 8 for p in listed)


@pytest.mark.parametrize("password", ["password", "Password1", "PASSWORD123", "iloveyou2025!", "qwertyuiop",
                                      "anhyeuem", "Matkhau123"])
def test_common_passwords_are_refused(password):
    with pytest.raises(WeakPassword):
        passwords.check_password(password)


@pytest.mark.parametrize("password", ["mua-xuan-tren-dong-song-2025", "Tôi yêu Tây Ninh mùa lúa chín",
                                      "correct horse battery staple", "8charsOK"])
def test_good_passwords_pass(password):
    assert passwords.check_password(password) == passwords.normalize(password)


def test_length_limits_and_no_truncation():
    with pytest.raises(WeakPassword):
        passwords.check_password("Abc!234")
    assert passwords.check_password("x7" * 128)              # 256 characters
    with pytest.raises(WeakPassword):
        passwords.check_password("x7" * 128 + "y")


@pytest.mark.parametrize("password", ["079123456789abc", "toi-la-0912345678", "NguyenVanAn", "nguyễn văn an 99",
                                      "An!!2024??", "sinh12041990", "19900412-ok-ok"])
def test_passwords_from_personal_data_are_refused(password):
    with pytest.raises(WeakPassword):
        passwords.check_password(password, personal_id="079123456789", phone="0912345678",
                                 full_name="Nguyễn Văn An", date_of_birth=date(1990, 4, 12))


def test_fold_removes_vietnamese_diacritics():
    assert passwords.fold("Nguyễn Văn Đạt") == "nguyenvandat"


def test_hashing_is_argon2id_and_normalised(app):
    with app.app_context():
        digest = passwords.hash_password("ﬁve-ﬁngers-2025")          # NFKC: ligatures become "fi"
        assert digest.startswith("$argon2id$")
        assert passwords.verify_password(digest, "five-fingers-2025")
        assert not passwords.verify_password(digest, "five-fingers-2026")
        assert not passwords.verify_password(None, "anything")       # dummy hash, same work
        assert not passwords.verify_password("not-a-hash", "anything")
