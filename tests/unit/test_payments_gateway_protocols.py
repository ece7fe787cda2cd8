"""Each gateway adapter owns how its provider calls us back: the IPN's method, where its fields
are, and the answer its provider expects (no database; requests built with Werkzeug)."""
import pytest
from werkzeug.test import EnvironBuilder

from app.payments.errors import IpnAmountRefused, IpnNotApplied, IpnSignatureRefused, PaymentNotFound
from app.payments.gateways import GATEWAY_NAMES
from app.payments.gateways.base import IpnVerdict
from app.payments.gateways.configured import ADAPTERS, adapter_class
from app.payments.gateways.momo import MoMo
from app.payments.gateways.paygov import PayGov
from app.payments.gateways.vnpay import VNPay


def request(method="GET", **kwargs):
    return EnvironBuilder(method=method, **kwargs).get_request()


def test_every_gateway_name_has_an_adapter_class_and_nothing_else_does():
    assert tuple(ADAPTERS) == GATEWAY_NAMES
    assert all(adapter_class(name).name == name for name in GATEWAY_NAMES)
    with pytest.raises(KeyError):
        adapter_class("zalopay")


@pytest.mark.parametrize("adapter, method", [(VNPay, "GET"), (PayGov, "GET"), (MoMo, "POST")])
def test_the_ipn_method_is_the_providers(adapter, method):
    assert adapter.ipn_method == method


@pytest.mark.parametrize("adapter", [VNPay, PayGov])
def test_vnpay_style_ipn_fields_are_the_query_string_never_the_body(adapter):
    call = request(query_string={"vnp_TxnRef": "T1", "vnp_Amount": "5000000"}, json={"vnp_TxnRef": "BODY"})
    assert adapter.ipn_fields(call) == {"vnp_TxnRef": "T1", "vnp_Amount": "5000000"}


def test_momo_ipn_fields_are_the_json_object_in_the_body_never_the_query_string():
    call = request("POST", query_string={"orderId": "QUERY"}, json={"orderId": "BODY", "amount": 50000})
    assert MoMo.ipn_fields(call) == {"orderId": "BODY", "amount": 50000}


@pytest.mark.parametrize("body", [dict(json=[1, 2]), dict(json="text"), dict(data="orderId=1"),
                                  dict(data="{not json", content_type="application/json"), {}])
def test_a_momo_ipn_that_is_not_a_json_object_has_no_fields(body):
    assert MoMo.ipn_fields(request("POST", **body)) == {}


@pytest.mark.parametrize("adapter", [VNPay, PayGov, MoMo])
def test_return_fields_are_the_query_string(adapter):
    assert adapter.return_fields(request(query_string={"orderId": "1", "vnp_TxnRef": "2"})) == {
        "orderId": "1", "vnp_TxnRef": "2"}


def momo():
    return MoMo(endpoint="https://momo.invalid", partner_code="MOMO", access_key="a", secret_key="s")


@pytest.mark.parametrize("verdict, refusal, status", [
    (IpnVerdict.INVALID_SIGNATURE, IpnSignatureRefused, 400), (IpnVerdict.INVALID_AMOUNT, IpnAmountRefused, 400),
    (IpnVerdict.ORDER_NOT_FOUND, PaymentNotFound, 404), (IpnVerdict.UNKNOWN_ERROR, IpnNotApplied, 503)])
def test_a_refused_momo_ipn_is_answered_with_an_error_class_whose_status_is_the_answers(verdict, refusal, status):
    answer = momo().ipn_answer(verdict)
    assert (answer.status, answer.refusal, answer.body) == (status, refusal, None)
    assert refusal.status == status


@pytest.mark.parametrize("verdict", [IpnVerdict.CONFIRMED, IpnVerdict.ALREADY_CONFIRMED])
def test_a_handled_momo_ipn_is_answered_204_with_no_body(verdict):
    assert momo().ipn_answer(verdict) == type(momo().ipn_answer(verdict))(204)


def test_vnpay_answers_never_refuse_they_carry_rspcode():
    vnpay = VNPay(pay_url="https://x", api_url="https://x", tmn_code="T", hash_secret="s")
    for verdict in IpnVerdict:
        answer = vnpay.ipn_answer(verdict)
        assert answer.status == 200 and answer.refusal is None and set(answer.body) == {"RspCode", "Message"}
