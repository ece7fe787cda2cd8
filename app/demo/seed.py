"""What the demo needs beyond the domains' own demo seeds (development only, idempotent).

- a processing officer (`demo.processor`) at the demo officer's People's Committee,
  so a dossier can be assigned to someone other than the one-stop-shop officer;
- a level-1 citizen (password + SMS code; no bound phone);
- a payable dossier: when the level-2 citizen has no submitted dossier waiting
  for its fee (the tour paid it), a new one is submitted.
The caller commits.
"""
from sqlalchemy import select

from app.catalog.models import Agency
from app.catalog.service import procedure_by_code
from app.common.clock import utcnow
from app.demo import facts
from app.dossiers.models import Dossier
from app.dossiers.seed import _principal
from app.dossiers.service import new_dossier
from app.dossiers.transitions import fire
from app.extensions import db
from app.identity import account_events
from app.identity.models import ACTIVE, Account
from app.identity.passwords import hash_password
from app.common.roles import CITIZEN, LEVEL_1, OFFICER
from app.identity.seed import DEMO_PASSWORD, demo_secret
from app.identity.staff import create_staff

PROCESSOR = "demo.processor"
PAYABLE_PROCEDURE = "1.004873"     # marital status confirmation: 15,000 VND


def seed_demo_extras() -> None:
    officer = db.session.scalar(select(Account).where(Account.login == "demo.officer"))
    if officer is None or officer.agency_id is None:
        return
    _processing_officer(officer)
    _level1_citizen(officer.commune_code)
    _payable_dossier()
    db.session.flush()


def _processing_officer(officer: Account) -> None:
    if db.session.scalar(select(Account.id).where(Account.login == PROCESSOR)) is not None:
        return
    create_staff(role=OFFICER, login=PROCESSOR, full_name="Cán bộ Xử lý", password=DEMO_PASSWORD,
                 agency_code=db.session.get(Agency, officer.agency_id).code, commune_code=officer.commune_code,
                 totp_secret=demo_secret(PROCESSOR))


def _level1_citizen(commune_code: str | None) -> None:
    if facts.level1_citizen() is not None:
        return
    candidates = facts.citizens_without_account(commune_code, limit=3) or facts.citizens_without_account(None, 3)
    if len(candidates) < 3:
        return
    person = candidates[2]     # the first two stay free: one to register, one for a team visit
    now = utcnow()
    account = Account(login=person.personal_id, personal_id=person.personal_id, full_name=person.full_name,
                      phone=person.phone_numbers[0], role=CITIZEN, level=LEVEL_1, status=ACTIVE,
                      password_hash=hash_password(DEMO_PASSWORD), failed_logins=0, lockouts=0, activated_at=now)
    db.session.add(account)
    db.session.flush()
    account_events.registered(account, person)


def _payable_dossier() -> None:
    citizen = facts.level2_citizen()
    procedure = procedure_by_code(PAYABLE_PROCEDURE)
    if citizen is None or procedure is None or not db.session.scalar(
            select(Dossier.id).where(Dossier.citizen_account_id == citizen.id).limit(1)):
        return   # the dossiers' demo seed has not run (it creates the first payable dossier)
    if facts.payable_dossier(citizen) is not None:
        return
    me = _principal(citizen)
    dossier = new_dossier(me, procedure)
    dossier.form_data = {**dossier.form_data, "purpose": "Đăng ký kết hôn"}
    fire(dossier, "submit", me)

