"""Test data: registry citizens, accounts, and bearer headers for them."""
import itertools
from datetime import date

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.common.clock import utcnow
from app.common.personal_id import FEMALE, MALE, compose_personal_id
from app.extensions import db
from app.common import roles
from app.identity.models import ACTIVE, Account
from app.identity.sessions import start_session
from app.registry.models import RegistryCitizen

_serial = itertools.count(500_000)
_phone = itertools.count(1_000_000)
COMMUNE = "27727"  # Xã Hưng Điền, Tây Ninh


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class RegistryCitizenFactory(_Base):
    class Meta:
        model = RegistryCitizen

    gender = MALE
    date_of_birth = date(1990, 4, 12)
    personal_id = factory.LazyAttribute(
        lambda o: compose_personal_id("080", o.gender, o.date_of_birth.year, next(_serial)))
    full_name = factory.LazyAttribute(lambda o: "Nguyễn Văn An" if o.gender == MALE else "Trần Thị Bình")
    birth_registration_province = factory.LazyAttribute(lambda o: o.personal_id[:3])
    hometown = "Xã Hưng Điền, Tây Ninh"
    ethnicity = "Kinh"
    religion = "Không"
    nationality = "Việt Nam"
    permanent_address = "Số 1, Đường 30/4, Xã Hưng Điền, Tây Ninh"
    permanent_commune_code = COMMUNE
    temporary_address = None
    temporary_commune_code = None
    current_address = "Số 1, Đường 30/4, Xã Hưng Điền, Tây Ninh"
    current_commune_code = COMMUNE
    household_no = factory.Sequence(lambda n: f"080{n:09d}")
    relation_to_head = "head"
    father_name = None
    father_personal_id = None
    mother_name = None
    mother_personal_id = None
    spouse_name = None
    spouse_personal_id = None
    marital_status = "single"
    phone_numbers = factory.LazyFunction(lambda: [f"09{next(_phone):08d}"])
    biometric_enrolled = True
    is_alive = True
    date_of_death = None


class AccountFactory(_Base):
    """An active account; for citizens pass `citizen=` (a RegistryCitizen)."""

    class Meta:
        model = Account
        exclude = ("citizen",)

    citizen = factory.SubFactory(RegistryCitizenFactory)
    role = roles.CITIZEN
    level = 1
    status = ACTIVE
    personal_id = factory.LazyAttribute(lambda o: o.citizen.personal_id if o.role == roles.CITIZEN else None)
    login = factory.LazyAttribute(lambda o: o.personal_id or f"staff.{next(_serial)}")
    full_name = factory.LazyAttribute(lambda o: o.citizen.full_name)
    phone = factory.LazyAttribute(lambda o: o.citizen.phone_numbers[0] if o.citizen.phone_numbers else None)
    activated_at = factory.LazyFunction(utcnow)


def bearer(account: Account, *, level: int | None = None, methods=("pwd", "otp")) -> dict:
    """Headers of a freshly logged-in session for `account` (level defaults to the account's)."""
    issued = start_session(account, level=level or account.level, methods=list(methods))
    db.session.flush()
    return {"Authorization": f"Bearer {issued.access_token}"}


__all__ = ["RegistryCitizenFactory", "AccountFactory", "bearer", "FEMALE", "MALE", "COMMUNE"]
