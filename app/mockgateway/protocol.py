"""The providers' signing rules, written again on the gateway's side.

Deliberately independent of `app.payments.gateways` (other code, same
documented rules), so a mistake on one side shows up as a failed
verification instead of agreeing with itself.
"""
import hashlib
import hmac
from urllib.parse import quote_plus, urlencode

VNPAY_EXCLUDED = {"vnp_SecureHash", "vnp_SecureHashType"}


def vnpay_hash_data(params: dict) -> str:
    """VNPay: vnp_* fields but the hash fields, sorted by name, urlencoded with quote_plus."""
    fields = sorted((k, str(v)) for k, v in params.items() if k.startswith("vnp_") and k not in VNPAY_EXCLUDED)
    return urlencode(fields, quote_via=quote_plus)


def vnpay_sign(params: dict, secret: str) -> str:
    return hmac.new(secret.encode(), vnpay_hash_data(params).encode(), hashlib.sha512).hexdigest()


def vnpay_verify(params: dict, secret: str) -> bool:
    given = str(params.get("vnp_SecureHash", "")).lower()
    return bool(given) and hmac.compare_digest(vnpay_sign(params, secret).encode(), given.encode())


def vnpay_pipe_sign(values: dict, names: tuple[str, ...], secret: str) -> str:
    joined = "|".join(str(values.get(n, "") if values.get(n) is not None else "") for n in names)
    return hmac.new(secret.encode(), joined.encode(), hashlib.sha512).hexdigest()


VNPAY_QUERY_REQUEST = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
                       "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
VNPAY_QUERY_RESPONSE = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                        "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                        "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode",
                        "vnp_PromotionAmount")
VNPAY_REFUND_REQUEST = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType",
                        "vnp_TxnRef", "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy",
                        "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
VNPAY_REFUND_RESPONSE = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                         "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                         "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo")

MOMO_CREATE = ("accessKey", "amount", "extraData", "ipnUrl", "orderId", "orderInfo", "partnerCode", "redirectUrl",
               "requestId", "requestType")
MOMO_RESULT = ("accessKey", "amount", "extraData", "message", "orderId", "orderInfo", "orderType", "partnerCode",
               "payType", "requestId", "responseTime", "resultCode", "transId")
MOMO_QUERY = ("accessKey", "orderId", "partnerCode", "requestId")
MOMO_REFUND = ("accessKey", "amount", "description", "orderId", "partnerCode", "requestId", "transId")


def momo_sign(values: dict, names: tuple[str, ...], access_key: str, secret: str) -> str:
    pairs = []
    for name in names:
        value = access_key if name == "accessKey" else values.get(name, "")
        pairs.append(f"{name}={'' if value is None else value}")
    return hmac.new(secret.encode("utf-8"), "&".join(pairs).encode("utf-8"), hashlib.sha256).hexdigest()


def momo_verify(values: dict, names: tuple[str, ...], access_key: str, secret: str) -> bool:
    given = str(values.get("signature", "")).lower()
    return bool(given) and hmac.compare_digest(momo_sign(values, names, access_key, secret).encode(), given.encode())
