"""Test data for the operations-centre figures, and the figures recomputed independently.

`expected_*` functions count straight from the domain tables with plain
Python, without the dashboard's code, so the tests compare two independent
computations of every figure.
"""
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.common.clock import VIETNAM, local_today, utcnow
from app.common.personal_id import FEMALE, MALE, compose_personal_id
from app.dashboard.rebuild import rebuild_all
from app.extensions import db
from app.common import roles
from app.identity.models import ACTIVE, DISABLED, PENDING_PASSWORD, PENDING_PHONE, Account
from app.registry.models import RegistryCitizen
from tests.factories import AccountFactory, RegistryCitizenFactory, bearer

HUNG_DIEN, TAN_NINH = "27727", "25459"   # Xã Hưng Điền, Phường Tân Ninh (Tây Ninh)
REQUIRED = ("full_name", "gender", "hometown", "ethnicity", "religion", "nationality",
            "permanent_address", "permanent_commune_code", "current_address", "current_commune_code",
            "household_no", "relation_to_head", "marital_status", "birth_registration_province")


def years_ago(years: int, days: int = 0) -> date:
    """The day `years` before today (28 February for 29 February), minus `days`."""
    today = local_today()
    try:
        anniversary = today.replace(year=today.year - years)
    except ValueError:
        anniversary = today.replace(year=today.year - years, day=28)
    return anniversary - timedelta(days=days)


def citizen(commune=HUNG_DIEN, born=None, gender=MALE, **fields) -> RegistryCitizen:
    born = born or years_ago(30)
    return RegistryCitizenFactory(current_commune_code=commune, permanent_commune_code=commune,
                                  date_of_birth=born, gender=gender, **fields)


def account_on(day: date, person: RegistryCitizen, **fields) -> Account:
    """A citizen account created at 10:00 Vietnam time on `day`."""
    moment = datetime(day.year, day.month, day.day, 10, tzinfo=VIETNAM).astimezone(UTC)
    with time_machine.travel(moment, tick=False):
        return AccountFactory(citizen=person, **fields)


def build_population() -> dict:
    """Two communes with adults, minors, the dead, dirty records and accounts in every state."""
    today = local_today()
    earlier = today - timedelta(days=40)
    people = {
        "adult_a": citizen(HUNG_DIEN), "adult_b": citizen(HUNG_DIEN, gender=FEMALE),
        "adult_c": citizen(HUNG_DIEN), "adult_d": citizen(TAN_NINH, gender=FEMALE),
        "adult_e": citizen(TAN_NINH), "just_14": citizen(TAN_NINH, born=years_ago(14)),
        "almost_14": citizen(TAN_NINH, born=years_ago(14, days=-1)),
        "child": citizen(HUNG_DIEN, born=years_ago(9)),
        "dead": citizen(HUNG_DIEN, is_alive=False, date_of_death=today - timedelta(days=100)),
        "no_ethnicity": citizen(TAN_NINH, ethnicity=""),
        "blank_religion": citizen(TAN_NINH, religion="  "),
    }
    # personal ids that disagree with the record: gender digit, birth year
    wrong_gender = compose_personal_id("080", FEMALE, 1990, 991_001)
    people["wrong_gender"] = citizen(HUNG_DIEN, born=date(1990, 5, 5), gender=MALE, personal_id=wrong_gender)
    wrong_year = compose_personal_id("080", MALE, 1991, 991_002)
    people["wrong_year"] = citizen(HUNG_DIEN, born=date(1990, 5, 5), personal_id=wrong_year,
                                   ethnicity="")
    people["dead_no_date"] = citizen(TAN_NINH, is_alive=False, date_of_death=None)
    people["bad_birth_province"] = citizen(TAN_NINH, birth_registration_province="001")
    accounts = [
        account_on(earlier, people["adult_a"], level=2, level2_at=None),
        account_on(earlier, people["adult_b"]),
        account_on(today, people["adult_c"], status=PENDING_PHONE, activated_at=None),
        account_on(today, people["adult_d"], level=2),
        account_on(earlier, people["adult_e"], status=DISABLED, level=2),
        account_on(today, people["just_14"], status=PENDING_PASSWORD, activated_at=None),
        account_on(today, people["wrong_gender"]),
    ]
    db.session.commit()
    recount()
    return {"people": people, "accounts": accounts, "today": today, "earlier": earlier}


def recount() -> None:
    """The rows above are written straight to the tables, as a bulk load would, without the domains'
    events: the counters are recounted from the domains' replays, as after a bulk load."""
    rebuild_all(db.session)
    db.session.commit()


def counter_snapshot() -> dict:
    """Every non-zero counter row and the open-dossier mirror, to compare live counts with a rebuild."""
    from app.dashboard.models import Counter, OpenDossier

    counters = {(c.metric, c.grain, c.commune_code, c.agency_id, c.procedure_code, c.day, c.status, c.gateway,
                 c.bucket): c.value for c in db.session.scalars(select(Counter).where(Counter.value != 0))}
    mirrored = {(o.dossier_id, o.status, o.due_date, o.commune_code, o.procedure_code)
                for o in db.session.scalars(select(OpenDossier))}
    return {"counters": counters, "open": mirrored}


def leader_headers(role=roles.LEADER) -> dict:
    staff = AccountFactory(role=role, citizen=None, personal_id=None, full_name="Lãnh đạo tỉnh",
                           phone=None)
    return bearer(staff)


@pytest.fixture
def leader():
    return leader_headers()


# -- independent computations ------------------------------------------------------
def _local_day(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


def expected_adults() -> Counter:
    today = local_today()
    adults = Counter()
    for person in db.session.scalars(select(RegistryCitizen)):
        if person.is_alive and person.to_record().age_on(today) >= 14:
            adults[person.current_commune_code] += 1
    return adults


def expected_eid(start: date | None = None, end: date | None = None) -> dict[str, Counter]:
    """{"registered"|"activated"|"level2": Counter(commune -> accounts)} straight from the tables."""
    communes = dict(db.session.execute(
        select(RegistryCitizen.personal_id, RegistryCitizen.current_commune_code)).all())
    found = {"registered": Counter(), "activated": Counter(), "level2": Counter()}

    def within(moment):
        day = _local_day(moment)
        return (start is None or day >= start) and (end is None or day <= end)

    for account in db.session.scalars(select(Account).where(Account.role == roles.CITIZEN)):
        commune = communes.get(account.personal_id)
        if within(account.created_at):
            found["registered"][commune] += 1
        if account.status == ACTIVE:
            activated = account.activated_at or account.created_at
            if within(activated):
                found["activated"][commune] += 1
            if account.level == 2 and within(account.level2_at or activated):
                found["level2"][commune] += 1
    return found


def expected_quality() -> dict[str, Counter]:
    """{commune: Counter(check -> records)} with the checks spelled out by hand."""
    today = local_today()
    result: dict[str, Counter] = {}
    for p in db.session.scalars(select(RegistryCitizen)):
        counts = result.setdefault(p.current_commune_code, Counter())
        counts["records"] += 1
        problems = {f"missing.{f}" for f in REQUIRED if not (getattr(p, f) or "").strip()}
        digit = int(p.personal_id[3])
        encoded_year = 1900 + 100 * (digit // 2) + int(p.personal_id[4:6])
        encoded_gender = MALE if digit % 2 == 0 else FEMALE
        if encoded_year > today.year:
            problems.add("inconsistent.personal_id.future")
        elif encoded_year != p.date_of_birth.year:
            problems.add("inconsistent.personal_id.year")
        elif encoded_gender != p.gender:
            problems.add("inconsistent.personal_id.gender")
        if p.birth_registration_province != p.personal_id[:3]:
            problems.add("inconsistent.birth_province")
        if p.is_alive != (p.date_of_death is None):
            problems.add("inconsistent.death")
        counts.update(problems)
        counts["with_issues"] += bool(problems)
        counts["missing"] += any(x.startswith("missing.") for x in problems)
        counts["inconsistent"] += any(x.startswith("inconsistent.") for x in problems)
    return result


def share(part, whole):
    return round(part / whole, 4) if whole else None


# -- dossiers ----------------------------------------------------------------------
def at(day: date, hour: int = 10) -> datetime:
    """`hour` o'clock in Vietnam on `day`, as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=VIETNAM).astimezone(UTC)


def make_dossier(procedure, agency, owner, status, *, submitted=None, received=None, completed=None,
                 due=None, paused_days=0, commune=None):
    """A dossier row as the dossiers domain would leave it (dates are Vietnam days)."""
    from app.dossiers.models import Dossier

    dossier = Dossier(
        procedure_id=procedure.id, citizen_account_id=owner.id, applicant_name=owner.full_name,
        agency_id=agency.id, commune_code=commune or agency.commune_code or HUNG_DIEN, status=status,
        receipt_code=f"{agency.code}-{status[:4]}-{next(_receipts):04d}" if submitted else None,
        submitted_at=at(submitted) if submitted else None, received_at=at(received, 14) if received else None,
        completed_at=at(completed, 16) if completed else None, due_date=due, paused_days=paused_days)
    db.session.add(dossier)
    db.session.flush()
    return dossier


_receipts = iter(range(1, 1_000_000))


def build_dossiers(procedures: dict, agency_of) -> dict:
    """Dossiers in every state, in two communes, three procedures, on several days."""
    from app.dossiers import states as w

    today = local_today()
    d = {n: today - timedelta(days=n) for n in range(0, 60)}
    owner = AccountFactory()
    birth, marriage, residence = procedures["1.001193"], procedures["1.004873"], procedures["1.004222"]
    hung_dien, tan_ninh = agency_of(f"UBND-{HUNG_DIEN}"), agency_of(f"UBND-{TAN_NINH}")
    police = agency_of("CA-80")
    rows = [
        (birth, hung_dien, w.DRAFT, {}),
        (birth, hung_dien, w.QUEUED, {}),
        (birth, hung_dien, w.CANCELLED, {"completed": d[3]}),
        (birth, hung_dien, w.SUBMITTED, {"submitted": d[0], "due": d[0] + timedelta(days=3)}),
        (birth, hung_dien, w.SUBMITTED, {"submitted": d[20], "due": d[15]}),                    # overdue
        (birth, hung_dien, w.RECEIVED, {"submitted": d[10], "received": d[9], "due": d[8]}),    # overdue
        (marriage, hung_dien, w.IN_PROCESSING, {"submitted": d[5], "received": d[5], "due": d[0]}),  # due today
        (marriage, hung_dien, w.SUPPLEMENT_REQUESTED,
         {"submitted": d[30], "received": d[30], "due": d[25]}),                               # paused: not overdue
        (marriage, tan_ninh, w.PENDING_APPROVAL, {"submitted": d[12], "received": d[12], "due": d[11]}),  # overdue
        (marriage, tan_ninh, w.APPROVED, {"submitted": d[6], "received": d[6], "due": d[1]}),   # overdue
        (birth, tan_ninh, w.RESULT_ISSUED, {"submitted": d[9], "received": d[9], "completed": d[8], "due": d[8]}),
        (birth, tan_ninh, w.RESULT_ISSUED, {"submitted": d[40], "received": d[39], "completed": d[20],
                                            "due": d[35], "paused_days": 4}),                  # late
        (birth, hung_dien, w.RESULT_ISSUED, {"submitted": d[50], "received": d[50], "completed": d[45],
                                             "due": d[44]}),
        (residence, police, w.RESULT_ISSUED, {"submitted": d[21], "received": d[21], "completed": d[2],
                                              "due": d[14], "commune": TAN_NINH}),              # late
        (residence, police, w.REJECTED, {"submitted": d[8], "received": d[8], "completed": d[4],
                                         "due": d[1], "commune": HUNG_DIEN}),
        (marriage, hung_dien, w.RETURNED, {"submitted": d[7], "completed": d[7]}),
        (marriage, tan_ninh, w.WITHDRAWN, {"submitted": d[2], "completed": d[1]}),
        (residence, police, w.IN_PROCESSING, {"submitted": d[3], "received": d[3], "due": d[2],
                                              "commune": TAN_NINH}),                           # overdue
    ]
    made = [make_dossier(p, a, owner, status, **kw) for p, a, status, kw in rows]
    db.session.commit()
    recount()
    return {"dossiers": made, "days": d, "agencies": {"hung_dien": hung_dien, "tan_ninh": tan_ninh,
                                                      "police": police}}


def _dims_match(dossier, procedure_codes, filters) -> bool:
    return ((filters.commune_code is None or dossier.commune_code == filters.commune_code)
            and (filters.agency_id is None or dossier.agency_id == filters.agency_id)
            and (filters.procedure_code is None or procedure_codes[dossier.procedure_id] == filters.procedure_code))


def expected_dossiers(filters) -> dict:
    """Dossier figures counted from the dossier rows (filters: app.dashboard.counters.Filters)."""
    import math

    from app.catalog.models import Procedure
    from app.common.workdays import working_days_between
    from app.dossiers.models import Dossier

    codes = dict(db.session.execute(select(Procedure.id, Procedure.code)).all())

    def in_period(moment):
        day = _local_day(moment)
        return (filters.start is None or day >= filters.start) and (filters.end is None or day <= filters.end)

    dossiers = [d for d in db.session.scalars(select(Dossier)) if _dims_match(d, codes, filters)]
    submitted = [d for d in dossiers if d.submitted_at is not None and d.status not in ("draft", "queued")
                 and in_period(d.submitted_at)]
    decided = [d for d in dossiers if d.status in ("result_issued", "rejected") and d.completed_at is not None
               and in_period(d.completed_at)]
    on_time = sum(1 for d in decided if _local_day(d.completed_at) <= d.due_date)
    days = sorted(max(0, working_days_between(_local_day(d.received_at or d.submitted_at),
                                              _local_day(d.completed_at)) - d.paused_days) for d in decided)
    return {
        "total": len(submitted),
        "statuses": Counter(d.status for d in submitted),
        "online": len(submitted),
        "resolved": len(decided), "on_time": on_time, "late": len(decided) - on_time,
        "average": round(sum(days) / len(days), 2) if days else None,
        "p90": days[math.ceil(0.9 * len(days)) - 1] if days else None,
    }


def expected_overdue(filters) -> list:
    """Dossiers overdue today, most overdue first: [(due_date, dossier id)]."""
    from app.catalog.models import Procedure
    from app.dossiers.models import Dossier

    codes = dict(db.session.execute(select(Procedure.id, Procedure.code)).all())
    running = ("submitted", "received", "in_processing", "pending_approval", "approved")
    today = local_today()
    return sorted((d.due_date, d.id) for d in db.session.scalars(select(Dossier))
                  if d.status in running and d.due_date is not None and d.due_date < today
                  and _dims_match(d, codes, filters))


# -- payments ----------------------------------------------------------------------
def make_payment(dossier, gateway, status, *, amount=15_000, created=None, paid=None, duplicate=False,
                 just_now=False):
    """A payment row (dates are Vietnam days, 09:00), written as the payments domain would.

    `just_now`: created a minute ago, whatever the time of day (09:00 today may be long past).
    """
    from app.payments.models import Payment

    created_at = utcnow() - timedelta(minutes=1) if just_now else at(created or local_today(), 9)
    payment = Payment(
        dossier_id=dossier.id, account_id=dossier.citizen_account_id, gateway=gateway,
        txn_ref=f"T{next(_receipts):010d}", amount=amount, status=status, duplicate=duplicate,
        order_info="Lệ phí", procedure_code=_procedure_code(dossier), procedure_name="Thủ tục",
        dossier_receipt_code=dossier.receipt_code or "-", agency_id=dossier.agency_id,
        commune_code=dossier.commune_code, created_at=created_at,
        expires_at=created_at + timedelta(minutes=15), paid_at=at(paid, 9) if paid else None)
    db.session.add(payment)
    db.session.flush()
    return payment


def make_refund(payment, status, *, created=None):
    from app.payments.models import Refund

    refund = Refund(payment_id=payment.id, amount=payment.amount, reason="dossier_rejected", status=status,
                    gateway_request_id=f"R{next(_receipts):012d}", created_at=at(created or local_today(), 11))
    db.session.add(refund)
    db.session.flush()
    return refund


def _procedure_code(dossier) -> str:
    from app.catalog.models import Procedure

    return db.session.get(Procedure, dossier.procedure_id).code


def build_payments(made: dict) -> list:
    """Payments in every state on three gateways, for the dossiers of `build_dossiers`."""
    from app.payments import states as s

    d = made["days"]
    dossiers = made["dossiers"][3:]      # submitted ones
    rows = [
        (0, "vnpay", s.SUCCEEDED, {"paid": d[0]}),
        (1, "vnpay", s.SUCCEEDED, {"paid": d[20], "amount": 7_000}),
        (2, "momo", s.SUCCEEDED, {"paid": d[0], "amount": 200_000}),
        (3, "momo", s.REFUNDED, {"paid": d[4], "amount": 135_000}),
        (4, "paygov", s.SUCCEEDED, {"paid": d[9], "amount": 8_000}),
        (5, "paygov", s.SUCCEEDED, {"paid": d[9], "amount": 8_000, "duplicate": True}),
        (6, "vnpay", s.FAILED, {}),
        (7, "momo", s.CANCELLED, {}),
        (8, "vnpay", s.PENDING, {"created": d[1]}),                 # stuck: open a day later
        (9, "paygov", s.CREATED, {"created": d[3]}),                # stuck
        (10, "vnpay", s.PENDING, {"just_now": True}),               # just started: not stuck
        (11, "momo", s.EXPIRED, {"created": d[2]}),
    ]
    payments = [make_payment(dossiers[i], gateway, status, **kw) for i, gateway, status, kw in rows]
    make_refund(payments[3], s.REFUND_SUCCEEDED, created=d[3])
    make_refund(payments[5], s.REFUND_REQUESTED, created=d[9])
    make_refund(payments[1], s.REFUND_FAILED, created=d[19])
    db.session.commit()
    recount()
    return payments


def expected_payments(filters) -> dict:
    """Payment figures counted from the payment and refund rows."""
    from app.catalog.models import Procedure
    from app.dossiers.models import Dossier
    from app.payments.models import Payment, Refund

    codes = dict(db.session.execute(select(Procedure.id, Procedure.code)).all())
    dossiers = {d.id: d for d in db.session.scalars(select(Dossier))}

    def keep(payment, moment):
        day = _local_day(moment)
        return (_dims_match(dossiers[payment.dossier_id], codes, filters)
                and (filters.start is None or day >= filters.start) and (filters.end is None or day <= filters.end))

    taken = [p for p in db.session.scalars(select(Payment))
             if p.status in ("succeeded", "refunded") and p.paid_at and keep(p, p.paid_at)]
    daily = Counter()
    counts = Counter()
    for p in taken:
        daily[(_local_day(p.paid_at), p.gateway)] += p.amount
        counts[(_local_day(p.paid_at), p.gateway)] += 1
    refunds = [r for r in db.session.scalars(select(Refund)) if keep(r.payment, r.created_at)]
    by_status = {status: (sum(1 for r in refunds if r.status == status),
                          sum(r.amount for r in refunds if r.status == status))
                 for status in ("requested", "succeeded", "failed")}
    cutoff = datetime.now(UTC) - timedelta(minutes=15)
    stuck = sorted((p.created_at, p.id) for p in db.session.scalars(select(Payment))
                   if p.status in ("created", "pending") and p.created_at <= cutoff
                   and _dims_match(dossiers[p.dossier_id], codes, filters))
    return {"daily": daily, "counts": counts, "collected": sum(daily.values()), "payments": len(taken),
            "refunds": by_status, "stuck": [payment_id for _c, payment_id in stuck]}
