"""The merchant and the mock gateways as two HTTP servers on real sockets (127.0.0.1).

The mock runs as its own app (`create_mock_app`, as `python -m app.mockgateway`
does); the merchant is the app under test. Everything between them, the
browser's redirects included, goes over HTTP with urllib: nothing is shared
but the protocol.
"""
import json
import threading
import uuid
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import make_server

from app.mockgateway import create_mock_app
from app.payments.reconciliation import reconcile_payment
from tests.committed import real_sessions
from tests.payments_committed import CommittedWorld


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


http = urllib.request.build_opener(NoRedirect)


def call(method, url, *, body=None, form=None, headers=None):
    data, all_headers = None, dict(headers or {})
    if body is not None:
        data, all_headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form, doseq=True).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with http.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Server:
    def __init__(self, wsgi_app):
        self.server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def servers(app):
    """The merchant (this app) and the mock gateways, each on its own port, wired by configuration only."""
    with real_sessions():
        world = CommittedWorld()
        saved_config = dict(app.config)
        saved_http = app.extensions.pop("payments.http", None)
        try:
            with Server(app) as merchant:
                mock_app = create_mock_app({
                    "MOCK_GATEWAY_DB": ":memory:", "MOCK_GATEWAY_AUTODELIVER": "0",
                    "MOCK_VNPAY_IPN_URL": f"{merchant.url}/api/v1/payments/vnpay/ipn",
                    **{k: app.config[k] for k in ("VNPAY_TMN_CODE", "VNPAY_HASH_SECRET", "MOMO_PARTNER_CODE",
                                                  "MOMO_ACCESS_KEY", "MOMO_SECRET_KEY",
                                                  "PAYGOV_MERCHANT_CODE", "PAYGOV_SECRET")}})
                with Server(mock_app) as gateway:
                    app.config.update({
                        "PAYMENT_PUBLIC_URL": merchant.url,
                        "VNPAY_URL": f"{gateway.url}/mock/vnpay/paymentv2/vpcpay.html",
                        "VNPAY_API_URL": f"{gateway.url}/mock/vnpay/merchant_webapi/api/transaction",
                        "MOMO_ENDPOINT": f"{gateway.url}/mock/momo",
                    })
                    app.extensions.pop("payments.gateways", None)
                    yield world, merchant, gateway, mock_app.extensions["mockgateway"]
        finally:
            app.config.clear()
            app.config.update(saved_config)
            app.extensions.pop("payments.gateways", None)
            if saved_http is not None:
                app.extensions["payments.http"] = saved_http
            world.clean()


def test_vnpay_payment_over_real_http_page_redirect_and_ipn(servers):
    world, merchant, gateway, hub = servers
    dossier = world.dossier()
    status, _h, body = call("POST", f"{merchant.url}/api/v1/payments", headers=world.headers,
                            body={"dossier_id": str(dossier.id), "gateway": "vnpay"})
    assert status == 201, body
    payment = json.loads(body)
    assert payment["redirect_url"].startswith(f"{gateway.url}/mock/vnpay/paymentv2/vpcpay.html?")

    status, _h, page = call("GET", payment["redirect_url"])          # the payer's browser
    assert status == 200 and "15.000 ₫".encode() in page
    txn_ref = urllib.parse.parse_qs(urllib.parse.urlsplit(payment["redirect_url"]).query)["vnp_TxnRef"][0]
    status, headers, _b = call("POST", f"{gateway.url}/mock/vnpay/paymentv2/decide",
                               form={"order_id": txn_ref, "action": "pay"})
    assert status == 302 and headers["Location"].startswith(f"{merchant.url}/api/v1/payments/vnpay/return?")
    status, _h, body = call("GET", headers["Location"])
    assert status == 200 and json.loads(body)["gateway_outcome"] == "succeeded"

    assert hub.deliver_due() == {"delivered": 1, "retrying": 0, "gave_up": 0}   # IPN over HTTP: RspCode 00
    status, _h, body = call("GET", f"{merchant.url}/api/v1/payments/{payment['id']}", headers=world.headers)
    assert json.loads(body)["status"] == "succeeded"
    assert hub.store.deliveries("vnpay", txn_ref)[0]["answers"] == ["HTTP 200 RspCode 00"]


def test_momo_payment_and_querydr_over_real_http(servers, app):
    world, merchant, gateway, hub = servers
    dossier = world.dossier()
    status, _h, body = call("POST", f"{merchant.url}/api/v1/payments", headers=world.headers,
                            body={"dossier_id": str(dossier.id), "gateway": "momo"})
    assert status == 201, body                                       # the merchant called MoMo's create
    payment = json.loads(body)
    assert payment["redirect_url"].startswith(f"{gateway.url}/mock/momo/v2/gateway/pay?t=")
    status, _h, body = call("POST", f"{gateway.url}/mock/momo/_control/pay",
                            body={"payment_url": payment["redirect_url"], "faults": ["no_ipn"]})
    assert status == 200
    with app.app_context():
        assert reconcile_payment(uuid.UUID(payment["id"])) == "settled"       # MoMo query API over HTTP
    status, _h, body = call("GET", f"{merchant.url}/api/v1/payments/{payment['id']}", headers=world.headers)
    assert json.loads(body)["status"] == "succeeded"
