"""The service-quality panel of the operations-centre page, in headless Chromium: the API's numbers drawn."""
from datetime import date

import requests

from app.catalog.models import Agency, Procedure
from app.extensions import db
from app.quality import tracking
from app.quality.models import QualityDossier
from tests.browser.test_dashboard_page import browser, db_session, log_in, pytestmark, served  # noqa: F401
from tests.factories import AccountFactory
from tests.quality_fixtures import handled

ROWS = "return [...document.querySelectorAll(`[data-table='${arguments[0]}'] tbody tr`)].map(tr => [...tr.children].map(td => td.dataset.value))"


def _quality_data(app):
    with app.app_context():
        procedure = db.session.scalar(db.select(Procedure).where(Procedure.code == "1.001193"))
        agency = db.session.scalar(db.select(Agency).where(Agency.commune_code.is_not(None)))
        citizen = AccountFactory()
        year = date.today().year
        handled(procedure, citizen, agency, agency.commune_code, received=f"{year}-11-02", finished=f"{year}-11-05",
                due=f"{year}-11-06", prefill=True)
        late = handled(procedure, citizen, agency, agency.commune_code, received=f"{year}-11-02",
                       finished=f"{year}-11-20", due=f"{year}-11-06", channel="desk")
        tracking.mark_unhappy(db.session.get(QualityDossier, late))
        db.session.commit()


def test_the_panel_shows_the_index_and_lists_the_api_returns(served, browser):  # noqa: F811
    base, secret, app = served
    _quality_data(app)
    log_in(browser, base, secret)
    token = browser.execute_script("return sessionStorage.getItem('ioc.access')")
    headers = {"Authorization": f"Bearer {token}"}
    year, month = date.today().year, date.today().month
    period = f"?from={year}-01&to={year}-{month:02d}"

    def get(path):
        response = requests.get(f"{base}/api/v1/quality/{path}", headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    index = get(f"index{period}")
    on_time = next(i for i in index["indicators"] if i["code"] == "on_time")
    assert (on_time["numerator"], on_time["denominator"]) == (1, 2)
    rows = browser.execute_script(ROWS, "quality-index")
    assert [row[2] for row in rows] == [_js(i["value"]) for i in index["indicators"]]
    assert [row[3] for row in rows] == [_js(i["points"]) for i in index["indicators"]]
    figures = browser.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('[data-figure^=\"quality.\"]')]"
        ".map(e => [e.dataset.figure, e.dataset.value]))")
    assert figures["quality.total_points"] == _js(index["total_points"])
    ratings = get(f"ratings/summary{period}")
    complaints = get(f"complaints/summary{period}")
    assert browser.execute_script(ROWS, "quality-ratings") == [[_js(ratings["ratings"]), *(
        _js(ratings["verdicts"][v]) for v in ("satisfied", "neutral", "dissatisfied")), _js(ratings["average_score"])]]
    assert browser.execute_script(ROWS, "quality-complaints") == [[_js(complaints[k]) for k in (
        "closed", "on_time", "open", "overdue")]]
    stalled = get("stalled?limit=20")
    assert [row[0] for row in browser.execute_script(ROWS, "quality-stalled")] == [
        i["receipt_code"] for i in stalled["items"]]
    not_held = browser.execute_script("return document.querySelector('#quality-not-held').textContent")
    assert all(item["name"] in not_held for item in index["not_held"])
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == []


def _js(value) -> str:
    """A number as JavaScript's String() writes it into data-value ('' for null)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
