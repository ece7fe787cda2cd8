"""Digitized results: issued by the approver, in the citizen's store, verifiable by anyone."""
import io
import uuid

import pytest
from PIL import Image
from sqlalchemy import select

from app.common import roles
from app.dossiers.models import DigitizedResult, Dossier
from app.dossiers.results import CODE_ALPHABET
from app.extensions import db
from tests.dossiers_fixtures import (
    Api, BIRTH, BIRTH_RESULT, COMMUNE, Desk, OTHER_COMMUNE, PDF_BYTES, bearer, birth_dossier,
    citizen_account, outbox, staff,
)
from tests.dossiers_fixtures import catalog, published, storage  # noqa: F401


@pytest.fixture
def approved(client, catalog):
    api, desk = Api(client), Desk()
    account = citizen_account()
    dossier_id = birth_dossier(api, bearer(account), catalog[BIRTH])
    desk.take_to(api, dossier_id, "approved")
    return api, desk, account, dossier_id


def test_the_approver_issues_a_file_and_structured_data(client, approved, storage, published):
    api, desk, account, dossier_id = approved
    response = api.issue(desk.approver_h, dossier_id, BIRTH_RESULT)
    assert response.status_code == 201
    body = response.get_json()
    assert body["title"] == "Giấy khai sinh (bản điện tử)" and body["data"] == BIRTH_RESULT
    assert body["issuer"]["code"] == f"UBND-{COMMUNE}" and body["content_type"] == "application/pdf"
    assert len(body["verification_code"]) == 16 and set(body["verification_code"]) <= set(CODE_ALPHABET)
    row = db.session.get(DigitizedResult, uuid.UUID(body["id"]))
    assert row.citizen_account_id == account.id and storage.get(row.storage_key, sha256=row.sha256) == PDF_BYTES
    assert outbox(account, "result_issued")[0].params["receipt_code"].startswith("UBND-")
    assert published[-1][0] == "dossier.result_issued"
    assert client.get(f"/api/v1/dossiers/{dossier_id}/result", headers=bearer(account)).get_json()["id"] == body["id"]


def test_result_data_is_checked_against_the_procedures_result_fields(approved, storage):
    api, desk, _, dossier_id = approved
    response = api.issue(desk.approver_h, dossier_id, {**BIRTH_RESULT, "child_personal_id": "12", "extra": 1})
    assert response.status_code == 422 and response.get_json()["code"] == "invalid_result_data"
    assert set(response.get_json()["errors"]["data"]) == {"child_personal_id", "extra"}
    spoofed = api.issue(desk.approver_h, dossier_id, BIRTH_RESULT, file=b"MZ" + b"\x00" * 100, filename="kq.pdf")
    assert spoofed.status_code == 422 and spoofed.get_json()["code"] == "unsupported_file_type"
    not_json = api.client.post(f"/api/v1/dossiers/{dossier_id}/result", headers=desk.approver_h,
                               data={"data": "{oops", "file": (io.BytesIO(PDF_BYTES), "kq.pdf")},
                               content_type="multipart/form-data")
    assert not_json.status_code == 422 and "data" in not_json.get_json()["errors"]
    assert db.session.scalars(select(DigitizedResult)).all() == []
    assert not (storage.root / "results").exists()
    assert db.session.get(Dossier, uuid.UUID(dossier_id)).status == "approved"


def test_only_an_approver_in_scope_issues_and_only_once(approved, storage):
    api, desk, account, dossier_id = approved
    assert api.issue(desk.processor_h, dossier_id, BIRTH_RESULT).status_code == 403
    other = bearer(staff(roles.APPROVER, f"UBND-{OTHER_COMMUNE}", OTHER_COMMUNE))
    assert api.issue(other, dossier_id, BIRTH_RESULT).status_code == 403
    assert api.issue(desk.approver_h, dossier_id, BIRTH_RESULT).status_code == 201
    again = api.issue(desk.approver_h, dossier_id, BIRTH_RESULT)
    assert again.status_code == 409 and again.get_json()["code"] == "transition_not_allowed"
    assert len(db.session.scalars(select(DigitizedResult)).all()) == 1
    assert len(list((storage.root / "results").iterdir())) == 1


def test_the_personal_store_lists_and_serves_only_my_results(client, approved):
    api, desk, account, dossier_id = approved
    result = api.issue(desk.approver_h, dossier_id, BIRTH_RESULT).get_json()
    mine = bearer(account)
    listing = client.get("/api/v1/results", headers=mine).get_json()
    assert [r["id"] for r in listing["items"]] == [result["id"]] and listing["next_cursor"] is None
    one = client.get(f"/api/v1/results/{result['id']}", headers=mine)
    assert one.status_code == 200 and one.get_json()["data"]["child_personal_id"] == "080226000123"
    file = client.get(f"/api/v1/results/{result['id']}/file", headers=mine)
    assert file.status_code == 200 and file.data == PDF_BYTES and file.mimetype == "application/pdf"
    stranger = bearer(citizen_account())
    assert client.get("/api/v1/results", headers=stranger).get_json()["items"] == []
    for path in ("", "/file", "/qr.png"):
        assert client.get(f"/api/v1/results/{result['id']}{path}", headers=stranger).status_code == 404


def test_anyone_verifies_a_result_and_learns_only_genuine_issuer_and_date(client, approved):
    api, desk, account, dossier_id = approved
    result = api.issue(desk.approver_h, dossier_id, BIRTH_RESULT).get_json()
    code = result["verification_code"]
    response = client.get(f"/api/v1/results/verify/{code}")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"genuine", "issuer", "issued_on"}
    assert body["genuine"] is True and body["issuer"] == "Ủy ban nhân dân Xã Hưng Điền"
    spaced = f"{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}".lower()
    assert client.get(f"/api/v1/results/verify/{spaced}").get_json() == body
    unknown = client.get("/api/v1/results/verify/AAAABBBBCCCCDDDD")
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "not_genuine"


def test_the_qr_code_opens_the_public_verification(client, approved):
    api, desk, account, dossier_id = approved
    result = api.issue(desk.approver_h, dossier_id, BIRTH_RESULT).get_json()
    png = client.get(f"/api/v1/results/{result['id']}/qr.png", headers=bearer(account))
    assert png.status_code == 200 and png.mimetype == "image/png"
    image = Image.open(io.BytesIO(png.data))
    assert image.format == "PNG" and image.size[0] > 100
    # the QR content is the verification address (decode by regenerating: same payload, same image)
    from app.dossiers.results import verification_qr_png
    expected = verification_qr_png(f"http://localhost/api/v1/results/verify/{result['verification_code']}")
    assert png.data == expected
