"""Digitized results: issued by the approver, kept in the citizen's document store, verifiable by anyone.

A result is a file (PDF, JPEG or PNG) plus structured data checked against the
procedure's result fields. Its verification code (16 characters from an
alphabet without look-alikes, about 80 bits) is printed as a QR code pointing
at the public verification endpoint, which says only whether the code is
genuine, who issued it and on which date.
"""
import io
import secrets
import uuid

import qrcode
from sqlalchemy import select

from app.catalog.forms import FormCheck, check_values
from app.common.auth import Principal
from app.common.clock import VIETNAM, utcnow
from app.common.pagination import paginate
from app.dossiers import access, transitions
from app.dossiers.access import ensure_visible
from app.dossiers.documents import check_file, read_checked
from app.dossiers.errors import InvalidResultData, NotGenuine, ResultNotFound
from app.dossiers.models import DigitizedResult, Dossier
from app.dossiers.service import StaleVersion, commit_or_conflict
from app.errors import N_
from app.extensions import db
from app.storage import get_storage

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16


def issue_result(principal: Principal, dossier_id: uuid.UUID, *, data: bytes, filename: str | None,
                 values: dict, expected_version: int | None = None) -> DigitizedResult:
    """Issues an approved dossier's result into the citizen's personal document store."""
    dossier = ensure_visible(principal, access.load(dossier_id, lock=True))
    if expected_version is not None and expected_version != dossier.version:
        raise StaleVersion(errors={"version": [str(dossier.version)]})
    result = record_result(principal, dossier, data=data, filename=filename, values=values)
    commit_or_conflict()
    return result


def record_result(principal: Principal, dossier: Dossier, *, data: bytes, filename: str | None,
                  values: dict) -> DigitizedResult:
    """Checks and stores the result, fires `issue_result` (the caller holds the lock and commits)."""
    transitions.check(dossier, "issue_result", principal)  # refused before anything is stored
    clean, errors = check_values(dossier.procedure.result_fields, values, FormCheck())
    if errors:
        raise InvalidResultData(errors={"data": errors})
    checked = check_file(data, filename)
    result_id = uuid.uuid4()
    key = f"results/{result_id}"
    stored = get_storage().put(key, checked.data)
    result = DigitizedResult(
        id=result_id, dossier_id=dossier.id, citizen_account_id=dossier.citizen_account_id,
        procedure_id=dossier.procedure_id, issuer_agency_id=dossier.agency_id, issued_by=principal.account_id,
        title=dossier.procedure.result_name, data=clean, verification_code=new_verification_code(),
        filename=checked.filename, content_type=checked.content_type, size=stored.size,
        sha256=stored.sha256, storage_key=key, issued_at=utcnow())
    db.session.add(result)
    db.session.flush()
    transitions.fire(dossier, "issue_result", principal, data={"result_id": result_id})
    return result


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return code.replace("-", "").replace(" ", "").upper()


def my_results(principal: Principal, *, cursor=None, limit=20) -> dict:
    """The citizen's personal document store, newest first."""
    statement = select(DigitizedResult).where(DigitizedResult.citizen_account_id == principal.account_id)
    return paginate(db.session, statement, DigitizedResult, cursor=cursor, limit=limit)


def get_result(principal: Principal, result_id: uuid.UUID) -> DigitizedResult:
    result = db.session.get(DigitizedResult, result_id)
    if result is None or result.citizen_account_id != principal.account_id:
        raise ResultNotFound()
    return result


def result_of_dossier(principal: Principal, dossier_id: uuid.UUID) -> DigitizedResult:
    """The result of a dossier the principal may see (its citizen, or staff in scope)."""
    dossier: Dossier = ensure_visible(principal, access.load(dossier_id))
    result = db.session.scalar(select(DigitizedResult).where(DigitizedResult.dossier_id == dossier.id))
    if result is None:
        raise ResultNotFound(N_("This dossier has no result yet."))
    return result


def result_file(result: DigitizedResult) -> bytes:
    return read_checked(result.storage_key, result.sha256)


def verify(code: str) -> dict:
    """Public check of a verification code: genuine, issuer and date only."""
    result = db.session.scalar(select(DigitizedResult).where(
        DigitizedResult.verification_code == normalise_code(code)))
    if result is None:
        raise NotGenuine()
    return {"genuine": True, "issuer": result.issuer.name,
            "issued_on": result.issued_at.astimezone(VIETNAM).date()}


def verification_qr_png(verify_url: str) -> bytes:
    """A PNG QR code of the public verification URL."""
    image = qrcode.make(verify_url, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
