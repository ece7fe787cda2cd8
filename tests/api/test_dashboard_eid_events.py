"""e-ID figures follow identity's events through the real flows: registration, activation, level 2, disabling."""
from sqlalchemy import select

from app.common import roles
from app.dashboard.counters import Filters
from app.dashboard.service import eid_figures
from app.extensions import db
from app.identity.models import Account
from app.identity.staff import set_account_disabled
from tests.dashboard_fixtures import HUNG_DIEN, citizen, counter_snapshot, recount
from tests.factories import AccountFactory, bearer
from tests.identity_fixtures import (  # noqa: F401  (fixture)
    API, PASSWORD, fresh_rate_limits, handed_activation, last_code, otp_messages, totp_code,
)


def eid(commune=None) -> tuple[int, int, int]:
    totals = eid_figures(Filters(commune_code=commune))["totals"]
    return totals["registered"], totals["activated"], totals["level2"]


def register(client, person) -> Account:
    body = {"personal_id": person.personal_id, "full_name": person.full_name,
            "date_of_birth": person.date_of_birth.isoformat(), "phone": person.phone_numbers[0]}
    started = client.post(f"{API}/registrations", json=body)
    assert started.status_code == 201, started.get_json()
    assert eid(HUNG_DIEN) == (1, 0, 0)      # registered, in the commune the registry names
    [message] = otp_messages(person.phone_numbers[0])
    verified = client.post(f"{API}/registrations/verify", json={"challenge_id": started.get_json()["challenge_id"],
                                                                "code": message.params["code"]})
    assert verified.status_code == 200
    assert eid() == (1, 0, 0)
    done = client.post(f"{API}/registrations/password",
                       json={"setup_token": verified.get_json()["setup_token"], "password": PASSWORD})
    assert done.status_code == 200, done.get_json()
    return db.session.scalar(select(Account).where(Account.personal_id == person.personal_id))


def reach_level_2(client, account: Account) -> None:
    headers = bearer(account)
    started = client.post(f"{API}/device-bindings", headers=headers, json={
        "device_name": "Samsung Galaxy A55", "platform": "android",
        "in_person_code": handed_activation(account.personal_id)})
    assert started.status_code == 201, started.get_json()
    binding_id = started.get_json()["id"]
    enrolment = client.post(f"{API}/device-bindings/{binding_id}/sms", headers=headers,
                            json={"code": last_code(account.phone, "bind_device")})
    assert enrolment.status_code == 200, enrolment.get_json()
    done = client.post(f"{API}/device-bindings/{binding_id}/totp", headers=headers,
                       json={"code": totp_code(enrolment.get_json()["secret"])})
    assert done.status_code == 200, done.get_json()


def test_registration_activation_level_2_and_disabling_move_the_figures(client):
    person = citizen(HUNG_DIEN, biometric_enrolled=True)
    db.session.commit()
    account = register(client, person)
    assert eid(HUNG_DIEN) == (1, 1, 0)
    reach_level_2(client, account)
    assert eid(HUNG_DIEN) == (1, 1, 1)
    assert eid("99999") == (0, 0, 0)
    db.session.expire_all()                 # the requests changed the account: read it again
    admin = AccountFactory(role=roles.ADMIN, citizen=None, personal_id=None, phone=None, full_name="Quản trị")
    set_account_disabled(account.id, True, by=admin.id)
    assert eid(HUNG_DIEN) == (1, 0, 0)      # a disabled account is not counted as in use
    set_account_disabled(account.id, False, by=admin.id)
    assert eid(HUNG_DIEN) == (1, 1, 1)
    live = counter_snapshot()
    recount()
    assert counter_snapshot() == live       # the replay of the accounts counts the same
