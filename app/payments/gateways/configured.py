"""The gateway adapters the configuration enables (`PAYMENT_GATEWAYS`, `VNPAY_*`, `MOMO_*`, `PAYGOV_*`)."""
from flask import current_app

from app.payments.gateways import GATEWAY_NAMES
from app.payments.gateways.base import Gateway
from app.payments.gateways.momo import MoMo
from app.payments.gateways.paygov import PayGov
from app.payments.gateways.vnpay import VNPay


def _build(name: str, config) -> Gateway:
    if name == "vnpay":
        return VNPay(pay_url=config["VNPAY_URL"], api_url=config["VNPAY_API_URL"],
                     tmn_code=config["VNPAY_TMN_CODE"], hash_secret=config["VNPAY_HASH_SECRET"],
                     server_ip=config["PAYMENT_SERVER_IP"])
    if name == "momo":
        return MoMo(endpoint=config["MOMO_ENDPOINT"], partner_code=config["MOMO_PARTNER_CODE"],
                    access_key=config["MOMO_ACCESS_KEY"], secret_key=config["MOMO_SECRET_KEY"])
    if name == "paygov":
        return PayGov(pay_url=config["PAYGOV_URL"], api_url=config["PAYGOV_API_URL"],
                      tmn_code=config["PAYGOV_MERCHANT_CODE"], hash_secret=config["PAYGOV_SECRET"],
                      server_ip=config["PAYMENT_SERVER_IP"])
    raise KeyError(name)


def enabled_gateways() -> tuple[str, ...]:
    return tuple(n for n in current_app.config["PAYMENT_GATEWAYS"] if n in GATEWAY_NAMES)


def get_gateway(name: str) -> Gateway:
    """The adapter for `name` (KeyError when it is not enabled)."""
    if name not in enabled_gateways():
        raise KeyError(name)
    cache = current_app.extensions.setdefault("payments.gateways", {})
    if name not in cache:
        cache[name] = _build(name, current_app.config)
    return cache[name]
