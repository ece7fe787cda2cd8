"""The gateway adapters the configuration enables (`PAYMENT_GATEWAYS`, `VNPAY_*`, `MOMO_*`, `PAYGOV_*`)."""
from flask import current_app

from app.payments.gateways import GATEWAY_NAMES
from app.payments.gateways.base import Gateway
from app.payments.gateways.momo import MoMo
from app.payments.gateways.paygov import PayGov
from app.payments.gateways.vnpay import VNPay
from app.payments.settings import PaymentSettings, settings


# The adapter class of each gateway name: how its provider calls us (IPN method, where the fields are)
ADAPTERS: dict[str, type[Gateway]] = {"vnpay": VNPay, "momo": MoMo, "paygov": PayGov}


def adapter_class(name: str) -> type[Gateway]:
    """The adapter class for `name`, enabled or not (KeyError for a name no adapter implements)."""
    return ADAPTERS[name]


def _build(name: str, s: PaymentSettings) -> Gateway:
    if name == "vnpay":
        return VNPay(pay_url=s.vnpay_url, api_url=s.vnpay_api_url, tmn_code=s.vnpay_tmn_code,
                     hash_secret=s.vnpay_hash_secret, server_ip=s.server_ip)
    if name == "momo":
        return MoMo(endpoint=s.momo_endpoint, partner_code=s.momo_partner_code,
                    access_key=s.momo_access_key, secret_key=s.momo_secret_key)
    if name == "paygov":
        return PayGov(pay_url=s.paygov_url, api_url=s.paygov_api_url, tmn_code=s.paygov_merchant_code,
                      hash_secret=s.paygov_secret, server_ip=s.server_ip)
    raise KeyError(name)


def enabled_gateways() -> tuple[str, ...]:
    return tuple(n for n in settings().gateways if n in GATEWAY_NAMES)


def get_gateway(name: str) -> Gateway:
    """The adapter for `name` (KeyError when it is not enabled)."""
    if name not in enabled_gateways():
        raise KeyError(name)
    cache = current_app.extensions.setdefault("payments.gateways", {})
    if name not in cache:
        cache[name] = _build(name, settings())
    return cache[name]
