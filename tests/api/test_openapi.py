from app import create_app
from app.cli import SPEC_PATH, spec_text
from app.config import DevelopmentConfig


def test_committed_spec_matches_the_code(tmp_path):
    # The spec lives on the one `api` extension, which the last app built owns;
    # tests build apps with other settings, so generate it from a fresh
    # development app, as `flask spec write` does.
    fresh = create_app(DevelopmentConfig({"DATABASE_URL": f"sqlite:///{tmp_path}/spec.db"}))
    with fresh.app_context():
        generated = spec_text()
    assert SPEC_PATH.read_text(encoding="utf-8") == generated, (
        "openapi/openapi.json is out of date: run `flask spec write`")


def test_spec_is_served_and_documents_the_error_envelope(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["info"]["title"] == "Smart Province API"
    error = spec["components"]["schemas"]["Error"]["properties"]
    assert set(error) == {"code", "status", "message", "errors"}


def test_interactive_docs_are_served_without_a_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in page.get_data(as_text=True)
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
