"""Every error, raised by us or by Flask, comes back in one JSON envelope."""
import pytest


def assert_envelope(response, status, code):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == code and body["status"] == status
    return body


def test_unknown_route_is_404_in_vietnamese_by_default(client):
    body = assert_envelope(client.get("/no/such/thing"), 404, "not_found")
    assert body["message"] == "Không tìm thấy tài nguyên."


def test_english_when_asked(client):
    body = assert_envelope(client.get("/no/such/thing", headers={"Accept-Language": "en"}), 404, "not_found")
    assert body["message"] == "The resource was not found."


def test_language_preference_order_is_respected(client):
    headers = {"Accept-Language": "fr;q=1.0, en;q=0.8, vi;q=0.5"}
    assert client.get("/nope", headers=headers).get_json()["message"] == "The resource was not found."


def test_method_not_allowed_is_405_with_allow_header(client):
    response = client.delete("/healthz")
    body = assert_envelope(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]
    assert body["message"] == "Phương thức này không được phép với tài nguyên này."


def test_validation_errors_are_422_per_field_and_translated(client):
    response = client.post("/_probe/echo", json={"age": "old"})
    body = assert_envelope(response, 422, "validation_error")
    assert body["errors"]["name"] == ["Thiếu dữ liệu cho trường bắt buộc."]
    assert body["errors"]["age"] == ["Không phải số nguyên hợp lệ."]
    english = client.post("/_probe/echo", json={"age": "old"}, headers={"Accept-Language": "en"})
    assert english.get_json()["errors"]["name"] == ["Missing data for required field."]


def test_body_over_the_limit_is_413(app, client):
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    assert_envelope(client.post("/_probe/raw", data=too_big), 413, "payload_too_large")


def test_body_that_is_not_json_is_refused_cleanly(client):
    response = client.post("/_probe/echo", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.get_json()["code"] in ("bad_request", "validation_error")


def test_unexpected_error_is_500_without_details(client, caplog):
    response = client.get("/_probe/boom")
    body = assert_envelope(response, 500, "internal_error")
    text = response.get_data(as_text=True)
    assert "secret internal detail" not in text and "Traceback" not in text
    assert body["message"] == "Đã xảy ra lỗi ngoài dự kiến. Lỗi đã được ghi lại."


@pytest.mark.parametrize("path", ["/no/such/thing", "/_probe/boom"])
def test_never_an_html_page(client, path):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.mimetype == "application/json"
    assert "<html" not in response.get_data(as_text=True).lower()


def test_domain_error_renders_code_and_parameters(app):
    from app.errors import Conflict, handle_app_error

    with app.test_request_context(headers={"Accept-Language": "en"}):
        response = handle_app_error(Conflict("Dossier %(receipt)s was already received.",
                                             code="already_received", receipt="X-1"))
    assert response.status_code == 409
    assert response.get_json()["code"] == "already_received"
    assert response.get_json()["message"] == "Dossier X-1 was already received."


def test_unexpected_error_is_logged_with_masked_details(client, app_logs):
    client.get("/_probe/boom")
    (record,) = [r for r in app_logs.records if r.name == "app.errors"]
    assert record.exc_info is not None
