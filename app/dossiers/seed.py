"""Demo dossiers for the development province: one in each interesting state.

For the demo citizen (the first level-2 citizen account, created by the
identity seed) and the commune's demo officer and approver: a prefilled draft,
a submitted dossier waiting for its fee, one in processing, and one with its
result in the personal document store (its verification code is printed).
Idempotent: nothing is added when the demo citizen already has dossiers.
Skipped in production, and in tests unless asked for.
"""
import uuid

from flask import current_app
from sqlalchemy import select

from app.catalog.catalog_data import BIRTH_REGISTRATION
from app.catalog.models import Agency
from app.catalog.service import procedure_by_code
from app.common.auth import Principal
from app.dossiers.models import UPLOADED, Dossier, DossierDocument
from app.dossiers.results import record_result
from app.dossiers.service import new_dossier
from app.dossiers.transitions import fire
from app.extensions import db
from app.identity.models import Account
from app.common.roles import CITIZEN
from app.storage import get_storage
from app.storage.adapter import checksum

DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 120]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>"
    b"endobj\n4 0 obj<</Length 44>>stream\nBT /F1 14 Tf 20 60 Td (Ban dien tu - demo) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
CHILD = {"declarant_relationship": "father", "child_full_name": "Nguyễn Gia Bảo", "child_gender": "male",
         "child_date_of_birth": "2025-11-02", "child_birth_place": "Bệnh viện Đa khoa tỉnh"}


def seed_demo_dossiers(province_code: str, *, in_tests: bool = False) -> list[str]:
    """Adds the demo dossiers when missing; returns the lines to print (the caller commits)."""
    if current_app.config["APP_ENV"] == "production" or (current_app.testing and not in_tests):
        return []
    citizen = db.session.scalar(select(Account).where(Account.role == CITIZEN, Account.level == 2)
                                .order_by(Account.created_at).limit(1))
    officer = db.session.scalar(select(Account).where(Account.login == "demo.officer"))
    approver = db.session.scalar(select(Account).where(Account.login == "demo.approver"))
    birth = procedure_by_code(BIRTH_REGISTRATION)
    marital = procedure_by_code("1.004873")
    if None in (citizen, officer, approver, birth, marital) or officer.agency_id is None:
        return []
    if db.session.scalar(select(Dossier.id).where(Dossier.citizen_account_id == citizen.id).limit(1)):
        return []
    me, desk, leader = _principal(citizen), _principal(officer), _principal(approver)

    new_dossier(me, birth)                                          # a prefilled draft
    waiting = new_dossier(me, marital)                              # submitted, fee unpaid
    waiting.form_data = {**waiting.form_data, "purpose": "Đăng ký kết hôn"}
    fire(waiting, "submit", me)
    processing = _submitted_birth(me, birth, desk)                  # received, assigned
    fire(processing, "receive", desk)
    processing.assigned_officer_id = officer.id
    fire(processing, "assign", desk, data={"assignee_id": officer.id})
    done = _submitted_birth(me, birth, desk)                        # result in the document store
    for action, who in (("receive", desk), ("assign", desk), ("propose", desk), ("approve", leader)):
        if action == "assign":
            done.assigned_officer_id = officer.id
        fire(done, action, who)
    result = record_result(leader, done, data=DEMO_PDF, filename="giay-khai-sinh-demo.pdf", values={
        "child_full_name": CHILD["child_full_name"], "child_date_of_birth": CHILD["child_date_of_birth"],
        "child_gender": "male", "child_personal_id": "080225000999", "registration_number": "01/2025"})
    db.session.flush()
    return [f"demo dossiers for citizen {citizen.login}: a draft, {waiting.receipt_code} (fee unpaid), "
            f"{processing.receipt_code} (in processing), {done.receipt_code} (result issued); "
            f"verify its result: GET /api/v1/results/verify/{result.verification_code}"]


def _submitted_birth(principal: Principal, procedure, officer: Principal) -> Dossier:
    dossier = new_dossier(principal, procedure)
    if dossier.agency_id != officer.agency_id:   # the demo citizen lives elsewhere: use the officer's commune
        dossier.form_data = {**dossier.form_data, "commune_code": officer.commune_code}
        dossier.commune_code = officer.commune_code
        dossier.agency = db.session.get(Agency, officer.agency_id)
    dossier.form_data = {**dossier.form_data, **CHILD}
    key = f"documents/{uuid.uuid4()}"
    get_storage().put(key, DEMO_PDF)
    document = DossierDocument(dossier_id=dossier.id, code="medical_birth_certificate", filename="giay-chung-sinh.pdf",
                               content_type="application/pdf", size=len(DEMO_PDF), sha256=checksum(DEMO_PDF),
                               storage_key=key, source=UPLOADED, uploaded_by=principal.account_id)
    db.session.add(document)
    dossier.documents.append(document)
    fire(dossier, "submit", principal)
    return dossier


def _principal(account: Account) -> Principal:
    return Principal(account_id=account.id, role=account.role, level=account.level or 2, methods=("seed",),
                     session_id=uuid.uuid4(), agency_id=account.agency_id, commune_code=account.commune_code)
