"""Demo log-ins for a development province: staff of every role, one level-2 citizen,
and one level-1 citizen holding an in-person activation code not yet used.

Development only (skipped in production): the password and the TOTP secrets
are fixed and printed, so anyone can try the app from the API docs. Idempotent:
existing demo accounts are left as they are and printed again.
"""
import base64
import hashlib
from datetime import date

from flask import current_app
from sqlalchemy import select

from app.catalog.models import Agency
from app.common.clock import local_today, utcnow
from app.extensions import db
from app.identity import account_events, in_person, totp
from app.identity.models import ACTIVE, Account, Device
from app.identity.passwords import hash_password
from app.common.roles import ADMIN, APPROVER, ASSISTANT, CITIZEN, LEADER, LEVEL_1, LEVEL_2, OFFICER
from app.identity.sessions import hash_token
from app.identity.staff import create_staff
from app.registry.models import RegistryCitizen

DEMO_PASSWORD = "Demo-SmartProvince-2025"


def demo_secret(login: str) -> str:
    """A fixed TOTP secret per demo login (160 bits), so authenticator apps can be set up once."""
    return base64.b32encode(hashlib.sha1(f"smart-province-demo|{login}".encode()).digest()).decode()


def seed_demo_accounts(province_code: str) -> list[str]:
    """Creates the demo accounts that are missing; returns the lines to print."""
    if current_app.config["APP_ENV"] == "production":
        return []
    citizen = _demo_citizen()
    commune = citizen.current_commune_code if citizen else None
    committee = db.session.scalar(select(Agency).where(Agency.code == f"UBND-{commune}")) if commune else None
    if committee is None:
        committee = db.session.scalar(select(Agency).where(Agency.province_code == province_code,
                                                           Agency.commune_code.is_not(None))
                                      .order_by(Agency.code).limit(1))
        commune = committee.commune_code if committee else None
    police = f"CA-{int(province_code):02d}"
    staff = [
        (OFFICER, "demo.officer", "Cán bộ Một Cửa", committee.code if committee else None, commune),
        (APPROVER, "demo.approver", "Lãnh đạo UBND Xã", committee.code if committee else None, commune),
        (OFFICER, "demo.police", "Cán bộ Công an Tỉnh", police, None),
        (ASSISTANT, "demo.assistant", "Thành viên Tổ CNS", None, commune),
        (LEADER, "demo.leader", "Lãnh đạo Tỉnh", None, None),
        (ADMIN, "demo.admin", "Quản trị hệ thống", None, None),
    ]
    lines = [f"demo log-ins (development only), password {DEMO_PASSWORD} for all:"]
    for role, login, name, agency_code, commune_code in staff:
        if db.session.scalar(select(Account.id).where(Account.login == login)) is None:
            has_agency = agency_code and db.session.scalar(select(Agency.id).where(Agency.code == agency_code))
            create_staff(role=role, login=login, full_name=name, password=DEMO_PASSWORD,
                         agency_code=agency_code if has_agency else None, commune_code=commune_code,
                         totp_secret=demo_secret(login))
        lines.append(f"{role} {login}: TOTP secret {demo_secret(login)}"
                     + (f" agency {agency_code}" if agency_code else "") + (f" commune {commune_code}" if commune_code else ""))
    if citizen is not None:
        lines.append(_seed_demo_citizen(citizen))
        newcomer = _demo_citizen(after=citizen.personal_id)
        if newcomer is not None:
            lines.append(_seed_pending_activation(newcomer))
    lines.append("re-proofing and lost phones at the desk: demo.officer (residents of its commune), "
                 "demo.police (the whole province); the mock identity verifier accepts the personal id as evidence")
    db.session.flush()
    return lines


def _demo_citizen(after: str = "") -> RegistryCitizen | None:
    rows = db.session.scalars(select(RegistryCitizen).where(
        RegistryCitizen.is_alive.is_(True), RegistryCitizen.biometric_enrolled.is_(True),
        RegistryCitizen.date_of_birth < date(local_today().year - 18, 1, 1), RegistryCitizen.personal_id > after,
    ).order_by(RegistryCitizen.personal_id).limit(50))
    return next((row for row in rows if row.phone_numbers), None)


def _seed_pending_activation(citizen: RegistryCitizen) -> str:
    """A level-1 citizen just enrolled in person, holding an activation code not yet used."""
    login = citizen.personal_id
    account = db.session.scalar(select(Account).where(Account.login == login))
    if account is None:
        now = utcnow()
        account = Account(login=login, personal_id=login, full_name=citizen.full_name,
                          phone=citizen.phone_numbers[0], role=CITIZEN, level=LEVEL_1, status=ACTIVE,
                          password_hash=hash_password(DEMO_PASSWORD), failed_logins=0, lockouts=0,
                          activated_at=now)
        db.session.add(account)
        db.session.flush()
        account_events.registered(account, citizen)
    head = (f"citizen (level 1, in-person activation pending) {citizen.full_name}: login {login} "
            f"phone {citizen.phone_numbers[0]}")
    if account.level >= LEVEL_2:
        return f"{head}: already activated"
    code = demo_activation_code(login)
    issued = in_person.seed_activation(login, code, place=DEMO_ENROLMENT_PLACE)
    return f"{head} activation code {code} (valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC)"


DEMO_ENROLMENT_PLACE = "Công an tỉnh (điểm thu nhận sinh trắc học)"


def demo_activation_code(login: str) -> str:
    """A fixed activation code per demo citizen, so the seed prints the same code on every run."""
    digest = hashlib.sha256(f"smart-province-demo-activation|{login}".encode()).digest()
    return "".join(in_person.ALPHABET[b % len(in_person.ALPHABET)] for b in digest[:10])


def _seed_demo_citizen(citizen: RegistryCitizen) -> str:
    login = citizen.personal_id
    secret, device_secret = demo_secret(login), f"demo-device-{login}"
    account = db.session.scalar(select(Account).where(Account.login == login))
    if account is None:
        now = utcnow()
        account = Account(login=login, personal_id=login, full_name=citizen.full_name,
                          phone=citizen.phone_numbers[0], role=CITIZEN, level=LEVEL_2, status=ACTIVE,
                          password_hash=hash_password(DEMO_PASSWORD), failed_logins=0, lockouts=0,
                          totp_secret=totp.encrypt_secret(secret), totp_confirmed_at=now,
                          activated_at=now, level2_at=now)
        db.session.add(account)
        db.session.flush()
        account_events.registered(account, citizen)
        db.session.add(Device(account_id=account.id, name="Demo phone", platform="android", bound_at=now,
                              secret_hash=hash_token(device_secret)))
        db.session.flush()
    device = db.session.scalar(select(Device).where(Device.account_id == account.id, Device.unbound_at.is_(None)))
    device_part = f" device_id {device.id} device_secret {device_secret}" if device else ""
    return (f"citizen (level 2) {citizen.full_name}: login {login} phone {citizen.phone_numbers[0]} "
            f"TOTP secret {secret}{device_part}")
