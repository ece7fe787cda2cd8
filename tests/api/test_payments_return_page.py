"""The return URL: a page for the payer's browser (paid, cancelled, failed; a link back), JSON for an app."""
from urllib.parse import parse_qsl, urlsplit

import pytest

from app.payments import return_page

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def back_in_browser(client, gateway_answer: dict, language="vi"):
    parts = urlsplit(gateway_answer["redirect_url"])
    return client.get(parts.path, query_string=dict(parse_qsl(parts.query, keep_blank_values=True)),
                      headers={"Accept": BROWSER, "Accept-Language": language})


@pytest.mark.parametrize("gateway", ["vnpay", "momo"])
def test_a_browser_sees_a_page_saying_the_payment_went_through(pay, dossier, network, client, gateway):
    answer = pay.at_gateway(pay.started(dossier.id, gateway))
    page = back_in_browser(client, answer)
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'data-outcome="succeeded"' in html and "Thanh toán thành công" in html and "15.000 ₫" in html
    assert '<a href="http://127.0.0.1:8000/">Quay lại ứng dụng</a>' in html

    english = back_in_browser(client, answer, "en").get_data(as_text=True)
    assert "Payment successful" in english and "15,000 ₫" in english and "Back to the app" in english


def test_a_cancelled_payment_says_so(pay, dossier, network, client):
    answer = pay.at_gateway(pay.started(dossier.id, "vnpay"), action="cancel")
    html = back_in_browser(client, answer).get_data(as_text=True)
    assert 'data-outcome="cancelled"' in html and "Bạn đã hủy giao dịch" in html


def test_a_failed_payment_says_so():
    """The mock pays or cancels only; a gateway's failure renders the same way."""
    outcome = {"gateway_outcome": "failed", "status": "pending", "amount": 8000}
    html = return_page.render(outcome, locale="en", back_url="https://dichvu.example.vn/")
    assert 'data-outcome="failed"' in html and "did not go through" in html and "8,000 ₫" in html
    assert '<a href="https://dichvu.example.vn/">Back to the app</a>' in html
    assert "Thanh toán không thành công" in return_page.render(outcome, locale="vi", back_url="/")


def test_an_app_still_gets_json(pay, dossier, network):
    answer = pay.at_gateway(pay.started(dossier.id, "vnpay"))
    returned = pay.back(answer)   # no Accept header, as an app or curl sends
    assert returned.mimetype == "application/json"
    assert returned.get_json()["gateway_outcome"] == "succeeded"
