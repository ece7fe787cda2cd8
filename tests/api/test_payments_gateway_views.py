"""One IPN view and one return view serve every gateway at the URLs the providers call:
`/api/v1/payments/<gateway>/ipn` and `/return`, answered exactly as each provider expects."""
import pytest

from app.payments.gateways import GATEWAY_NAMES
from tests.integration.test_payments_ipn import momo_ipn, vnpay_ipn
from tests.payments_fixtures import FEE_PROCEDURE, make_dossier, payment_row

API = "/api/v1/payments"


@pytest.fixture
def started(pay, catalog, citizen, network):
    """A pending payment through `gateway`, each on its own dossier."""
    return lambda gateway: pay.started(make_dossier(catalog[FEE_PROCEDURE], citizen).id, gateway)


def send_ipn(client, gateway, fields, **kwargs):
    if gateway == "momo":
        return client.post(f"{API}/momo/ipn", json=fields, **kwargs)
    return client.get(f"{API}/{gateway}/ipn", query_string=fields, **kwargs)


def signed(gateway, payment, **changes):
    return momo_ipn(payment, **changes) if gateway == "momo" else vnpay_ipn(payment, gateway=gateway, **changes)


def test_one_rule_serves_every_gateways_ipn_and_one_its_return(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(f"{API}/")
             and rule.rule.endswith(("/ipn", "/return"))]
    assert sorted((rule.rule, rule.endpoint) for rule in rules) == [
        (f"{API}/<any({','.join(GATEWAY_NAMES)}):gateway>/ipn", "payments.GatewayIpn"),
        (f"{API}/<any({','.join(GATEWAY_NAMES)}):gateway>/return", "payments.GatewayReturn"),
    ]


@pytest.mark.parametrize("gateway", ["vnpay", "paygov"])
def test_vnpay_style_ipns_are_answered_rspcode_byte_for_byte(client, started, gateway):
    payment = started(gateway)
    cases = [(signed(gateway, payment, secret="wrong"), b'{"RspCode":"97","Message":"Invalid Checksum"}\n'),
             (signed(gateway, payment, vnp_TxnRef="NOPE"), b'{"RspCode":"01","Message":"Order not found"}\n'),
             (signed(gateway, payment, vnp_Amount="100"), b'{"RspCode":"04","Message":"Invalid amount"}\n'),
             (signed(gateway, payment), b'{"RspCode":"00","Message":"Confirm Success"}\n'),
             (signed(gateway, payment), b'{"RspCode":"02","Message":"Order already confirmed"}\n')]
    for fields, body in cases:
        response = send_ipn(client, gateway, fields)
        assert (response.status_code, response.content_type, response.data) == (200, "application/json", body)
    assert payment_row(payment["id"]).status == "succeeded"


def test_momo_ipns_are_answered_204_or_the_error_envelope(client, started):
    payment = started("momo")
    refused = [(momo_ipn(payment, secret="wrong"), 400, "invalid_ipn_signature"),
               (momo_ipn(payment, amount=1), 400, "invalid_amount"),
               (momo_ipn(payment, orderId="NOPE"), 404, "payment_not_found")]
    for fields, status, code in refused:
        response = send_ipn(client, "momo", fields, headers={"Accept-Language": "en"})
        assert response.status_code == status
        assert response.get_json() | {"message": "-"} == {"code": code, "status": status, "message": "-",
                                                          "errors": {}}
    assert payment_row(payment["id"]).status == "pending"
    for _ in range(2):
        response = send_ipn(client, "momo", momo_ipn(payment))
        assert (response.status_code, response.data) == (204, b"")
    assert payment_row(payment["id"]).status == "succeeded"


def test_an_ipn_that_cannot_be_written_asks_each_provider_to_retry(client, started, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from app.payments import service

    def broken(*_args, **_kwargs):
        raise OperationalError("UPDATE payments", {}, Exception("database is locked"))

    monkeypatch.setattr(service, "_apply_notification", broken)
    vnpay, momo = started("vnpay"), started("momo")
    assert send_ipn(client, "vnpay", signed("vnpay", vnpay)).get_json() == {"RspCode": "99",
                                                                             "Message": "Unknow error"}
    response = send_ipn(client, "momo", signed("momo", momo))
    assert response.status_code == 503 and response.get_json()["code"] == "unavailable"


def test_a_momo_body_that_is_not_a_json_object_is_refused_before_anything_is_read(client, started):
    started("momo")
    listed = client.post(f"{API}/momo/ipn", json=[1, 2])
    assert listed.status_code == 422 and listed.get_json()["code"] == "validation_error"
    broken = client.post(f"{API}/momo/ipn", data="{x", content_type="application/json")
    assert broken.status_code == 400 and broken.get_json()["errors"] == {"json": ["Invalid JSON body."]}
    form = client.post(f"{API}/momo/ipn", data={"orderId": "1"})      # no JSON: no fields, no signature
    assert form.status_code == 400 and form.get_json()["code"] == "invalid_ipn_signature"


@pytest.mark.parametrize("gateway, wrong, allow", [("vnpay", "post", "GET, OPTIONS, HEAD"),
                                                   ("paygov", "post", "GET, OPTIONS, HEAD"),
                                                   ("momo", "get", "POST, OPTIONS"),
                                                   ("momo", "head", "POST, OPTIONS")])
def test_an_ipn_in_another_method_than_the_providers_is_405(client, gateway, wrong, allow):
    response = getattr(client, wrong)(f"{API}/{gateway}/ipn", query_string={"vnp_TxnRef": "X"})
    assert response.status_code == 405 and response.headers["Allow"] == allow
    if wrong != "head":
        assert response.get_json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["zalopay/ipn", "zalopay/return", "VNPAY/ipn", "vnpay/ipn/", "momo/return/"])
def test_a_gateway_no_adapter_implements_is_the_usual_404(client, path):
    for method in ("get", "post"):
        response = getattr(client, method)(f"{API}/{path}")
        assert response.status_code == 404 and response.get_json()["code"] == "not_found"


@pytest.mark.parametrize("gateway", GATEWAY_NAMES)
def test_a_gateway_not_enabled_is_404_gateway_not_enabled(app, client, gateway, monkeypatch):
    monkeypatch.setitem(app.config, "PAYMENT_GATEWAYS", tuple(g for g in GATEWAY_NAMES if g != gateway))
    ipn = client.post(f"{API}/momo/ipn", json={}) if gateway == "momo" else client.get(f"{API}/{gateway}/ipn")
    back = client.get(f"{API}/{gateway}/return")
    for response in (ipn, back):
        assert response.status_code == 404 and response.get_json()["code"] == "gateway_not_enabled"


@pytest.mark.parametrize("gateway", GATEWAY_NAMES)
def test_every_gateways_return_verifies_and_shows_json_or_a_page(client, started, gateway):
    payment = started(gateway)
    fields = {key: str(value) for key, value in signed(gateway, payment).items()}
    shown = client.get(f"{API}/{gateway}/return", query_string=fields)
    assert shown.status_code == 200 and shown.get_json() == {
        "payment_id": payment["id"], "dossier_id": payment["dossier_id"], "verified": True,
        "gateway_outcome": "succeeded", "status": "pending", "amount": payment["amount"]}
    page = client.get(f"{API}/{gateway}/return", query_string=fields, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    bad = {key: str(value) for key, value in signed(gateway, payment, secret="wrong").items()}
    refused = client.get(f"{API}/{gateway}/return", query_string=bad)
    assert refused.status_code == 422 and refused.get_json()["code"] == "invalid_signature"
    assert payment_row(payment["id"]).status == "pending"


def test_the_document_has_one_parametrised_path_each_with_the_gateways_as_an_enum(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = [path for path in spec["paths"] if path.endswith(("/ipn", "/return"))]
    assert sorted(paths) == [f"{API}/{{gateway}}/ipn", f"{API}/{{gateway}}/return"]
    for path in paths:
        (parameter,) = spec["paths"][path]["parameters"]
        assert parameter["schema"] == {"type": "string", "enum": list(GATEWAY_NAMES)}
        assert set(parameter["examples"]) == set(GATEWAY_NAMES)
    ipn = spec["paths"][f"{API}/{{gateway}}/ipn"]
    assert {"404", "405"} <= set(ipn["get"]["responses"]) and {"400", "404", "405", "422", "503"} <= set(
        ipn["post"]["responses"])
    assert {"404", "422"} <= set(spec["paths"][f"{API}/{{gateway}}/return"]["get"]["responses"])
