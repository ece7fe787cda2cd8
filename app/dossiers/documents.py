"""Documents of a dossier: uploads (type from the bytes, size limit, checksum) and reused results."""
import uuid
from dataclasses import dataclass

from flask import current_app

from app.common.auth import Principal
from app.dossiers import access, states
from app.dossiers.access import ensure_owner, ensure_visible
from app.dossiers.errors import (
    DocumentNotFound, DossierNotEditable, FileTooLarge, FileUnavailable, ResultNotFound,
    UnknownDocumentCode, UnsupportedFileType,
)
from app.dossiers.models import REUSED_RESULT, UPLOADED, DigitizedResult, Dossier, DossierDocument
from app.dossiers.settings import settings
from app.dossiers.transitions import record
from app.errors import N_
from app.extensions import db
from app.storage import StorageError, get_storage, sniff_content_type
from app.storage.sniff import EXTENSIONS


UNSUPPORTED = N_("Only PDF, JPEG and PNG files are accepted (checked from the file's content).")
UNKNOWN_CODE = N_("This procedure asks for no document with this code.")


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str
    filename: str


def check_file(data: bytes, filename: str | None) -> CheckedFile:
    """Refuses files over the limit (413) and anything but PDF, JPEG or PNG by content (422)."""
    limit = settings().upload_max_bytes
    if len(data) > limit:
        raise FileTooLarge(errors={"file": [FileTooLarge.message]}, headers={"X-Upload-Limit": str(limit)})
    content_type = sniff_content_type(data)
    if content_type is None:
        raise UnsupportedFileType(UNSUPPORTED, errors={"file": [UNSUPPORTED]})
    name = _safe_name(filename) or f"document.{EXTENSIONS[content_type]}"
    return CheckedFile(data, content_type, name)


def upload_document(principal: Principal, dossier_id: uuid.UUID, code: str, data: bytes,
                    filename: str | None) -> DossierDocument:
    """Attaches an uploaded file as the document `code` of the citizen's dossier."""
    dossier = _editable(principal, dossier_id, code)
    checked = check_file(data, filename)
    key = f"documents/{uuid.uuid4()}"
    stored = get_storage().put(key, checked.data)
    document = DossierDocument(
        dossier_id=dossier.id, code=code, filename=checked.filename, content_type=checked.content_type,
        size=stored.size, sha256=stored.sha256, storage_key=key, source=UPLOADED,
        uploaded_by=principal.account_id)
    return _attach(principal, dossier, document)


def reuse_result(principal: Principal, dossier_id: uuid.UUID, code: str, result_id: uuid.UUID) -> DossierDocument:
    """Attaches a digitized result the citizen holds as the document `code` (no upload, no copy)."""
    dossier = _editable(principal, dossier_id, code)
    result = db.session.get(DigitizedResult, result_id)
    if result is None or result.citizen_account_id != principal.account_id:
        raise ResultNotFound()
    document = attach_result(dossier, code, result, uploaded_by=principal.account_id)
    return _attach(principal, dossier, document)


def attach_result(dossier: Dossier, code: str, result: DigitizedResult, *, uploaded_by=None) -> DossierDocument:
    """A document row pointing at a result's stored file (used for reuse and linked bundles)."""
    document = DossierDocument(
        dossier_id=dossier.id, code=code, filename=result.filename, content_type=result.content_type,
        size=result.size, sha256=result.sha256, storage_key=result.storage_key, source=REUSED_RESULT,
        result_id=result.id, uploaded_by=uploaded_by)
    db.session.add(document)
    dossier.documents.append(document)
    return document


def delete_document(principal: Principal, dossier_id: uuid.UUID, document_id: uuid.UUID) -> None:
    """Removes a document from a dossier the citizen may still change."""
    dossier = ensure_owner(principal, access.load(dossier_id, lock=True))
    _ensure_editable(dossier)
    document = _document_of(dossier, document_id)
    dossier.documents.remove(document)
    db.session.delete(document)
    if dossier.status != states.DRAFT:
        record(dossier, "document_removed", principal, data={"code": document.code, "document_id": document.id})
    db.session.commit()
    if document.source == UPLOADED:
        get_storage().delete(document.storage_key)


def document_file(principal: Principal, dossier_id: uuid.UUID, document_id: uuid.UUID) -> tuple[DossierDocument, bytes]:
    """A document's bytes, checked against the stored checksum."""
    dossier = ensure_visible(principal, access.load(dossier_id))
    document = _document_of(dossier, document_id)
    return document, read_checked(document.storage_key, document.sha256)


def read_checked(key: str, sha256: str) -> bytes:
    try:
        return get_storage().get(key, sha256=sha256)
    except StorageError as error:
        current_app.logger.error("stored file unavailable or corrupted: %s", key)
        raise FileUnavailable() from error


def _editable(principal: Principal, dossier_id: uuid.UUID, code: str) -> Dossier:
    dossier = ensure_owner(principal, access.load(dossier_id, lock=True))
    _ensure_editable(dossier)
    if code not in {d["code"] for d in dossier.procedure.required_documents}:
        raise UnknownDocumentCode(UNKNOWN_CODE, errors={"code": [UNKNOWN_CODE]})
    return dossier


def _ensure_editable(dossier: Dossier) -> None:
    if dossier.status not in states.EDITABLE:
        raise DossierNotEditable()


def _attach(principal: Principal, dossier: Dossier, document: DossierDocument) -> DossierDocument:
    if document not in dossier.documents:
        dossier.documents.append(document)
    db.session.add(document)
    db.session.flush()
    if dossier.status != states.DRAFT:
        record(dossier, "document_added", principal, data={"code": document.code, "document_id": document.id})
    db.session.commit()
    return document


def _document_of(dossier: Dossier, document_id: uuid.UUID) -> DossierDocument:
    for document in dossier.documents:
        if document.id == document_id:
            return document
    raise DocumentNotFound()


def _safe_name(filename: str | None) -> str:
    """The file's own name, for display only: no path, no control characters, 255 at most."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if c.isprintable() and c not in '"<>')[:255].strip()
