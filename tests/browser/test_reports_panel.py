"""The citizen reports panel of the /ioc page in headless Chromium: figures, chart, overdue list, offline SVG map."""
import requests

from tests.browser.test_dashboard_page import (  # noqa: F401  (fixtures)
    CHART_DATA, FIGURES, PAINTED, browser, db_session, log_in, pytestmark, served, shown, wait_for,
)


def test_the_reports_panel_draws_the_api_figures(served, browser):
    base, secret, _app = served
    log_in(browser, base, secret)
    token = browser.execute_script("return sessionStorage.getItem('ioc.access')")
    headers = {"Authorization": f"Bearer {token}"}
    query = browser.execute_script("return window.ioc.query()").replace("from=", "since=")

    def get(path):
        response = requests.get(f"{base}/api/v1/reports/{path}", headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    figures, overdue, layer = get(f"figures{query}"), get("figures/overdue"), get(f"figures/map{query}")
    assert figures["total"] > 0 and overdue
    shown_figures = shown(browser.execute_script(FIGURES))
    assert shown_figures["reports.total"] == figures["total"]
    assert shown_figures["reports.on_time_rate"] == figures["timeliness"]["on_time_rate"]
    assert shown_figures["reports.median"] == figures["resolution_working_days"]["median"]
    assert shown_figures["reports.overdue"] == len(overdue)
    chart = browser.execute_script(CHART_DATA, "chart-reports")
    assert chart["labels"] == [c["name"] for c in figures["by_category"]]
    assert chart["data"] == [[c["count"] for c in figures["by_category"]]]
    width, height, painted = browser.execute_script(PAINTED, "chart-reports")
    assert width > 100 and height > 100 and painted > 200
    dots = browser.execute_script("return document.querySelectorAll('#reports-map circle.report-point').length")
    assert dots == len(layer["points"]) > 0
    box = browser.execute_script("const r = document.querySelector('#reports-map').getBoundingClientRect();"
                                 "return [r.width, r.height];")
    assert box[0] > 100 and box[1] > 100
    rows = browser.execute_script(
        "return [...document.querySelectorAll('[data-table=\"reports-overdue\"] tbody tr')]"
        ".map(tr => tr.firstChild.dataset.value)")
    assert rows == [r["reference"] for r in overdue[:20]]
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == []
