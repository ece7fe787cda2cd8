"""The demo as it stands now: read from the database on every call, so what is
printed and served is true on every start, not only after the first seed."""
import shlex
from datetime import date

from sqlalchemy import select

from app.assistance.models import Team, TeamMember
from app.catalog.models import Agency, Procedure
from app.common.clock import local_today
from app.dossiers.models import FEE_UNPAID, DigitizedResult, Dossier
from app.dossiers.states import SUBMITTED
from app.extensions import db
from app.identity.models import ACTIVE, Account, Device
from app.common.roles import CITIZEN, LEVEL_1, LEVEL_2
from app.identity.seed import DEMO_PASSWORD, demo_secret
from app.registry.models import RegistryCitizen

STAFF = (  # (key, login): the demo's staff, in the order a dossier meets them
    ("officer", "demo.officer"), ("processor", "demo.processor"), ("approver", "demo.approver"),
    ("police", "demo.police"), ("assistant", "demo.assistant"), ("leader", "demo.leader"), ("admin", "demo.admin"),
)


def level2_citizen() -> Account | None:
    return db.session.scalar(select(Account).where(Account.role == CITIZEN, Account.level == LEVEL_2,
                                                   Account.status == ACTIVE).order_by(Account.created_at).limit(1))


def level1_citizen() -> Account | None:
    return db.session.scalar(select(Account).where(Account.role == CITIZEN, Account.level == LEVEL_1,
                                                   Account.status == ACTIVE, Account.totp_secret.is_(None),
                                                   Account.password_hash.is_not(None))
                             .order_by(Account.created_at).limit(1))


def citizens_without_account(commune_code: str | None, limit: int) -> list[RegistryCitizen]:
    """Living adults with a phone and in-person enrolment, who have no account (in a commune, or anywhere)."""
    today = local_today()
    statement = (select(RegistryCitizen)
                 .where(RegistryCitizen.is_alive.is_(True), RegistryCitizen.biometric_enrolled.is_(True),
                        RegistryCitizen.date_of_birth < date(today.year - 18, 1, 1),
                        RegistryCitizen.personal_id.not_in(
                            select(Account.personal_id).where(Account.personal_id.is_not(None))))
                 .order_by(RegistryCitizen.personal_id).limit(200))
    if commune_code:
        statement = statement.where(RegistryCitizen.current_commune_code == commune_code)
    found = [row for row in db.session.scalars(statement) if row.phone_numbers]
    return found[:limit]


def payable_dossier(citizen: Account) -> Dossier | None:
    return db.session.scalar(select(Dossier).where(
        Dossier.citizen_account_id == citizen.id, Dossier.status == SUBMITTED, Dossier.fee_status == FEE_UNPAID,
        Dossier.fee_amount > 0).order_by(Dossier.created_at).limit(1))


def demo_facts(public_url: str, province_code: str) -> dict:
    """Everything a person or a script needs to try the demo."""
    accounts = {login: db.session.scalar(select(Account).where(Account.login == login)) for _, login in STAFF}
    officer = accounts["demo.officer"]
    commune = officer.commune_code if officer else None
    agency = db.session.get(Agency, officer.agency_id) if officer and officer.agency_id else None
    team = _team(accounts["demo.assistant"])
    free = citizens_without_account(team.commune_code if team else commune, limit=2)
    resident, ready = (free + [None, None])[:2]
    citizen1, citizen2 = level1_citizen(), level2_citizen()
    api = f"{public_url}/api/v1"
    return {
        "base": public_url, "api": api, "password": DEMO_PASSWORD,
        "province_code": province_code, "commune_code": commune, "agency_code": agency.code if agency else None,
        "citizen_to_register": _person(ready),
        "citizen_level1": _citizen(citizen1),
        "citizen_level2": _citizen(citizen2),
        "resident_without_account": _person(resident),
        "staff": [_staff(key, accounts[login]) for key, login in STAFF if accounts[login] is not None],
        "team": {"id": team.id, "name": team.name, "commune_code": team.commune_code} if team else None,
        "dossiers": _dossiers(citizen2),
        "payable_dossier": _dossier(payable_dossier(citizen2)) if citizen2 else None,
        "result": _result(citizen2, api),
        "links": {
            "home": f"{public_url}/", "api_docs": f"{api}/docs", "openapi": f"{api}/openapi.json",
            "operations_centre": f"{public_url}/ioc", "sent_messages": f"{api}/dev/messages",
            "sms": f"{api}/dev/sms?phone=", "demo": f"{api}/dev/demo",
            "mock_gateways": f"{public_url}/mock/_control/faults",
        },
    }


def demo_lines(facts: dict) -> list[str]:
    """The demo as lines to print when the service starts."""
    lines = [f"demo (development only; as JSON: {facts['links']['demo']}), password {facts['password']} for every account:"]
    for key, label in (("citizen_to_register", "citizen ready to register (no account)"),
                       ("resident_without_account", "resident without an account, for a team visit")):
        person = facts[key]
        if person:
            lines.append(f"{label}: {person['full_name']} personal_id={person['personal_id']} "
                         f"date_of_birth={person['date_of_birth']} phone={person['phone']} commune={person['commune_code']}")
    for key, label in (("citizen_level1", "citizen level 1"), ("citizen_level2", "citizen level 2")):
        citizen = facts[key]
        if citizen:
            extra = (f" TOTP secret {citizen['totp_secret']} device_id {citizen['device_id']} "
                     f"device_secret {citizen['device_secret']}") if citizen.get("device_id") else ""
            lines.append(f"{label}: {citizen['full_name']} login {citizen['login']} phone {citizen['phone']}{extra}")
    for member in facts["staff"]:
        lines.append(f"{member['role']} {member['login']} ({member['key']}): TOTP secret {member['totp_secret']}"
                     + (f" agency {member['agency_code']}" if member["agency_code"] else "")
                     + (f" commune {member['commune_code']}" if member["commune_code"] else ""))
    if facts["team"]:
        lines.append(f"team {facts['team']['name']} ({facts['team']['commune_code']}): id {facts['team']['id']}")
    for status, dossiers in facts["dossiers"].items():
        lines.append(f"dossiers {status}: " + ", ".join(f"{d['receipt_code'] or 'draft'} {d['id']}" for d in dossiers))
    if facts["payable_dossier"]:
        payable = facts["payable_dossier"]
        lines.append(f"payable dossier: {payable['receipt_code']} {payable['id']} fee {payable['fee_amount']} VND")
    if facts["result"]:
        lines.append(f"result to verify: {facts['result']['verify_url']}")
    return lines


def _team(assistant: Account | None) -> Team | None:
    if assistant is None:
        return None
    return db.session.scalar(select(Team).join(TeamMember, TeamMember.team_id == Team.id)
                             .where(TeamMember.account_id == assistant.id, TeamMember.left_at.is_(None)).limit(1))


def _person(row: RegistryCitizen | None) -> dict | None:
    if row is None:
        return None
    return {"personal_id": row.personal_id, "full_name": row.full_name, "date_of_birth": row.date_of_birth.isoformat(),
            "phone": row.phone_numbers[0], "commune_code": row.current_commune_code}


def _citizen(account: Account | None) -> dict | None:
    if account is None:
        return None
    found = {"id": account.id, "login": account.login, "full_name": account.full_name, "phone": account.phone,
             "level": account.level}
    device = db.session.scalar(select(Device).where(Device.account_id == account.id, Device.unbound_at.is_(None)))
    if account.level == LEVEL_2 and device is not None:
        found.update(totp_secret=demo_secret(account.login), device_id=device.id,
                     device_secret=f"demo-device-{account.login}")
    return found


def _staff(key: str, account: Account) -> dict:
    agency = db.session.get(Agency, account.agency_id) if account.agency_id else None
    return {"key": key, "role": account.role, "login": account.login, "id": account.id, "full_name": account.full_name,
            "totp_secret": demo_secret(account.login), "agency_code": agency.code if agency else None,
            "commune_code": account.commune_code}


def _dossiers(citizen: Account | None) -> dict:
    if citizen is None:
        return {}
    rows = db.session.execute(select(Dossier, Procedure.code).join(Procedure, Procedure.id == Dossier.procedure_id)
                              .where(Dossier.citizen_account_id == citizen.id)
                              .order_by(Dossier.created_at, Dossier.id)).all()
    by_status: dict[str, list] = {}
    for dossier, code in rows:
        by_status.setdefault(dossier.status, []).append({**_dossier(dossier), "procedure_code": code})
    return by_status


def _dossier(dossier: Dossier | None) -> dict | None:
    if dossier is None:
        return None
    return {"id": dossier.id, "receipt_code": dossier.receipt_code, "status": dossier.status,
            "fee_amount": dossier.fee_amount, "fee_status": dossier.fee_status}


def _result(citizen: Account | None, api: str) -> dict | None:
    if citizen is None:
        return None
    result = db.session.scalar(select(DigitizedResult).join(Dossier, Dossier.id == DigitizedResult.dossier_id)
                               .where(Dossier.citizen_account_id == citizen.id)
                               .order_by(DigitizedResult.created_at).limit(1))
    if result is None:
        return None
    return {"id": result.id, "dossier_id": result.dossier_id, "verification_code": result.verification_code,
            "verify_url": f"{api}/results/verify/{result.verification_code}"}


def env_variables(found: dict) -> dict:
    """The demo facts flattened into the shell variables the docs' examples use."""
    out = {"BASE": found["base"], "API": found["api"], "DEMO_PASSWORD": found["password"],
           "PROVINCE_CODE": found["province_code"], "COMMUNE_CODE": found["commune_code"],
           "AGENCY_CODE": found["agency_code"]}
    for prefix, key in (("REGISTER", "citizen_to_register"), ("RESIDENT", "resident_without_account")):
        for field in ("personal_id", "full_name", "date_of_birth", "phone"):
            if found[key]:
                out[f"{prefix}_{field.upper()}"] = found[key][field]
    for prefix, key in (("CITIZEN_L1", "citizen_level1"), ("CITIZEN_L2", "citizen_level2")):
        for field in ("id", "login", "full_name", "phone", "totp_secret", "device_id", "device_secret"):
            if found[key] and found[key].get(field) is not None:
                out[f"{prefix}_{field.upper()}"] = found[key][field]
    for member in found["staff"]:
        key = member["key"].upper()
        out.update({f"{key}_LOGIN": member["login"], f"{key}_ID": member["id"],
                    f"{key}_TOTP_SECRET": member["totp_secret"]})
    if found["team"]:
        out["TEAM_ID"] = found["team"]["id"]
    names = {"draft": "DOSSIER_DRAFT", "in_processing": "DOSSIER_PROCESSING", "result_issued": "DOSSIER_RESULT"}
    for status, dossiers in found["dossiers"].items():
        if status in names:
            out[names[status]] = dossiers[0]["id"]
        unpaid = [d for d in dossiers if d["fee_status"] == "unpaid"]
        if status == "submitted" and unpaid:
            out["DOSSIER_UNPAID"] = unpaid[0]["id"]
    if found["payable_dossier"]:
        out["PAYABLE_DOSSIER"] = found["payable_dossier"]["id"]
        out["PAYABLE_FEE"] = found["payable_dossier"]["fee_amount"]
    if found["result"]:
        out["RESULT_VERIFICATION_CODE"] = found["result"]["verification_code"]
    return {name: value for name, value in out.items() if value is not None}


# Helpers the docs' examples use: a demo account's access token; the last
# 6-digit code sent by SMS to a phone (from the text as sent, so it works
# before and after the worker delivered it); the current TOTP code of a base32
# secret (RFC 6238 with coreutils and openssl, as an authenticator app does).
SHELL_HELPERS = r"""token() { curl -fsS -X POST "$API/dev/tokens" -H 'Content-Type: application/json' -d "{\"login\": \"$1\"}" | jq -r .access_token; }
sms_code() { curl -fsS "$API/dev/sms?phone=$1" | jq -r 'map(select(.event | endswith("code")))[0].body' | grep -oE '[0-9]{6}' | head -n 1; }
totp_code() {
  local key counter mac offset
  key=$(printf '%s' "$1" | base32 -d | od -An -v -tx1 | tr -d ' \n')
  counter=$(printf '%016x' $(( $(date +%s) / 30 )) | sed 's/../\\x&/g')
  mac=$(printf "$counter" | openssl dgst -sha1 -mac HMAC -macopt "hexkey:$key" | awk '{print $NF}')
  offset=$(( 0x${mac:39:1} * 2 ))
  printf '%06d\n' $(( (0x${mac:offset:8} & 0x7fffffff) % 1000000 ))
}
"""


def shell_exports(found: dict) -> str:
    """`export NAME='value'` lines and the helpers, for `eval` in bash."""
    exports = "".join(f"export {name}={shlex.quote(str(value))}\n" for name, value in env_variables(found).items())
    return exports + SHELL_HELPERS
