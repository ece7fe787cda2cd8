import pytest

from app import create_app
from app.config import (
    DEV_SECRET_KEY, ConfigurationError, DevelopmentConfig, ProductionConfig, load_config,
)

SAFE = {
    "APP_ENV": "production",
    "SECRET_KEY": "ZGsQ0y9hO0DIfzflLU8w-x_rW93O6Cf37TThcA1g0dSdVD47",
    "TOTP_ENCRYPTION_KEY": "cbrUytOvX32kYDNoue1dYhOlSl4ChyT1OrJoLG7PbQI=",
    "RATELIMIT_STORAGE_URI": "redis://redis:6379/0",
    "METRICS_ALLOWED_NETWORKS": "10.0.0.0/8,127.0.0.1",
    "JWT_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEIAjVtG8pE8uRXFlYOS5z69JD+CtUq1UH6+wtZ0awX4U6\\n"
                       "-----END PRIVATE KEY-----\\n",
    "DATABASE_URL": "postgresql+psycopg://app@db/smart_province",
    "OIDC_ISSUER": "https://id.example.gov.vn",
    # Notification channels: real adapters and a callback secret
    "NOTIFY_SMS_ADAPTER": "brandname", "SMS_BRANDNAME_URL": "https://sms.example/send",
    "SMS_BRANDNAME_API_KEY": "key", "SMS_BRANDNAME_SECRET_KEY": "secret",
    "NOTIFY_PUSH_ADAPTER": "fcm", "FCM_PROJECT_ID": "smart-province",
    "FCM_CREDENTIALS_FILE": "/run/secrets/fcm.json",
    "NOTIFY_EMAIL_ADAPTER": "smtp", "NOTIFY_CALLBACK_SECRET": "SLbOZiz2jcrHoV4soZY6LNMk21hCMkV3Fj5l0n_YGCbn5UT0",
    # Payment gateways: the providers' URLs and the merchant's own secrets
    "PAYMENT_PUBLIC_URL": "https://dichvucong.example.gov.vn",
    "VNPAY_URL": "https://pay.vnpay.vn/vpcpay.html",
    "VNPAY_API_URL": "https://merchant.vnpay.vn/merchant_webapi/api/transaction",
    "VNPAY_TMN_CODE": "TNPROV01", "VNPAY_HASH_SECRET": "xpwnhHG-iGqoc6i34tvf13x9z5VDAABf_uk-0_tFT2NLzhth",
    "MOMO_ENDPOINT": "https://payment.momo.vn", "MOMO_PARTNER_CODE": "MOMOTNPROV",
    "MOMO_ACCESS_KEY": "a" * 16, "MOMO_SECRET_KEY": "cKCCCNrzx7BrcAdwoGgejdv63BiCdaYtztoDOpWJLYwduDiu",
    "PAYGOV_URL": "https://paygov.example.gov.vn/pay", "PAYGOV_API_URL": "https://paygov.example.gov.vn/api",
    "PAYGOV_MERCHANT_CODE": "TNPROV", "PAYGOV_SECRET": "P1hPHG_xnYxlJg9pDp0Tq1MABR4P6-qzcjoHYVdZkuQudMQ2",
}


def test_production_starts_with_safe_settings():
    config = load_config(environ=SAFE)
    assert isinstance(config, ProductionConfig)
    assert config.problems() == []


@pytest.mark.parametrize("change, reason", [
    ({"SECRET_KEY": DEV_SECRET_KEY}, "SECRET_KEY"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY"),
    ({"TOTP_ENCRYPTION_KEY": DevelopmentConfig({}).TOTP_ENCRYPTION_KEY}, "TOTP_ENCRYPTION_KEY"),
    ({"DATABASE_URL": "sqlite:///prod.db"}, "SQLite"),
    ({"FLASK_DEBUG": "1"}, "FLASK_DEBUG"),
    ({"MOCK_GATEWAYS": "1"}, "MOCK_GATEWAYS"),
    ({"MOMO_SECRET_KEY": "K951B6PE1waDMi640xX08PD3vg6EkVlz"}, "MOMO_SECRET_KEY"),
    ({"VNPAY_URL": "http://127.0.0.1:8100/mock/vnpay/paymentv2/vpcpay.html"}, "mock gateways"),
    ({"OIDC_ISSUER": ""}, "OIDC_ISSUER"),
    ({"OIDC_ISSUER": "http://id.example.gov.vn"}, "OIDC_ISSUER"),
])
def test_production_refuses_development_settings_and_says_why(change, reason):
    with pytest.raises(ConfigurationError) as caught:
        load_config(environ={**SAFE, **change})
    assert reason in str(caught.value)
    assert "refusing to start in production" in str(caught.value)


def test_production_with_no_environment_lists_every_problem():
    with pytest.raises(ConfigurationError) as caught:
        load_config(environ={"APP_ENV": "production"})
    message = str(caught.value)
    for reason in ("SECRET_KEY", "TOTP_ENCRYPTION_KEY", "SQLite"):
        assert reason in message


def test_create_app_refuses_unsafe_production(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        create_app()


def test_unknown_environment_name_is_refused():
    with pytest.raises(ConfigurationError):
        load_config(environ={"APP_ENV": "staging"})


def test_development_defaults_are_safe_to_run_locally():
    config = load_config(environ={})
    assert isinstance(config, DevelopmentConfig)
    assert config.SQLALCHEMY_DATABASE_URI.startswith("sqlite")
    assert config.DEV_ENDPOINTS is True
    assert config.BABEL_DEFAULT_LOCALE == "vi"


def _seen_by_app(trusted_proxies: str):
    from flask import jsonify, request

    from app.config import TestingConfig

    app = create_app(TestingConfig({"TRUSTED_PROXIES": trusted_proxies, "MOCK_GATEWAYS": "false"}))
    app.add_url_rule("/_client", "client_probe",
                     lambda: jsonify(ip=request.remote_addr, scheme=request.scheme, host=request.host))
    headers = {"X-Forwarded-For": "203.0.113.9, 10.0.0.7", "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "dichvucong.example.gov.vn"}
    return app.test_client().get("/_client", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"}).get_json()


def test_forwarded_headers_are_ignored_without_trusted_proxies():
    assert _seen_by_app("0") == {"ip": "10.0.0.2", "scheme": "http", "host": "localhost"}


def test_behind_one_trusted_proxy_the_client_comes_from_its_headers():
    # one hop: only the address the proxy itself appended is believed, not what the client sent
    assert _seen_by_app("1") == {"ip": "10.0.0.7", "scheme": "https", "host": "dichvucong.example.gov.vn"}


def test_behind_two_trusted_proxies_the_client_is_two_hops_back():
    assert _seen_by_app("2")["ip"] == "203.0.113.9"


def test_links_follow_the_port_unless_a_public_url_is_set():
    from app.config import load_config

    moved = load_config("development", {"PORT": "9123"})
    assert moved.PORT == 9123 and moved.PUBLIC_URL == "http://127.0.0.1:9123"
    assert moved.PAYMENT_PUBLIC_URL == "http://127.0.0.1:9123"
    assert moved.VNPAY_URL == "http://127.0.0.1:9123/mock/vnpay/paymentv2/vpcpay.html"
    assert moved.MOMO_ENDPOINT == "http://127.0.0.1:9123/mock/momo"
    assert moved.MOCK_VNPAY_IPN_URL == "http://127.0.0.1:9123/api/v1/payments/vnpay/ipn"

    public = load_config("development", {"PORT": "9123", "PUBLIC_URL": "https://dichvu.tayninh.gov.vn/"})
    assert public.PUBLIC_URL == public.PAYMENT_PUBLIC_URL == "https://dichvu.tayninh.gov.vn"
    assert public.PAYGOV_URL.startswith("https://dichvu.tayninh.gov.vn/mock/paygov/")

    payments_elsewhere = load_config("development", {"PORT": "9123", "PAYMENT_PUBLIC_URL": "https://pay.example.vn"})
    assert payments_elsewhere.PUBLIC_URL == "http://127.0.0.1:9123"
    assert payments_elsewhere.MOCK_PAYGOV_IPN_URL == "https://pay.example.vn/api/v1/payments/paygov/ipn"

    assert load_config("development", {}).PUBLIC_URL == "http://127.0.0.1:8000"
