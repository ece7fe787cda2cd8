"""Documents: type from the bytes (spoofing refused), size limit, checksum, download, reuse of results."""
import hashlib
import io
import uuid

import pytest
from sqlalchemy import select

from app.dossiers.models import DossierDocument
from app.extensions import db
from tests.dossiers_fixtures import (
    Api, BIRTH, Desk, HEALTH_INSURANCE, JPEG_BYTES, PDF_BYTES, PNG_BYTES, bearer, birth_dossier,
    citizen_account, staff,
)
from tests.dossiers_fixtures import catalog, storage  # noqa: F401


@pytest.fixture
def draft(client, catalog):
    api = Api(client)
    headers = bearer(citizen_account())
    return api, headers, api.start(headers, catalog[BIRTH]).get_json()["id"]


@pytest.mark.parametrize("data, content_type", [(PDF_BYTES, "application/pdf"), (JPEG_BYTES, "image/jpeg"),
                                                (PNG_BYTES, "image/png")])
def test_pdf_jpeg_and_png_are_stored_with_their_checksum(draft, storage, data, content_type):
    api, headers, dossier_id = draft
    response = api.upload(headers, dossier_id, "medical_birth_certificate", data, "scan.bin", "application/octet-stream")
    assert response.status_code == 201
    body = response.get_json()
    assert body["content_type"] == content_type and body["size"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest() and body["source"] == "upload"
    row = db.session.get(DossierDocument, uuid.UUID(body["id"]))
    assert storage.get(row.storage_key, sha256=row.sha256) == data
    assert row.storage_key.startswith("documents/") and "scan" not in row.storage_key


@pytest.mark.parametrize("data, filename, mimetype", [
    (b"MZ\x90\x00" + b"\x00" * 200, "giay-chung-sinh.pdf", "application/pdf"),     # an executable named .pdf
    (b"<html><script>alert(1)</script></html>", "anh.png", "image/png"),          # HTML posing as an image
    (b"%PDF-1.7 but truncated", "a.pdf", "application/pdf"),
    (b"GIF89a" + b"\x00" * 30, "a.jpg", "image/jpeg"),
])
def test_a_spoofed_type_is_refused_and_nothing_is_stored(draft, storage, data, filename, mimetype):
    api, headers, dossier_id = draft
    response = api.upload(headers, dossier_id, "medical_birth_certificate", data, filename, mimetype)
    assert response.status_code == 422
    assert response.get_json()["code"] == "unsupported_file_type" and "file" in response.get_json()["errors"]
    assert db.session.scalars(select(DossierDocument)).all() == []
    assert not (storage.root / "documents").exists()


def test_a_file_over_the_limit_is_refused_with_413(app, draft):
    api, headers, dossier_id = draft
    limit = app.config["UPLOAD_MAX_BYTES"]
    big = PDF_BYTES[:-6] + b"0" * limit + b"%%EOF\n"
    response = api.upload(headers, dossier_id, "medical_birth_certificate", big)
    assert response.status_code == 413 and response.get_json()["code"] == "file_too_large"
    assert db.session.scalars(select(DossierDocument)).all() == []


def test_the_code_must_be_one_the_procedure_asks_for(draft):
    api, headers, dossier_id = draft
    response = api.upload(headers, dossier_id, "passport")
    assert response.status_code == 422 and response.get_json()["code"] == "unknown_document_code"
    missing = api.client.post(f"/api/v1/dossiers/{dossier_id}/documents", headers=headers,
                              data={"code": "medical_birth_certificate"}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.get_json()["errors"]


def test_the_file_name_is_kept_for_display_only(draft):
    api, headers, dossier_id = draft
    body = api.upload(headers, dossier_id, "medical_birth_certificate", PDF_BYTES,
                      "../../uploads/giấy <chứng> sinh.pdf").get_json()
    assert body["filename"] == "giấy chứng sinh.pdf"
    unnamed = api.upload(headers, dossier_id, "medical_birth_certificate", PNG_BYTES, "../").get_json()
    assert unnamed["filename"] == "document.png"


def test_documents_download_with_their_sniffed_type_for_the_owner_and_the_officer(client, catalog):
    api = Api(client)
    citizen = bearer(citizen_account())
    dossier_id = birth_dossier(api, citizen, catalog[BIRTH], submit=False)
    document = api.get(citizen, dossier_id).get_json()["documents"][0]
    url = f"/api/v1/dossiers/{dossier_id}/documents/{document['id']}/file"
    own = client.get(url, headers=citizen)
    assert own.status_code == 200 and own.data == PDF_BYTES
    assert own.mimetype == "application/pdf" and own.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in own.headers["Content-Disposition"]
    assert client.get(url, headers=bearer(staff())).status_code == 404          # draft: not yet the officer's
    api.submit(citizen, dossier_id)
    assert client.get(url, headers=bearer(staff())).data == PDF_BYTES
    assert client.get(url, headers=bearer(citizen_account())).status_code == 404


def test_a_corrupted_file_is_not_served(client, catalog, storage):
    api = Api(client)
    citizen = bearer(citizen_account())
    dossier_id = birth_dossier(api, citizen, catalog[BIRTH], submit=False)
    document = db.session.scalars(select(DossierDocument)).one()
    (storage.root / document.storage_key).write_bytes(b"%PDF-tampered %%EOF")
    response = client.get(f"/api/v1/dossiers/{dossier_id}/documents/{document.id}/file", headers=citizen)
    assert response.status_code == 503 and response.get_json()["code"] == "file_unavailable"


def test_documents_can_be_removed_only_while_the_citizen_may_change_the_dossier(client, catalog, storage):
    api = Api(client)
    citizen = bearer(citizen_account())
    dossier_id = birth_dossier(api, citizen, catalog[BIRTH], submit=False)
    document = db.session.scalars(select(DossierDocument)).one()
    key = document.storage_key
    removed = client.delete(f"/api/v1/dossiers/{dossier_id}/documents/{document.id}", headers=citizen)
    assert removed.status_code == 204
    assert db.session.scalars(select(DossierDocument)).all() == [] and not (storage.root / key).exists()
    api.upload(citizen, dossier_id, "medical_birth_certificate")
    api.submit(citizen, dossier_id)
    document = db.session.scalars(select(DossierDocument)).one()
    refused = client.delete(f"/api/v1/dossiers/{dossier_id}/documents/{document.id}", headers=citizen)
    assert refused.status_code == 409 and refused.get_json()["code"] == "dossier_not_editable"
    late = api.upload(citizen, dossier_id, "medical_birth_certificate")
    assert late.status_code == 409


def test_a_result_the_citizen_holds_is_reused_instead_of_uploaded(client, catalog):
    api, desk = Api(client), Desk()
    account = citizen_account()
    citizen = bearer(account)
    birth = birth_dossier(api, citizen, catalog[BIRTH])
    result = desk.take_to(api, birth, "result_issued").get_json()

    insurance = api.start(citizen, catalog[HEALTH_INSURANCE]).get_json()["id"]
    reused = client.post(f"/api/v1/dossiers/{insurance}/documents/reuse", headers=citizen,
                         json={"code": "birth_certificate", "result_id": result["id"]})
    assert reused.status_code == 201
    body = reused.get_json()
    assert body["source"] == "result" and body["result_id"] == result["id"] and body["sha256"] == result["sha256"]
    api.fill(citizen, insurance, {"child_full_name": "Nguyễn Minh Khang", "child_personal_id": "080226000123",
                                  "child_date_of_birth": "2026-11-18", "child_gender": "male",
                                  "initial_clinic": "Trạm y tế xã Hưng Điền"})
    assert api.submit(citizen, insurance).status_code == 200
    officer = bearer(staff(agency_code="BHXH-80", commune_code=None))
    file = client.get(f"/api/v1/dossiers/{insurance}/documents/{body['id']}/file", headers=officer)
    assert file.status_code == 200 and file.data == PDF_BYTES

    stranger = citizen_account()
    theirs = api.start(bearer(stranger), catalog[HEALTH_INSURANCE]).get_json()["id"]
    refused = client.post(f"/api/v1/dossiers/{theirs}/documents/reuse", headers=bearer(stranger),
                          json={"code": "birth_certificate", "result_id": result["id"]})
    assert refused.status_code == 404 and refused.get_json()["code"] == "result_not_found"


def test_a_document_field_must_point_at_an_attached_document(client, catalog):
    """Form fields of type document take the id of a document of the same dossier."""
    from app.catalog.models import Procedure
    procedure = Procedure(
        code="9.000001", name="Thủ tục thử", search_text="thu tuc thu", agency_kind="commune_committee", fee=0,
        processing_days=1, service_level="full", min_level=1, result_name="Kết quả",
        form_fields=[{"name": "proof", "label": "Giấy tờ", "type": "document", "required": True}],
        required_documents=[{"code": "proof", "name": "Giấy tờ", "required": True}])
    db.session.add(procedure)
    db.session.flush()
    api = Api(client)
    citizen = bearer(citizen_account())
    dossier_id = api.start(citizen, procedure).get_json()["id"]
    foreign = api.fill(citizen, dossier_id, {"proof": str(uuid.uuid4())})
    assert foreign.status_code == 422 and foreign.get_json()["errors"] == {
        "proof": ["Không phải giấy tờ đính kèm của hồ sơ này."]}
    document_id = api.upload(citizen, dossier_id, "proof").get_json()["id"]
    assert api.fill(citizen, dossier_id, {"proof": document_id}).status_code == 200
    assert api.submit(citizen, dossier_id).status_code == 200


def test_uploads_are_multipart_with_the_code_as_a_form_field(client, catalog):
    api = Api(client)
    citizen = bearer(citizen_account())
    dossier_id = api.start(citizen, catalog[BIRTH]).get_json()["id"]
    response = client.post(f"/api/v1/dossiers/{dossier_id}/documents", headers=citizen,
                           data={"code": "medical_birth_certificate", "file": (io.BytesIO(PNG_BYTES), "a.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 201 and response.get_json()["content_type"] == "image/png"


def test_a_vietnamese_file_name_downloads_with_an_encoded_header(client, catalog):
    api = Api(client)
    citizen = bearer(citizen_account())
    dossier_id = api.start(citizen, catalog[BIRTH]).get_json()["id"]
    document = api.upload(citizen, dossier_id, "medical_birth_certificate", PDF_BYTES, "giấy chứng sinh.pdf").get_json()
    response = client.get(f"/api/v1/dossiers/{dossier_id}/documents/{document['id']}/file", headers=citizen)
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''gi%E1%BA%A5y%20ch%E1%BB%A9ng%20sinh.pdf" in disposition
    assert disposition.isascii()
