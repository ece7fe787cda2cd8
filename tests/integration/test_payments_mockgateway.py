"""The mock gateways on their own: pages, provider APIs, signatures, IPN retries, control API."""
import uuid
from urllib.parse import parse_qsl, urlsplit

import time_machine
from flask import current_app

from app.mockgateway import protocol
from app.mockgateway.engine import RETRY_SCHEDULE
from app.payments.gateways.base import Order
from app.payments.gateways.momo import MoMo
from app.payments.gateways.vnpay import VNPay
from app.common.clock import utcnow
from tests.payments_fixtures import payment_row
from tests.payments_fixtures import after


def vnpay_url(amount=50_000, ref=None, expires_in=15) -> tuple[str, str]:
    config = current_app.config
    ref = ref or uuid.uuid4().hex[:12].upper()
    order = Order(txn_ref=ref, amount=amount, order_info="Lệ phí thử", created_at=utcnow(),
                  expires_at=after(expires_in), client_ip="10.0.0.1", locale="vi",
                  return_url="http://127.0.0.1:8000/api/v1/payments/vnpay/return", ipn_url="")
    gateway = VNPay(pay_url="http://127.0.0.1:8000/mock/vnpay/paymentv2/vpcpay.html", api_url="",
                    tmn_code=config["VNPAY_TMN_CODE"], hash_secret=config["VNPAY_HASH_SECRET"])
    return gateway.checkout(order).redirect_url, ref


def local(url: str) -> tuple[str, dict]:
    parts = urlsplit(url)
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))


def test_the_vnpay_page_shows_the_payment_and_the_choices(client, network):
    path, query = local(vnpay_url()[0])
    page = client.get(path, query_string=query)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "50.000 ₫" in html and "Thanh toán" in html and "Hủy giao dịch" in html
    assert 'value="duplicate_ipn"' in html and 'value="gateway_timeout"' in html


def test_the_vnpay_page_refuses_a_url_with_a_bad_signature(client, network):
    path, query = local(vnpay_url()[0])
    query["vnp_Amount"] = "100"
    page = client.get(path, query_string=query)
    assert page.status_code == 400 and "Chữ ký không hợp lệ" in page.get_data(as_text=True)


def test_paying_on_the_page_redirects_with_a_signed_result_and_queues_the_ipn(client, hub, network):
    path, query = local(vnpay_url()[0])
    client.get(path, query_string=query)
    response = client.post("/mock/vnpay/paymentv2/decide", data={"order_id": query["vnp_TxnRef"], "action": "pay"})
    assert response.status_code == 302
    returned = dict(parse_qsl(urlsplit(response.headers["Location"]).query))
    assert returned["vnp_ResponseCode"] == "00" and returned["vnp_TransactionStatus"] == "00"
    assert returned["vnp_Amount"] == "5000000" and returned["vnp_TxnRef"] == query["vnp_TxnRef"]
    assert protocol.vnpay_verify(returned, current_app.config["VNPAY_HASH_SECRET"])
    (delivery,) = hub.store.deliveries("vnpay", query["vnp_TxnRef"])
    assert delivery["method"] == "GET" and delivery["url"].endswith("/api/v1/payments/vnpay/ipn")
    assert delivery["payload"]["vnp_SecureHash"] == protocol.vnpay_sign(delivery["payload"],
                                                                       current_app.config["VNPAY_HASH_SECRET"])


def test_an_ipn_nobody_confirms_is_retried_on_schedule_then_given_up(client, hub, network):
    path, query = local(vnpay_url()[0])
    client.post("/mock/vnpay/_control/pay", json={"payment_url": f"http://x{path}?" + "&".join(
        f"{k}={v}" for k, v in query.items()), "action": "pay"})
    # the merchant knows no such order: it answers 01, which is not a success
    elapsed = 0
    assert hub.deliver_due()["retrying"] == 1
    for delay in RETRY_SCHEDULE[:-1]:
        elapsed += delay
        with time_machine.travel(after(elapsed / 60 + 0.01), tick=False):
            assert hub.deliver_due()["retrying"] == 1
    with time_machine.travel(after((elapsed + RETRY_SCHEDULE[-1]) / 60 + 0.01), tick=False):
        assert hub.deliver_due()["gave_up"] == 1
    (delivery,) = hub.store.deliveries("vnpay", query["vnp_TxnRef"])
    assert delivery["attempts"] == len(RETRY_SCHEDULE) + 1 and delivery["gave_up"] is True
    assert set(delivery["answers"]) == {"HTTP 200 RspCode 01"}


def test_an_unreachable_merchant_is_retried(client, hub, network):
    network.unreachable.add("/api/v1/payments")
    path, query = local(vnpay_url()[0])
    client.get(path, query_string=query)
    client.post("/mock/vnpay/paymentv2/decide", data={"order_id": query["vnp_TxnRef"], "action": "pay"})
    assert hub.deliver_due() == {"delivered": 0, "retrying": 1, "gave_up": 0}
    assert hub.store.deliveries("vnpay", query["vnp_TxnRef"])[0]["answers"] == ["no answer: GatewayUnavailable"]


def test_querydr_answers_are_signed_and_bad_requests_get_97(client, network):
    config = current_app.config
    body = {"vnp_RequestId": "r1", "vnp_Version": "2.1.0", "vnp_Command": "querydr",
            "vnp_TmnCode": config["VNPAY_TMN_CODE"], "vnp_TxnRef": "NOSUCH", "vnp_OrderInfo": "q",
            "vnp_TransactionDate": "20251121100000", "vnp_CreateDate": "20251121100500", "vnp_IpAddr": "127.0.0.1"}
    body["vnp_SecureHash"] = protocol.vnpay_pipe_sign(body, protocol.VNPAY_QUERY_REQUEST, config["VNPAY_HASH_SECRET"])
    answer = client.post("/mock/vnpay/merchant_webapi/api/transaction", json=body).get_json()
    assert answer["vnp_ResponseCode"] == "91"
    assert answer["vnp_SecureHash"] == protocol.vnpay_pipe_sign(answer, protocol.VNPAY_QUERY_RESPONSE,
                                                                config["VNPAY_HASH_SECRET"])
    bad = client.post("/mock/vnpay/merchant_webapi/api/transaction", json={**body, "vnp_SecureHash": "00"})
    assert bad.get_json()["vnp_ResponseCode"] == "97"


def test_momo_create_checks_signature_amount_and_order_id(client, network):
    config = current_app.config
    gateway = MoMo(endpoint="", partner_code=config["MOMO_PARTNER_CODE"], access_key=config["MOMO_ACCESS_KEY"],
                   secret_key=config["MOMO_SECRET_KEY"])
    order = Order(txn_ref="OD1", amount=50_000, order_info="Lệ phí", created_at=utcnow(), expires_at=after(15),
                  client_ip="", locale="vi", return_url="http://127.0.0.1:8000/r", ipn_url="http://127.0.0.1:8000/i")
    body = gateway.create_request(order, "RQ1")
    created = client.post("/mock/momo/v2/gateway/api/create", json=body, base_url="http://127.0.0.1:8000")
    assert created.status_code == 200 and created.get_json()["resultCode"] == 0
    assert created.get_json()["payUrl"].startswith("http://127.0.0.1:8000/mock/momo/v2/gateway/pay?t=")
    assert client.post("/mock/momo/v2/gateway/api/create", json=body).get_json()["resultCode"] == 41
    tampered = client.post("/mock/momo/v2/gateway/api/create", json={**body, "amount": 1})
    assert tampered.status_code == 400 and tampered.get_json()["resultCode"] == 13
    small = gateway.create_request(Order(**{**order.__dict__, "txn_ref": "OD2", "amount": 500}), "RQ2")
    assert client.post("/mock/momo/v2/gateway/api/create", json=small).get_json()["resultCode"] == 21


def test_momo_refund_answers_again_the_same_for_the_same_request_id(pay, dossier, client, hub, network):
    payment = pay.started(dossier.id, "momo")
    pay.at_gateway(payment)
    pay.deliver()
    config = current_app.config
    from tests.payments_fixtures import payment_row
    trans_id = int(payment_row(payment["id"]).gateway_transaction_no)
    body = {"partnerCode": config["MOMO_PARTNER_CODE"], "orderId": "RF1", "requestId": "RQ-REFUND-1",
            "amount": 15_000, "transId": trans_id, "lang": "en", "description": "test"}
    body["signature"] = protocol.momo_sign(body, protocol.MOMO_REFUND, config["MOMO_ACCESS_KEY"],
                                           config["MOMO_SECRET_KEY"])
    first = client.post("/mock/momo/v2/gateway/api/refund", json=body).get_json()
    again = client.post("/mock/momo/v2/gateway/api/refund", json=body).get_json()
    assert first["resultCode"] == 0 and again == first
    assert hub.store.get("momo", payment_row(payment["id"]).txn_ref)["refunded_amount"] == 15_000


def test_the_control_api_lists_faults_and_refuses_unknown_payments(client, network):
    faults = client.get("/mock/_control/faults").get_json()["faults"]
    assert [f["name"] for f in faults] == ["duplicate_ipn", "ipn_before_redirect", "late_ipn", "no_ipn",
                                           "wrong_amount", "bad_signature", "gateway_timeout"]
    assert client.post("/mock/vnpay/_control/pay", json={"order_id": "NOPE"}).status_code == 404
    assert client.post("/mock/vnpay/_control/pay", json={"action": "steal"}).status_code == 400
    assert client.get("/mock/nosuch/_control/transactions").status_code == 404
    assert client.post("/mock/vnpay/_control/faults", json={"faults": []}).status_code == 400
    assert client.get("/mock/vnpay/_control/statement", query_string={"date": "x"}).status_code == 400


def test_faults_can_be_chosen_before_the_payment_reaches_the_gateway(pay, dossier, client, hub, network):
    payment = pay.started(dossier.id, "vnpay")
    from tests.payments_fixtures import payment_row
    ref = payment_row(payment["id"]).txn_ref
    client.post("/mock/vnpay/_control/faults", json={"order_id": ref, "faults": ["no_ipn"]})
    answer = pay.at_gateway(payment)
    assert answer["transaction"]["faults"] == ["no_ipn"] and answer["deliveries"] == []
    transaction = client.get(f"/mock/vnpay/_control/transactions/{ref}").get_json()
    assert transaction["transaction"]["status"] == "paid"


def test_the_mock_runs_as_its_own_app():
    from app.mockgateway import create_mock_app

    mock = create_mock_app({"MOCK_GATEWAY_DB": ":memory:", "MOCK_GATEWAY_AUTODELIVER": "0"})
    client = mock.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/mock/_control/faults").status_code == 200
    assert client.post("/mock/_control/deliver").get_json() == {"delivered": 0, "retrying": 0, "gave_up": 0}


def test_the_mock_process_starts_in_a_fresh_interpreter(tmp_path):
    """`python -m app.mockgateway` imports the mock before anything else of the app."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = ("from app.mockgateway import create_mock_app; "
            "app = create_mock_app({'MOCK_GATEWAY_DB': ':memory:', 'MOCK_GATEWAY_AUTODELIVER': '0'}); "
            "print(app.test_client().get('/healthz').get_json()['status'])")
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
