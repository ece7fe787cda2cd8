"""Payment settings read from the environment (merged into `app.config.Config`).

Every gateway is an adapter chosen by configuration. The development and test
defaults point at the mock gateways served by this app under /mock/...; using a
real provider (or the mocks run as a separate process) is a matter of setting
the URLs and credentials below, never of changing code.
"""
from collections.abc import Mapping

from app.common.urls import public_url

# MoMo's public sandbox credentials, published in MoMo's own sample code: with
# MOMO_ENDPOINT=https://test-payment.momo.vn the MoMo adapter talks to MoMo's sandbox.
DEV_MOMO_PARTNER_CODE = "MOMO"
DEV_MOMO_ACCESS_KEY = "F8BBA842ECF85"
DEV_MOMO_SECRET_KEY = "K951B6PE1waDMi640xX08PD3vg6EkVlz"
DEV_VNPAY_TMN_CODE = "SMARTPV1"
DEV_VNPAY_HASH_SECRET = "DEVVNPAYHASHSECRETCHANGEMENOW0001"
DEV_PAYGOV_MERCHANT_CODE = "SMARTPVGOV"
DEV_PAYGOV_SECRET = "DEVPAYGOVSECRETCHANGEMENOW000001"
DEV_SECRETS = {DEV_MOMO_SECRET_KEY, DEV_VNPAY_HASH_SECRET, DEV_PAYGOV_SECRET}


def payment_settings(e: Mapping[str, str], env_name: str) -> dict:
    """The PAYMENT_*, VNPAY_*, MOMO_*, PAYGOV_* and MOCK_* settings."""
    public = (e.get("PAYMENT_PUBLIC_URL") or public_url(e)).rstrip("/")
    mock_default = env_name in ("development", "testing")
    return {
        # Where citizens' browsers and the gateways reach this service (PUBLIC_URL, or PORT on loopback)
        "PAYMENT_PUBLIC_URL": public,
        "PAYMENT_GATEWAYS": tuple(g.strip() for g in e.get("PAYMENT_GATEWAYS", "vnpay,momo,paygov").split(",")
                                  if g.strip()),
        "PAYMENT_TTL_MINUTES": int(e.get("PAYMENT_TTL_MINUTES", 15)),
        "PAYMENT_RECONCILE_AFTER_MINUTES": int(e.get("PAYMENT_RECONCILE_AFTER_MINUTES", 5)),
        "PAYMENT_HTTP_TIMEOUT": float(e.get("PAYMENT_HTTP_TIMEOUT", 30)),
        "PAYMENT_SERVER_IP": e.get("PAYMENT_SERVER_IP", "127.0.0.1"),
        "VNPAY_URL": e.get("VNPAY_URL", f"{public}/mock/vnpay/paymentv2/vpcpay.html"),
        "VNPAY_API_URL": e.get("VNPAY_API_URL", f"{public}/mock/vnpay/merchant_webapi/api/transaction"),
        "VNPAY_TMN_CODE": e.get("VNPAY_TMN_CODE", DEV_VNPAY_TMN_CODE),
        "VNPAY_HASH_SECRET": e.get("VNPAY_HASH_SECRET", DEV_VNPAY_HASH_SECRET),
        "MOMO_ENDPOINT": e.get("MOMO_ENDPOINT", f"{public}/mock/momo").rstrip("/"),
        "MOMO_PARTNER_CODE": e.get("MOMO_PARTNER_CODE", DEV_MOMO_PARTNER_CODE),
        "MOMO_ACCESS_KEY": e.get("MOMO_ACCESS_KEY", DEV_MOMO_ACCESS_KEY),
        "MOMO_SECRET_KEY": e.get("MOMO_SECRET_KEY", DEV_MOMO_SECRET_KEY),
        "PAYGOV_URL": e.get("PAYGOV_URL", f"{public}/mock/paygov/paymentv2/vpcpay.html"),
        "PAYGOV_API_URL": e.get("PAYGOV_API_URL", f"{public}/mock/paygov/merchant_webapi/api/transaction"),
        "PAYGOV_MERCHANT_CODE": e.get("PAYGOV_MERCHANT_CODE", DEV_PAYGOV_MERCHANT_CODE),
        "PAYGOV_SECRET": e.get("PAYGOV_SECRET", DEV_PAYGOV_SECRET),
        # The mock gateways (app/mockgateway), served by this app in development and tests
        "MOCK_GATEWAYS": _bool(e.get("MOCK_GATEWAYS"), mock_default),
        "MOCK_GATEWAY_DB": e.get("MOCK_GATEWAY_DB", ":memory:" if env_name == "testing" else "mockgateway.sqlite3"),
        # Deliver IPNs from a background thread (off in tests, which deliver explicitly)
        "MOCK_GATEWAY_AUTODELIVER": _bool(e.get("MOCK_GATEWAY_AUTODELIVER"), env_name != "testing"),
        # The merchant IPN URLs registered "at the gateway" (VNPay-style IPN URLs are not in the request)
        "MOCK_VNPAY_IPN_URL": e.get("MOCK_VNPAY_IPN_URL", f"{public}/api/v1/payments/vnpay/ipn"),
        "MOCK_PAYGOV_IPN_URL": e.get("MOCK_PAYGOV_IPN_URL", f"{public}/api/v1/payments/paygov/ipn"),
    }


def payment_problems(config) -> list[str]:
    """Why these payment settings may not serve production (empty when fine)."""
    found = []
    if getattr(config, "MOCK_GATEWAYS", False):
        found.append("MOCK_GATEWAYS is on; production talks to the real gateways")
    secrets = {config.VNPAY_HASH_SECRET, config.MOMO_SECRET_KEY, config.PAYGOV_SECRET}
    if secrets & DEV_SECRETS:
        found.append("a payment gateway secret (VNPAY_HASH_SECRET, MOMO_SECRET_KEY, PAYGOV_SECRET) "
                     "is a development value")
    urls = (config.VNPAY_URL, config.VNPAY_API_URL, config.MOMO_ENDPOINT, config.PAYGOV_URL, config.PAYGOV_API_URL)
    if any("/mock/" in url or url.endswith("/mock") for url in urls):
        found.append("a payment gateway URL points at the mock gateways")
    return found


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}
