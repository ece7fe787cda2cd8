from sqlalchemy import func, select

from app.catalog.models import Agency
from app.extensions import db


def _count(code):
    return db.session.scalar(select(func.count()).select_from(Agency).where(Agency.code == code))


def test_retry_with_the_same_key_replays_the_first_response(client):
    headers = {"Idempotency-Key": "k-1"}
    first = client.post("/_probe/agencies", json={"code": "P-1"}, headers=headers)
    second = client.post("/_probe/agencies", json={"code": "P-1"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count("P-1") == 1


def test_same_key_with_another_body_is_refused(client):
    headers = {"Idempotency-Key": "k-2"}
    client.post("/_probe/agencies", json={"code": "P-2"}, headers=headers)
    response = client.post("/_probe/agencies", json={"code": "P-3"}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["code"] == "idempotency_key_reused"
    assert _count("P-3") == 0


def test_without_a_key_each_request_acts(client):
    client.post("/_probe/agencies", json={"code": "P-4"})
    response = client.post("/_probe/agencies", json={"code": "P-5"})
    assert response.status_code == 201
    assert _count("P-4") == 1 and _count("P-5") == 1


def test_an_overlong_key_is_refused(client):
    response = client.post("/_probe/agencies", json={"code": "P-6"}, headers={"Idempotency-Key": "k" * 101})
    assert response.status_code == 422
    assert response.get_json()["code"] == "invalid_idempotency_key"
    assert _count("P-6") == 0
