"""The /ioc page and its files are served by the app itself (no CDN, no npm at run time)."""
import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "app/dashboard/static/vendor"


def test_the_page_is_served_with_a_strict_content_security_policy(client):
    response = client.get("/ioc")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    page = response.get_data(as_text=True)
    assert '<script src="/ioc/static/vendor/chart.umd.min.js"' in page
    assert "http://" not in page and "https://" not in page   # nothing from elsewhere


def test_scripts_and_styles_are_served(client):
    for path, kind in (("/ioc/static/ioc.js", "javascript"), ("/ioc/static/ioc.css", "css"),
                       ("/ioc/static/vendor/chart.umd.min.js", "javascript")):
        response = client.get(path)
        assert response.status_code == 200, path
        assert kind in response.mimetype
    assert b"Chart.js v4.6.1" in client.get("/ioc/static/vendor/chart.umd.min.js").data


def test_the_vendored_chart_library_is_the_pinned_npm_release_with_its_licences():
    package = json.loads((ROOT / "dashboard-ui/package.json").read_text())
    lock = json.loads((ROOT / "dashboard-ui/package-lock.json").read_text())
    pinned = package["dependencies"]["chart.js"]
    assert lock["packages"]["node_modules/chart.js"]["version"] == pinned
    versions = (VENDOR / "VERSIONS.txt").read_text().splitlines()
    assert versions[0] == f"chart.js {pinned}"
    for line in versions[1:]:
        digest, name = line.split("  ")
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert "MIT License" in (VENDOR / "LICENSE-chart.js.md").read_text()
