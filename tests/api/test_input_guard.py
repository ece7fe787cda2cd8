"""NUL characters are refused before any view (PostgreSQL cannot store or compare them)."""
import io

import pytest


@pytest.mark.parametrize("path", [
    "/api/v1/registry/provinces?x=a%00b",
    "/api/v1/registry/provinces?a%00b=1",
])
def test_a_nul_in_the_query_string_is_a_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "invalid_characters"
    assert body["message"] == "Yêu cầu chứa ký tự NUL, không trường nào chấp nhận ký tự này."


def test_a_nul_in_a_json_body_is_a_400_in_english_too(client):
    response = client.post("/_probe/echo", json={"name": "An\u0000"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.get_json() == {
        "code": "invalid_characters", "status": 400, "errors": {},
        "message": "The request contains a NUL character, which no field accepts."}


def test_a_nul_in_a_form_field_is_a_400(client):
    response = client.post("/_probe/raw", data={"name": "An\u0000"})
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid_characters"


def test_a_nul_in_the_path_names_no_resource(client):
    response = client.get("/api/v1/registry/provinces/8%000/communes")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_uploaded_files_may_contain_nul_bytes(client):
    response = client.post("/_probe/raw", data={"file": (io.BytesIO(b"%PDF\x00\x01\x02"), "a.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 200


def test_text_without_nul_passes(client):
    response = client.post("/_probe/echo", json={"name": "Nguyễn Văn An"})
    assert response.status_code == 200
    assert response.get_json() == {"name": "Nguyễn Văn An"}
