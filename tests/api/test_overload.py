"""No database connection in time: 503 overloaded with Retry-After, in the envelope; /readyz degraded."""
import time

import pytest
from sqlalchemy import exc

from app.common import overload


@pytest.fixture
def failing_view(app, monkeypatch):
    def install(error):
        def view(*args, **kwargs):
            raise error
        monkeypatch.setitem(app.view_functions, "health.healthz", view)
    yield install
    overload._last_refusal["at"] = 0.0


def test_a_pool_timeout_is_503_overloaded_with_retry_after(client, failing_view):
    failing_view(exc.TimeoutError("QueuePool limit of size 10 overflow 5 reached"))
    response = client.get("/healthz", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.get_json() == {"code": "overloaded", "status": 503, "errors": {},
                                   "message": "The service is busy. Try again in a moment."}


def test_readyz_is_degraded_just_after_a_refusal_then_recovers(client, failing_view, monkeypatch):
    failing_view(exc.TimeoutError("pool"))
    client.get("/healthz")
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["code"] == "overloaded"
    assert response.headers["Retry-After"] == "2"
    monkeypatch.setattr(overload, "OVERLOAD_WINDOW", 0.0)
    assert client.get("/readyz").status_code == 200


def test_an_unreachable_database_is_503_database_unavailable(client, failing_view):
    failing_view(exc.OperationalError("connect", {}, Exception("connection refused")))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == "2"
    assert response.get_json()["message"] == "Không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau giây lát."


def test_postgresql_pools_are_bounded():
    options = overload.engine_options("postgresql+psycopg://u@h/d", {"DB_POOL_TIMEOUT": "1.5"})
    assert options["pool_timeout"] == 1.5 and options["pool_size"] == 10 and options["max_overflow"] == 5
    assert options["connect_args"] == {"connect_timeout": 3}
    assert overload.engine_options("sqlite:///x.db", {}) == {}
