"""Dossier scenarios: submitting, a citizen's own list, an officer's inbox.

Each `setup` runs once before the server starts, on the bench database, and
creates what its requests need with the app's own models (bulk inserts where
thousands of rows are needed):

- `dossiers.submit`: BENCH_DOSSIER_DRAFTS (default 4,000) complete birth
  registration drafts (form filled, birth certificate attached) spread over
  200 level-2 citizens; each request submits a different draft, with its own
  Idempotency-Key. Single use: the harness never sends one twice, and marks
  the run invalid when the drafts run out (shorten it, or raise the count).
- `dossiers.mine`: 200 citizens with 30 dossiers each in assorted states;
  GET /api/v1/dossiers (first page of 20) with each citizen's token.
- `dossiers.one`: GET /api/v1/dossiers/{id}, 100 citizens' dossiers in processing.
- `dossiers.inbox`: one commune committee holding BENCH_INBOX_DOSSIERS
  (default 20,000) dossiers in assorted states among the others, 20 of its
  officers; GET /api/v1/dossiers/inbox plain and filtered (status, overdue,
  assigned to me), in turn.
"""
import os
import random
import uuid
from datetime import timedelta

from bench.scenario import Request, Scenario

STATES = ("submitted", "received", "in_processing", "supplement_requested", "pending_approval",
          "approved", "result_issued", "returned", "withdrawn")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _catalog():
    from app.catalog.catalog_data import BIRTH_REGISTRATION
    from app.catalog.seed import seed_procedures
    from app.catalog.service import procedure_by_code

    seed_procedures()
    return procedure_by_code(BIRTH_REGISTRATION)


def _citizens(count: int, level: int = 2):
    """`count` new level-2 citizen accounts (registry citizens without one) and their tokens."""
    from sqlalchemy import select

    from app.common.clock import utcnow
    from app.extensions import db
    from app.identity.models import ACTIVE, Account
    from app.identity.sessions import start_session
    from app.registry.models import RegistryCitizen

    taken = select(Account.personal_id).where(Account.personal_id.is_not(None))
    rows = db.session.scalars(select(RegistryCitizen).where(
        RegistryCitizen.is_alive.is_(True), RegistryCitizen.personal_id.not_in(taken))
        .order_by(RegistryCitizen.personal_id).limit(count)).all()
    if len(rows) < count:
        raise RuntimeError(f"only {len(rows)} registry citizens without an account; seed more (--citizens)")
    accounts = [Account(login=row.personal_id, personal_id=row.personal_id, full_name=row.full_name,
                        phone=(row.phone_numbers or [None])[0], role="citizen", level=level, status=ACTIVE,
                        activated_at=utcnow()) for row in rows]
    db.session.add_all(accounts)
    db.session.flush()
    tokens = [start_session(a, level=level, methods=["pwd", "otp"]).access_token for a in accounts]
    return list(zip(accounts, rows, tokens))


def _insert_dossiers(rows: list[dict]) -> list[uuid.UUID]:
    from sqlalchemy import insert

    from app.dossiers.models import Dossier
    from app.extensions import db

    for row in rows:
        row.setdefault("id", uuid.uuid4())
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(Dossier.__table__), rows[start:start + 2000])
    return [row["id"] for row in rows]


def _row(procedure, account, agency, status: str, form_data: dict, offset: timedelta = timedelta(0), **extra) -> dict:
    from app.common.clock import local_today, utcnow

    now = utcnow() - offset
    submitted = status != "draft"
    return {"procedure_id": procedure.id, "citizen_account_id": account.id, "applicant_name": account.full_name,
            "agency_id": agency.id, "commune_code": agency.commune_code, "status": status,
            "form_data": form_data, "prefill": {}, "fee_amount": 0, "fee_status": "not_required",
            "paused_days": 0, "version": 1, "created_at": now, "updated_at": now,
            "receipt_code": f"{agency.code}-B{uuid.uuid4().hex[:10].upper()}" if submitted else None,
            "submitted_at": now if submitted else None,
            "due_date": local_today() + timedelta(days=random.randint(-5, 5)) if submitted else None, **extra}


def _agency_of(commune_code):
    from sqlalchemy import select

    from app.catalog.models import Agency
    from app.extensions import db

    return db.session.scalar(select(Agency).where(Agency.code == f"UBND-{commune_code}"))


def _birth_form(account, row) -> dict:
    return {"declarant_full_name": account.full_name, "declarant_personal_id": account.personal_id,
            "declarant_relationship": "father", "child_full_name": "Nguyễn Minh Khang",
            "child_date_of_birth": "2025-11-02", "child_gender": "male", "child_birth_place": "Bệnh viện tỉnh",
            "child_ethnicity": row.ethnicity or "Kinh", "child_nationality": "Việt Nam",
            "commune_code": row.current_commune_code}


def setup_submit(app) -> list[Request]:
    from sqlalchemy import insert

    from app.dossiers.models import DossierDocument
    from app.extensions import db
    from app.storage import get_storage
    from app.storage.adapter import checksum

    drafts_wanted = int(os.environ.get("BENCH_DOSSIER_DRAFTS", 4000))
    procedure = _catalog()
    people = _citizens(200)
    stored = get_storage().put(f"documents/bench-{uuid.uuid4()}", PDF)
    rows, owners = [], []
    for i in range(drafts_wanted):
        account, registry_row, token = people[i % len(people)]
        rows.append(_row(procedure, account, _agency_of(registry_row.current_commune_code), "draft",
                         _birth_form(account, registry_row)))
        owners.append(token)
    ids = _insert_dossiers(rows)
    db.session.execute(insert(DossierDocument.__table__), [
        {"id": uuid.uuid4(), "dossier_id": dossier_id, "code": "medical_birth_certificate", "filename": "cs.pdf",
         "content_type": "application/pdf", "size": stored.size, "sha256": checksum(PDF),
         "storage_key": stored.key, "source": "upload", "created_at": row["created_at"],
         "updated_at": row["created_at"]} for dossier_id, row in zip(ids, rows)])
    db.session.commit()
    print(f"  dossiers.submit: {len(ids)} drafts, each submitted once")
    return [Request("POST", f"/api/v1/dossiers/{dossier_id}/submit",
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-{dossier_id}"})
            for dossier_id, token in zip(ids, owners)]


def setup_mine(app) -> list[Request]:
    from app.extensions import db

    procedure = _catalog()
    people = _citizens(200)
    rows = []
    for account, registry_row, _ in people:
        agency = _agency_of(registry_row.current_commune_code)
        for n in range(30):
            rows.append(_row(procedure, account, agency, random.choice(STATES + ("draft",)),
                             _birth_form(account, registry_row), offset=timedelta(days=n)))
    _insert_dossiers(rows)
    db.session.commit()
    return [Request("GET", "/api/v1/dossiers", headers={"Authorization": f"Bearer {token}"})
            for _, _, token in people]


def setup_one(app) -> list[Request]:
    from app.extensions import db

    procedure = _catalog()
    people = _citizens(100)
    rows, tokens = [], []
    for account, registry_row, token in people:
        agency = _agency_of(registry_row.current_commune_code)
        rows.append(_row(procedure, account, agency, "in_processing", _birth_form(account, registry_row)))
        tokens.append(token)
    ids = _insert_dossiers(rows)
    db.session.commit()
    return [Request("GET", f"/api/v1/dossiers/{dossier_id}", headers={"Authorization": f"Bearer {token}"})
            for dossier_id, token in zip(ids, tokens)]


def setup_inbox(app) -> list[Request]:
    from app.extensions import db
    from app.identity.models import ACTIVE, Account
    from app.identity.sessions import start_session

    volume = int(os.environ.get("BENCH_INBOX_DOSSIERS", 20_000))
    procedure = _catalog()
    people = _citizens(100)
    agency = _agency_of(people[0][1].current_commune_code)
    officers = [Account(login=f"bench.officer.{uuid.uuid4().hex[:10]}", full_name="Cán bộ thử tải", role="officer",
                        level=2, status=ACTIVE, agency_id=agency.id, commune_code=agency.commune_code)
                for _ in range(20)]
    db.session.add_all(officers)
    db.session.flush()
    rows = []
    for n in range(volume):
        account, registry_row, _ = people[n % len(people)]
        status = random.choice(STATES)
        assignee = random.choice(officers).id if status not in ("submitted", "returned", "withdrawn") else None
        rows.append(_row(procedure, account, agency, status, _birth_form(account, registry_row),
                         offset=timedelta(minutes=n), assigned_officer_id=assignee))
    _insert_dossiers(rows)
    tokens = [start_session(o, level=2, methods=["pwd", "totp"]).access_token for o in officers]
    db.session.commit()
    queries = ["", "?status=submitted", "?overdue=true", "?assigned_to_me=true", "?status=in_processing&status=received"]
    return [Request("GET", f"/api/v1/dossiers/inbox{queries[i % len(queries)]}",
                    headers={"Authorization": f"Bearer {token}"})
            for i, token in enumerate(tokens * len(queries))]


SCENARIOS = [
    Scenario("dossiers.submit", setup=setup_submit, single_use=True,
             description="POST /api/v1/dossiers/{id}/submit: checks, receipt code, due date, timeline, "
                         "outbox, event; a different complete draft per request"),
    Scenario("dossiers.mine", setup=setup_mine,
             description="GET /api/v1/dossiers: first page of a citizen's 30 dossiers"),
    Scenario("dossiers.one", setup=setup_one,
             description="GET /api/v1/dossiers/{id}: a citizen's dossier being processed"),
    Scenario("dossiers.inbox", setup=setup_inbox,
             description="GET /api/v1/dossiers/inbox: an officer's commune committee with 20,000 dossiers, "
                         "plain and filtered"),
]
