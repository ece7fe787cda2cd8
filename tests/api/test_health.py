from app import create_app
from app.config import TestingConfig


def test_healthz_is_200(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_200_when_database_is_migrated(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "migrations": "at head"}


def _app_on(url):
    return create_app(TestingConfig({"TEST_DATABASE_URL": url}))


def test_readyz_is_503_when_migrations_are_pending(tmp_path):
    response = _app_on(f"sqlite:///{tmp_path}/empty.db").test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["code"] == "migrations_pending"


def test_readyz_is_503_when_database_is_unreachable():
    app = _app_on("postgresql+psycopg://nobody@127.0.0.1:9/nothing?connect_timeout=1")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["code"] == "database_unreachable"
    assert response.get_json()["message"] == "Không kết nối được cơ sở dữ liệu."


def test_readyz_is_503_when_only_some_branches_are_applied(tmp_path):
    import flask_migrate

    app = _app_on(f"sqlite:///{tmp_path}/partial.db")
    with app.app_context():
        flask_migrate.upgrade(revision="0004")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["code"] == "migrations_pending"

