"""The service on a port other than 8000: every link and callback follows it.

The demo server of these tests listens on a free port chosen at random
(`scripts/run.sh` with PORT=...); a VNPay and a MoMo payment go through the
mock gateways it serves, whose pages, return URLs and IPNs must all use that
port (before, PAYMENT_PUBLIC_URL stayed on 8000 and MoMo answered 503).
"""
import time
import urllib.parse

import pytest

from tests.docs.http import call


def token(demo, login):
    status, body, _ = call("POST", f"{demo.api}/dev/tokens", {"login": login})
    assert status == 201, body
    return body["access_token"]


def new_payable_dossier(demo, citizen):
    _, found, _ = call("GET", f"{demo.api}/catalog/procedures?q=1.004873")
    status, dossier, _ = call("POST", f"{demo.api}/dossiers", {"procedure_id": found["items"][0]["id"]}, citizen)
    assert status == 201, dossier
    call("PATCH", f"{demo.api}/dossiers/{dossier['id']}/form", {"values": {"purpose": "Đăng ký kết hôn"}}, citizen)
    status, submitted, _ = call("POST", f"{demo.api}/dossiers/{dossier['id']}/submit", token=citizen)
    assert status == 200 and submitted["fee"]["status"] == "unpaid", submitted
    return dossier["id"]


def settled(demo, payment_id, citizen, attempts=60):
    for _ in range(attempts):
        _, payment, _ = call("GET", f"{demo.api}/payments/{payment_id}", token=citizen)
        if payment["status"] != "pending":
            return payment
        time.sleep(0.5)
    return payment


@pytest.mark.parametrize("gateway", ["vnpay", "momo"])
def test_a_payment_completes_through_the_mock_on_a_non_default_port(demo, gateway):
    assert demo.port != 8000
    _, facts, _ = call("GET", f"{demo.api}/dev/demo")
    citizen = token(demo, facts["citizen_level2"]["login"])
    dossier = new_payable_dossier(demo, citizen)

    status, payment, _ = call("POST", f"{demo.api}/payments", {"dossier_id": dossier, "gateway": gateway}, citizen)
    assert status == 201, payment
    assert payment["redirect_url"].startswith(f"{demo.base}/mock/{gateway}/")
    if gateway == "vnpay":   # the return URL travels inside the payment URL
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(payment["redirect_url"]).query)
        assert query["vnp_ReturnUrl"] == [f"{demo.base}/api/v1/payments/vnpay/return"]

    status, paid, _ = call("POST", f"{demo.base}/mock/{gateway}/_control/pay",
                           {"payment_url": payment["redirect_url"], "action": "pay"})
    assert status == 200, paid
    assert paid["redirect_url"].startswith(f"{demo.base}/api/v1/payments/{gateway}/return")

    final = settled(demo, payment["id"], citizen)
    assert final["status"] == "succeeded", final
    assert final["receipt"]["status"] == "valid"
    orders = call("GET", f"{demo.base}/mock/{gateway}/_control/transactions")[1]["transactions"]
    order = next(o["order_id"] for o in orders if o["status"] == "paid" and o["amount"] == final["amount"])
    _, record, _ = call("GET", f"{demo.base}/mock/{gateway}/_control/transactions/{order}")
    assert {d["url"] for d in record["deliveries"]} == {f"{demo.base}/api/v1/payments/{gateway}/ipn"}
