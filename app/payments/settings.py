"""The payments domain's settings: a typed, frozen view of the configuration.

The environment is read by `app.config` (PAYMENT_*, VNPAY_*, MOMO_*, PAYGOV_*,
MOCK_*); services read `settings()`, never `current_app.config`. Every
gateway is an adapter chosen by configuration: using a real provider (or the
mocks run as a separate process) is a matter of setting the URLs and
credentials, never of changing code.
"""
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class PaymentSettings:
    public_url: str                     # where citizens' browsers and the gateways reach this service
    gateways: tuple[str, ...]           # the enabled gateways, in the order offered
    ttl_minutes: int                    # a payment not finished by then expires
    reconcile_after_minutes: int        # open payments older than this are asked about
    http_timeout: float
    server_ip: str
    vnpay_url: str
    vnpay_api_url: str
    vnpay_tmn_code: str
    vnpay_hash_secret: str
    momo_endpoint: str
    momo_partner_code: str
    momo_access_key: str
    momo_secret_key: str
    paygov_url: str
    paygov_api_url: str
    paygov_merchant_code: str
    paygov_secret: str

    @classmethod
    def from_config(cls, config) -> "PaymentSettings":
        return cls(
            public_url=config["PAYMENT_PUBLIC_URL"], gateways=tuple(config["PAYMENT_GATEWAYS"]),
            ttl_minutes=config["PAYMENT_TTL_MINUTES"],
            reconcile_after_minutes=config["PAYMENT_RECONCILE_AFTER_MINUTES"],
            http_timeout=config.get("PAYMENT_HTTP_TIMEOUT", 30), server_ip=config["PAYMENT_SERVER_IP"],
            vnpay_url=config["VNPAY_URL"], vnpay_api_url=config["VNPAY_API_URL"],
            vnpay_tmn_code=config["VNPAY_TMN_CODE"], vnpay_hash_secret=config["VNPAY_HASH_SECRET"],
            momo_endpoint=config["MOMO_ENDPOINT"], momo_partner_code=config["MOMO_PARTNER_CODE"],
            momo_access_key=config["MOMO_ACCESS_KEY"], momo_secret_key=config["MOMO_SECRET_KEY"],
            paygov_url=config["PAYGOV_URL"], paygov_api_url=config["PAYGOV_API_URL"],
            paygov_merchant_code=config["PAYGOV_MERCHANT_CODE"], paygov_secret=config["PAYGOV_SECRET"],
        )


def settings() -> PaymentSettings:
    """The current app's payment settings (read from its configuration on each call:
    tests change the configuration of a running app)."""
    return PaymentSettings.from_config(current_app.config)
