"""Deep JSON is refused in the envelope (400 invalid_json), never a 500."""
import pytest

from app.common.json_depth import MAX_JSON_DEPTH, depth

LOGIN = "/api/v1/identity/login"


@pytest.mark.parametrize("body", ["[" * 50_000, "[" * 50_000 + "]" * 50_000,
                                  '{"a":' * 5_000 + "1" + "}" * 5_000,
                                  "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)])
def test_too_deep_json_is_400_invalid_json(client, body):
    response = client.post(LOGIN, data=body, content_type="application/json",
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.get_json() == {"code": "invalid_json", "status": 400,
                                   "message": "The JSON body is nested too deeply.", "errors": {}}


def test_the_message_is_vietnamese_by_default(client):
    response = client.post(LOGIN, data="[" * 50_000, content_type="application/json")
    assert response.get_json()["message"] == "Nội dung JSON lồng nhau quá sâu."


def test_json_at_the_limit_reaches_the_view(client):
    body = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    response = client.post(LOGIN, data=body, content_type="application/json")
    assert response.status_code in (400, 422) and response.get_json()["code"] != "invalid_json"


def test_many_brackets_side_by_side_are_not_deep(client):
    body = '{"login": "x", "password": "y", "extra": [' + ",".join(["[]"] * 500) + "]}"
    response = client.post(LOGIN, data=body, content_type="application/json")
    assert response.get_json()["code"] != "invalid_json"


def test_broken_json_stays_in_the_envelope(client):
    response = client.post(LOGIN, data="[" * 40 + "nope", content_type="application/json")
    assert response.status_code == 400 and set(response.get_json()) == {"code", "status", "message", "errors"}


def test_depth():
    assert depth(1) == 0 and depth([]) == 1 and depth({"a": [{"b": []}]}) == 4
