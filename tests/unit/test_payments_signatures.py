"""Gateway signatures against known vectors.

- VNPay IPN/return vectors: the test suite of the independent `vnpay` npm
  library (lehuygiang28/vnpay, test/verify-ipn-call.test.ts): secret
  "test_secret", TMN code "TEST_TMN_CODE", with the hashes it expects.
- Raw strings are checked field by field against the providers' documented
  formats; HMACs without a published vector were computed independently with
  `openssl dgst -sha512|-sha256 -hmac` over the documented raw strings.
- MoMo credentials are MoMo's public sandbox values from its own sample code.
"""
from datetime import UTC, datetime

import pytest

from app.payments.gateways import momo, vnpay
from app.payments.gateways.base import InvalidSignature, IpnVerdict, Order, Outcome

# lehuygiang28/vnpay, test/verify-ipn-call.test.ts
VNPAY_LIB_SECRET = "test_secret"
VNPAY_LIB_IPN = {
    "vnp_Amount": "1000000",
    "vnp_BankCode": "NCB",
    "vnp_BankTranNo": "VNP14422574",
    "vnp_CardType": "ATM",
    "vnp_OrderInfo": "Thanh toan don hang 2024-05-21T02:17:31.249Z",
    "vnp_PayDate": "20240521091806",
    "vnp_ResponseCode": "00",
    "vnp_TmnCode": "TEST_TMN_CODE",
    "vnp_TransactionNo": "14422574",
    "vnp_TransactionStatus": "00",
    "vnp_TxnRef": "1716257871703",
    "vnp_SecureHash": "649982421beb422556a1374713c74e58e716ecbd05007c0c0e1f7effdfaf361d"
                      "bf146889ca446139afe11b9954c4d5c486e99e3b86fcfab6957f29eb0be72895",
}
VNPAY_LIB_FAILED_HASH = ("503194f6d93b57b357b2d1d09742565e67e86d771352c5dca4fc8d39df3d392c"
                         "6b3809add9405f97cfb9631f445e36c80656cfbf47eac67d97fa165865c13e1b")

MOMO_PARTNER, MOMO_ACCESS, MOMO_SECRET = "MOMO", "F8BBA842ECF85", "K951B6PE1waDMi640xX08PD3vg6EkVlz"


def lib_gateway():
    return vnpay.VNPay(pay_url="https://sandbox.vnpayment.vn/paymentv2/vpcpay.html", api_url="https://x/api",
                       tmn_code="TEST_TMN_CODE", hash_secret=VNPAY_LIB_SECRET)


def momo_gateway():
    return momo.MoMo(endpoint="https://test-payment.momo.vn", partner_code=MOMO_PARTNER,
                     access_key=MOMO_ACCESS, secret_key=MOMO_SECRET)


# --- VNPay ---------------------------------------------------------------------------------------

def test_vnpay_ipn_vector_of_an_independent_library_verifies_and_reads():
    notification = lib_gateway().parse_callback(VNPAY_LIB_IPN)
    assert notification.txn_ref == "1716257871703"
    assert notification.amount == 10_000                       # vnp_Amount is VND x 100
    assert notification.outcome == Outcome.SUCCEEDED
    assert notification.transaction_no == "14422574"
    assert notification.bank_code == "NCB"
    assert notification.paid_at == datetime(2024, 5, 21, 2, 18, 6, tzinfo=UTC)   # 09:18:06 GMT+7


def test_vnpay_failed_payment_vector_verifies_as_a_failure():
    params = {**VNPAY_LIB_IPN, "vnp_ResponseCode": "99", "vnp_SecureHash": VNPAY_LIB_FAILED_HASH}
    assert lib_gateway().parse_callback(params).outcome == Outcome.FAILED


def test_vnpay_signature_ignores_secure_hash_type_and_accepts_uppercase_hex():
    params = {**VNPAY_LIB_IPN, "vnp_SecureHashType": "HmacSHA512",
              "vnp_SecureHash": VNPAY_LIB_IPN["vnp_SecureHash"].upper()}
    assert lib_gateway().parse_callback(params).txn_ref == "1716257871703"


@pytest.mark.parametrize("change", [
    {"vnp_ResponseCode": "99"},                     # the library's own "invalid secure hash" case
    {"vnp_Amount": "2000000"},
    {"vnp_SecureHash": ""},
    {"vnp_Extra": "added"},                         # any added vnp_ field is signed too
])
def test_vnpay_tampered_messages_are_refused(change):
    with pytest.raises(InvalidSignature):
        lib_gateway().parse_callback({**VNPAY_LIB_IPN, **change})


def test_vnpay_wrong_secret_or_terminal_is_refused():
    other = vnpay.VNPay(pay_url="x", api_url="x", tmn_code="TEST_TMN_CODE", hash_secret="other")
    with pytest.raises(InvalidSignature):
        other.parse_callback(VNPAY_LIB_IPN)
    other_terminal = vnpay.VNPay(pay_url="x", api_url="x", tmn_code="OTHER", hash_secret=VNPAY_LIB_SECRET)
    with pytest.raises(InvalidSignature):
        other_terminal.parse_callback(VNPAY_LIB_IPN)


def test_vnpay_canonical_query_sorts_and_quote_plus_encodes_like_vnpay_python_sample():
    query = vnpay.canonical_query({"vnp_ReturnUrl": "https://example.com/return", "vnp_OrderInfo": "Test order",
                                   "vnp_Amount": 100000})
    assert query == ("vnp_Amount=100000&vnp_OrderInfo=Test+order"
                     "&vnp_ReturnUrl=https%3A%2F%2Fexample.com%2Freturn")


def test_vnpay_payment_url_carries_documented_parameters_and_signature():
    order = Order(txn_ref="ref1234567", amount=10_000, order_info="Thanh toán lệ phí hồ sơ Đăng ký",
                  created_at=datetime(2021, 1, 1, 0, 0, tzinfo=UTC), expires_at=datetime(2021, 1, 1, 0, 15, tzinfo=UTC),
                  client_ip="127.0.0.1", locale="vi", return_url="https://example.com/return", ipn_url="unused")
    gateway = lib_gateway()
    params = gateway.payment_params(order)
    assert params == {
        "vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": "TEST_TMN_CODE",
        "vnp_Amount": "1000000", "vnp_CurrCode": "VND", "vnp_TxnRef": "ref1234567",
        "vnp_OrderInfo": "Thanh toan le phi ho so Dang ky", "vnp_OrderType": "other", "vnp_Locale": "vn",
        "vnp_ReturnUrl": "https://example.com/return", "vnp_IpAddr": "127.0.0.1",
        "vnp_CreateDate": "20210101070000", "vnp_ExpireDate": "20210101071500",   # GMT+7
    }
    url = gateway.checkout(order).redirect_url
    base, _, query = url.partition("?")
    assert base == "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    signed, _, secure_hash = query.rpartition("&vnp_SecureHash=")
    assert signed == vnpay.canonical_query(params)
    assert "vnp_OrderInfo=Thanh+toan+le+phi+ho+so+Dang+ky" in signed
    assert "vnp_ReturnUrl=https%3A%2F%2Fexample.com%2Freturn" in signed
    assert secure_hash == vnpay.hmac_sha512(VNPAY_LIB_SECRET, signed)


def test_vnpay_hmac_sha512_matches_openssl_on_a_payment_query():
    query = ("vnp_Amount=1000000&vnp_Command=pay&vnp_CreateDate=20210101070000&vnp_CurrCode=VND"
             "&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Test+order&vnp_OrderType=other"
             "&vnp_ReturnUrl=https%3A%2F%2Fexample.com%2Freturn&vnp_TmnCode=TEST_TMN_CODE"
             "&vnp_TxnRef=ref1234567&vnp_Version=2.1.0")
    assert vnpay.hmac_sha512("test_secret", query) == (
        "225e39b2f71d8e0ccaa5d89f301b267fe11e8d726a2067195c5967d15e931939"
        "f63a7cad2f6f060aa0f8ba347f83915eacb061a5cab552b06562c11beeadb040")


def test_vnpay_querydr_and_refund_hashes_use_documented_pipe_order():
    query = {"vnp_RequestId": "123456", "vnp_Version": "2.1.0", "vnp_Command": "querydr",
             "vnp_TmnCode": "TEST_TMN_CODE", "vnp_TxnRef": "1716257871703",
             "vnp_TransactionDate": "20240521091806", "vnp_CreateDate": "20240526000000",
             "vnp_IpAddr": "127.0.0.1", "vnp_OrderInfo": "Truy van giao dich 1716257871703"}
    assert vnpay.pipe_hash(query, vnpay.QUERY_REQUEST_FIELDS, "test_secret") == (
        "76b76bda3563bc8a4c6d498a372a5003397757975e7c4915f07d09720636734d"
        "b637c24c51af15a14aa7bbae1212052ce165883b9ce0fe332a8f82cff96f6e7b")
    refund = {"vnp_RequestId": "123456", "vnp_Version": "2.1.0", "vnp_Command": "refund",
              "vnp_TmnCode": "TEST_TMN_CODE", "vnp_TransactionType": "02", "vnp_TxnRef": "1716257871703",
              "vnp_Amount": "1000000", "vnp_TransactionNo": "14422574", "vnp_TransactionDate": "20240521091806",
              "vnp_CreateBy": "smart-province", "vnp_CreateDate": "20240526000000", "vnp_IpAddr": "127.0.0.1",
              "vnp_OrderInfo": "Hoan phi giao dich 1716257871703 dossier rejected"}
    assert vnpay.pipe_hash(refund, vnpay.REFUND_REQUEST_FIELDS, "test_secret") == (
        "a92b6d1cd5ceab7c0beda5aaaee3b5865b834d32a92bd64d5342ffe86131de14"
        "8f2b212d43b04e3d022a3bdde9dcebb0badfc3d37aef1527c2adf1fc607c6f99")


@pytest.mark.parametrize("verdict, code", [
    (IpnVerdict.CONFIRMED, "00"), (IpnVerdict.ORDER_NOT_FOUND, "01"), (IpnVerdict.ALREADY_CONFIRMED, "02"),
    (IpnVerdict.INVALID_AMOUNT, "04"), (IpnVerdict.INVALID_SIGNATURE, "97"), (IpnVerdict.UNKNOWN_ERROR, "99"),
])
def test_vnpay_ipn_answers_are_rspcode_and_message(verdict, code):
    answer = lib_gateway().ipn_answer(verdict)
    assert answer.status == 200
    assert set(answer.body) == {"RspCode", "Message"} and answer.body["RspCode"] == code


@pytest.mark.parametrize("text, expected", [
    ("Thanh toán lệ phí hồ sơ H80.01-251121-0001", "Thanh toan le phi ho so H80 01 251121 0001"),
    ("Đăng ký khai sinh – Ủy ban nhân dân xã Hưng Điền", "Dang ky khai sinh Uy ban nhan dan xa Hung Dien"),
    ("ƯỚC Ở ỹ", "UOC O y"),
])
def test_vnpay_order_info_has_no_diacritics(text, expected):
    assert vnpay.without_diacritics(text) == expected


@pytest.mark.parametrize("value, amount", [("1000000", 10_000), ("1000050", None), ("abc", None), ("", None)])
def test_vnpay_amounts_are_whole_vnd_times_100(value, amount):
    assert vnpay.parse_amount(value) == amount


# --- MoMo ----------------------------------------------------------------------------------------

MOMO_ORDER_INFO = "Thanh toán lệ phí hồ sơ H80.01-251121-0001"


def test_momo_create_raw_signature_is_the_documented_fixed_order():
    order = Order(txn_ref="MM1540456472575", amount=50_000, order_info=MOMO_ORDER_INFO,
                  created_at=datetime(2024, 1, 1, tzinfo=UTC), expires_at=datetime(2024, 1, 1, 0, 15, tzinfo=UTC),
                  client_ip="127.0.0.1", locale="vi", return_url="https://momo.vn/return",
                  ipn_url="https://momo.vn/ipn")
    body = momo_gateway().create_request(order, "MM1540456472575")
    raw = momo.raw_signature({**body, "accessKey": MOMO_ACCESS}, momo.CREATE_FIELDS)
    assert raw == ("accessKey=F8BBA842ECF85&amount=50000&extraData=&ipnUrl=https://momo.vn/ipn"
                   "&orderId=MM1540456472575&orderInfo=" + MOMO_ORDER_INFO + "&partnerCode=MOMO"
                   "&redirectUrl=https://momo.vn/return&requestId=MM1540456472575&requestType=captureWallet")
    assert body["signature"] == "0cfd587f1a1b6bbb1043af580fd59343fdccf9bd03ef390d5bb91f970a3b8b30"  # openssl
    assert body["amount"] == 50_000 and body["requestType"] == "captureWallet" and body["partnerCode"] == "MOMO"


MOMO_IPN = {
    "partnerCode": "MOMO", "orderId": "MM1540456472575", "requestId": "MM1540456472575", "amount": 50000,
    "orderInfo": MOMO_ORDER_INFO, "orderType": "momo_wallet", "transId": 4088878653, "resultCode": 0,
    "message": "Successful.", "payType": "qr", "responseTime": 1721720663942, "extraData": "",
    "signature": "f5699a61b64804bcbc48c94d9b1906887c21eeda04302eaa4c14d6a3a4786028",   # openssl
}


def test_momo_ipn_signature_verifies_and_reads_the_result():
    notification = momo_gateway().parse_callback(MOMO_IPN)
    assert notification.txn_ref == "MM1540456472575"
    assert notification.amount == 50_000
    assert notification.outcome == Outcome.SUCCEEDED
    assert notification.transaction_no == "4088878653"
    assert notification.paid_at == datetime.fromtimestamp(1721720663.942, UTC)


def test_momo_redirect_query_strings_verify_like_the_json_ipn():
    as_strings = {key: str(value) for key, value in MOMO_IPN.items()}
    assert momo_gateway().parse_callback(as_strings).outcome == Outcome.SUCCEEDED


@pytest.mark.parametrize("change", [{"amount": 60000}, {"resultCode": 1006}, {"signature": "0" * 64},
                                    {"signature": ""}, {"partnerCode": "OTHER"}])
def test_momo_tampered_ipn_is_refused(change):
    with pytest.raises(InvalidSignature):
        momo_gateway().parse_callback({**MOMO_IPN, **change})


def test_momo_query_signature_uses_documented_fields():
    raw = momo.raw_signature({"accessKey": MOMO_ACCESS, "orderId": "1527246478428", "partnerCode": "MOMO",
                              "requestId": "1527246504579"}, momo.QUERY_FIELDS)
    assert raw == "accessKey=F8BBA842ECF85&orderId=1527246478428&partnerCode=MOMO&requestId=1527246504579"
    assert momo.hmac_sha256(MOMO_SECRET, raw) == "3cc375ec99731bc3d6981e6e8e7542ecc8ecdf76f0082682644abd1702c1f897"


def test_momo_refund_fields_are_in_documented_order():
    assert momo.REFUND_FIELDS == ("accessKey", "amount", "description", "orderId", "partnerCode", "requestId",
                                  "transId")
    assert list(momo.RESULT_FIELDS) == sorted(momo.RESULT_FIELDS)
    assert list(momo.CREATE_FIELDS) == sorted(momo.CREATE_FIELDS)


@pytest.mark.parametrize("code, outcome", [(0, Outcome.SUCCEEDED), (9000, Outcome.SUCCEEDED),
                                           (1000, Outcome.PENDING), (1006, Outcome.CANCELLED),
                                           (1005, Outcome.EXPIRED), (1001, Outcome.FAILED),
                                           (42, Outcome.NOT_FOUND)])
def test_momo_result_codes_map_to_outcomes(code, outcome):
    assert momo.outcome_of(code) == outcome


def test_momo_ipn_is_answered_204_when_handled():
    gateway = momo_gateway()
    assert gateway.ipn_answer(IpnVerdict.CONFIRMED).status == 204
    assert gateway.ipn_answer(IpnVerdict.ALREADY_CONFIRMED).status == 204
    assert gateway.ipn_answer(IpnVerdict.INVALID_SIGNATURE).status == 400
    assert gateway.ipn_answer(IpnVerdict.ORDER_NOT_FOUND).status == 404
