"""Staff accounts (officer, approver, assistant, leader, admin) and disabling accounts.

Staff log in with a login name, a password and always a TOTP code; their
TOTP secret is issued when the account is created (by an admin through the
API or with `flask staff create`) and confirmed by the first login. Officers
and approvers are scoped to an agency and a commune; assistants join a
community digital-tech team through the assistance domain (team membership).
"""
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.catalog.models import Agency
from app.common.clock import utcnow
from app.extensions import db
from app.identity import account_events, totp
from app.identity.audit import audit
from app.identity.devices import totp_uri
from app.identity.events import ACCOUNT_DISABLED, ACCOUNT_ENABLED
from app.identity.errors import AccountNotFound, AgencyNotFound, LoginTaken
from app.identity.models import ACTIVE, DISABLED, Account
from app.identity.passwords import check_password, hash_password
from app.common.roles import LEVEL_2, STAFF_ROLES
from app.identity.sessions import cut_off_access_tokens, revoke_sessions
from app.notifications.service import notify


@dataclass(frozen=True)
class StaffCreated:
    account: Account
    password: str | None          # only when generated here
    totp_secret: str
    provisioning_uri: str


def create_staff(*, role: str, login: str, full_name: str, password: str | None = None,
                 phone: str | None = None, agency_code: str | None = None,
                 commune_code: str | None = None,
                 totp_secret: str | None = None) -> StaffCreated:
    """Creates an active staff account with a TOTP secret (the caller sees it once)."""
    if role not in STAFF_ROLES:
        raise ValueError(f"role must be one of {STAFF_ROLES}")
    login = login.strip().lower()
    if db.session.scalar(select(Account.id).where(Account.login == login)) is not None:
        raise LoginTaken()
    agency = None
    if agency_code:
        agency = db.session.scalar(select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise AgencyNotFound(errors={"agency_code": [AgencyNotFound.message]})
    generated = None
    if password is None:
        generated = password = secrets.token_urlsafe(12)
    check_password(password, phone=phone, full_name=full_name)
    secret = totp_secret or totp.new_secret()
    account = Account(login=login, full_name=full_name, phone=phone, role=role, level=LEVEL_2,
                      status=ACTIVE, password_hash=hash_password(password), failed_logins=0,
                      lockouts=0, totp_secret=totp.encrypt_secret(secret),
                      agency_id=agency.id if agency else None,
                      commune_code=commune_code or (agency.commune_code if agency else None),
                      activated_at=utcnow(), level2_at=utcnow())
    try:
        with db.session.begin_nested():   # the same login created twice at once
            db.session.add(account)
    except IntegrityError:
        raise LoginTaken() from None
    audit("staff.created", account_id=account.id, role=role)
    return StaffCreated(account, generated, secret, totp_uri(account, secret))


def set_account_disabled(account_id: uuid.UUID, disabled: bool, *, by: uuid.UUID) -> Account:
    """Disables an account (every session and access token ends at once) or enables it again."""
    account = db.session.get(Account, account_id)
    if account is None or account.status not in (ACTIVE, DISABLED):
        raise AccountNotFound()
    if disabled and account.status != DISABLED:
        account.status = DISABLED
        account_events.publish(ACCOUNT_DISABLED, account, previous_status=ACTIVE, previous_level=account.level)
        revoke_sessions(account.id, "account_disabled")
        cut_off_access_tokens(account)
        notify("account_disabled", account_id=account.id)
    elif not disabled and account.status == DISABLED:
        account.status = ACTIVE
        account_events.publish(ACCOUNT_ENABLED, account, previous_status=DISABLED, previous_level=account.level)
    db.session.commit()
    audit("account.disabled" if disabled else "account.enabled", account_id=account.id, by=by)
    return account


# -- who to tell (other domains ask these, never the accounts table) ---------------------------

def staff_ids(role: str, *, agency_id: uuid.UUID | None = None, commune_code: str | None = None) -> list[uuid.UUID]:
    """Active staff of `role` (of the agency, covering the commune, when given), for notifications."""
    statement = select(Account.id).where(Account.role == role, Account.status == ACTIVE)
    if agency_id is not None:
        statement = statement.where(Account.agency_id == agency_id)
    if commune_code is not None:
        statement = statement.where((Account.commune_code.is_(None)) | (Account.commune_code == commune_code))
    return list(db.session.scalars(statement.order_by(Account.id)))


def display_name(account_id: uuid.UUID) -> str:
    """The account's full name ('' when there is none)."""
    return db.session.scalar(select(Account.full_name).where(Account.id == account_id)) or ""
