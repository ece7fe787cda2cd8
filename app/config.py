"""Configuration from environment variables, one class per environment.

`APP_ENV` picks the class (development by default). Values are read when a
configuration object is built, never at import, so tests and the CLI can pass
their own environment. Every setting has a safe development default;
`ProductionConfig.problems()` lists what must change before production starts.
"""
import json
import os
from collections.abc import Mapping

from app.common.errors import ConfigurationError
from app.common.overload import engine_options
from app.common.production_guards import serving_problems
from app.common.token_keys import key_problems
from app.common.tracing import tracing_kind
from app.common.urls import listening_port, public_url

DEV_SECRET_KEY = "dev-secret-key-change-me-never-use-in-production"
DEV_TOTP_ENCRYPTION_KEY = "ZGV2LXRvdHAta2V5LWNoYW5nZS1tZS0zMi1ieXRlcyE="

# The description Swagger UI shows above the operations.
API_DESCRIPTION = """The API of the Smart Province citizen app: e-ID accounts, dossiers for administrative
procedures, fees, notifications, community digital-tech teams, operations-centre figures.

Errors share one envelope `{code, status, message, errors}`; messages are Vietnamese unless
`Accept-Language: en`. Lists page with `cursor`; retryable writes accept `Idempotency-Key`.

**Getting a token.** Private operations take `Authorization: Bearer <access_token>` (press
*Authorize* and paste the token). Citizens log in with `POST /api/v1/identity/login` (password),
then `POST /api/v1/identity/login/verify` (an SMS code or a TOTP code); staff always with TOTP.

**In development** (`scripts/run.sh`; these routes do not exist in production):
1. `GET /api/v1/dev/demo` lists the demo accounts (every role; one password; TOTP secrets).
2. `POST /api/v1/dev/tokens` with `{"login": "demo.officer"}` (or `demo.leader`, `demo.admin`,
   a citizen's personal id...) answers an `access_token` at once, without the second factor.
3. For the real log-in, `GET /api/v1/dev/sms?phone=...` shows the SMS codes sent.
"""


class Config:
    ENV_NAME = "base"

    def __init__(self, environ: Mapping[str, str] | None = None):
        e = os.environ if environ is None else environ
        self.DEBUG = _bool(e.get("FLASK_DEBUG"), False)
        self.TESTING = False
        self.SECRET_KEY = e.get("SECRET_KEY", DEV_SECRET_KEY)
        self.SQLALCHEMY_DATABASE_URI = e.get("DATABASE_URL", "sqlite:///smart_province.db")
        # no ping per checkout (a round trip per request): connections are recycled before servers and
        # proxies drop them, and one idle for a while is pinged first (app/common/database.py)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": int(e.get("DB_POOL_RECYCLE", 1800))}
        # PostgreSQL: bounded pool, bounded wait for a connection, fast connect (app/common/overload.py)
        self.SQLALCHEMY_ENGINE_OPTIONS.update(engine_options(self.SQLALCHEMY_DATABASE_URI, e))
        self.MAX_CONTENT_LENGTH = int(e.get("MAX_CONTENT_LENGTH", 10 * 1024 * 1024))
        self.DEV_ENDPOINTS = False
        # The port the service listens on and where people reach it (links, gateways' callbacks)
        self.PORT = listening_port(e)
        self.PUBLIC_URL = public_url(e)

        # API documentation (flask-smorest); Swagger UI assets are served locally
        self.API_TITLE = "Smart Province API"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/api/v1"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.OPENAPI_SWAGGER_UI_PATH = "/docs"
        self.OPENAPI_SWAGGER_UI_URL = "/api/v1/docs/assets/"
        self.API_SPEC_OPTIONS = {"info": {"description": API_DESCRIPTION}}

        # Internationalisation: Vietnamese unless the client asks for English
        self.BABEL_DEFAULT_LOCALE = "vi"
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
        self.LANGUAGES = ("vi", "en")

        # Rate limits (Flask-Limiter): memory:// on one process, redis://... in production
        self.RATELIMIT_STORAGE_URI = e.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = _bool(e.get("RATELIMIT_ENABLED"), True)
        self.RATELIMIT_HEADERS_ENABLED = True

        # Secrets of the identity domain
        self.TOTP_ENCRYPTION_KEY = e.get("TOTP_ENCRYPTION_KEY", DEV_TOTP_ENCRYPTION_KEY)
        # Access-token keys (app/common/token_keys.py): Ed25519 PEM; derived from SECRET_KEY outside production
        self.JWT_PRIVATE_KEY = e.get("JWT_PRIVATE_KEY", "")
        self.JWT_PRIVATE_KEY_FILE = e.get("JWT_PRIVATE_KEY_FILE", "")
        self.JWT_PUBLIC_KEYS_FILE = e.get("JWT_PUBLIC_KEYS_FILE", "")

        # Outside systems, chosen by configuration
        self.REGISTRY_ADAPTER = e.get("REGISTRY_ADAPTER", "synthetic")
        self.STORAGE_URL = e.get("STORAGE_URL", "file://storage")
        # Cashless fees: payment gateways and their mocks
        self.__dict__.update(payment_settings(e, self.ENV_NAME))
        # Largest document a citizen or an agency may upload (bytes)
        self.UPLOAD_MAX_BYTES = int(e.get("UPLOAD_MAX_BYTES", 5 * 1024 * 1024))

        # Password hashing (argon2id, RFC 9106 second recommended option)
        self.ARGON2_TIME_COST = int(e.get("ARGON2_TIME_COST", 3))
        self.ARGON2_MEMORY_COST = int(e.get("ARGON2_MEMORY_COST", 65536))
        self.ARGON2_PARALLELISM = int(e.get("ARGON2_PARALLELISM", 4))

        self.LOG_LEVEL = e.get("LOG_LEVEL", "INFO")
        # OpenTelemetry traces (app/common/tracing.py): otlp, console or off (default; otlp when
        # OTEL_EXPORTER_OTLP_ENDPOINT is set); the OTLP exporter reads the OTEL_EXPORTER_OTLP_* variables
        self.TRACING = tracing_kind(e)
        self.OTEL_SERVICE_NAME = e.get("OTEL_SERVICE_NAME", "smart-province")
        # GET /metrics: open in development; production needs a bearer token or allowed networks (CIDRs)
        self.METRICS_TOKEN = e.get("METRICS_TOKEN", "")
        self.METRICS_ALLOWED_NETWORKS = tuple(n.strip() for n in e.get("METRICS_ALLOWED_NETWORKS", "").split(",")
                                              if n.strip())
        # Long polls one process holds at once (gunicorn.conf.py sets it from the worker model)
        self.LONG_POLL_SLOTS = int(e.get("LONG_POLL_SLOTS", 4))
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are
        # trusted (0: none). Rate limits per address and absolute links need it behind one.
        self.TRUSTED_PROXIES = int(e.get("TRUSTED_PROXIES", 0))
        self.DEMO_PROVINCE_CODE = int(e.get("DEMO_PROVINCE_CODE", 80))
        # Operations-centre counters: months whose day rows are kept (0: all); older months keep month rows
        self.DASHBOARD_DAY_ROWS_MONTHS = int(e.get("DASHBOARD_DAY_ROWS_MONTHS", 24))
        # PostgreSQL work_mem of `flask dashboard rebuild`'s roll-up (its hash tables may take twice it)
        self.DASHBOARD_REBUILD_WORK_MEM = e.get("DASHBOARD_REBUILD_WORK_MEM", "1GB")

        # OpenID Connect provider (app/oidc/settings.py); empty issuer: the URL the server is reached at
        self.OIDC_ISSUER = e.get("OIDC_ISSUER", "").rstrip("/")
        self.OIDC_KEY_ROTATION_DAYS = int(e.get("OIDC_KEY_ROTATION_DAYS", 30))
        self.OIDC_CLIENT_RATE_LIMIT = e.get("OIDC_CLIENT_RATE_LIMIT", "60 per minute")
        self.OIDC_BACKCHANNEL_TIMEOUT = float(e.get("OIDC_BACKCHANNEL_TIMEOUT", 5))

        # Service-quality tunables (app/quality/settings.py), QUALITY_<NAME>; the maps as JSON objects
        self.__dict__.update(quality_settings(e))

        # Notifications: channel adapters, retries, receipts, worker
        for name, value in notification_settings(e, self.ENV_NAME).items():
            setattr(self, name, value)

    def problems(self) -> list[str]:
        """Reasons this configuration may not serve production (empty when fine)."""
        return []


class DevelopmentConfig(Config):
    ENV_NAME = "development"

    def __init__(self, environ=None):
        super().__init__(environ)
        self.DEV_ENDPOINTS = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    __test__ = False  # not a pytest test class

    def __init__(self, environ=None):
        super().__init__(environ)
        e = os.environ if environ is None else environ
        self.TESTING = True
        self.DEV_ENDPOINTS = True
        self.SQLALCHEMY_DATABASE_URI = e.get("TEST_DATABASE_URL", "sqlite:///test.db")
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.SQLITE_BEGIN_IMMEDIATE = False   # see app/common/database.py
        # Cheap hashing keeps the suite fast; production cost is measured in bench/
        self.ARGON2_TIME_COST = 1
        self.ARGON2_MEMORY_COST = 1024
        self.ARGON2_PARALLELISM = 1
        # Reset and registration answer no sooner than this (app/identity/accounts.py);
        # tests check the padding without waiting for it
        self.IDENTITY_ANSWER_FLOOR_MS = 0
        self.LOG_LEVEL = "WARNING"


class ProductionConfig(Config):
    ENV_NAME = "production"

    def __init__(self, environ=None):
        super().__init__(environ)
        e = os.environ if environ is None else environ
        self.DEV_ENDPOINTS = _bool(e.get("DEV_ENDPOINTS"), False)  # refused below when on

    def problems(self) -> list[str]:
        found = []
        if self.SECRET_KEY in ("", DEV_SECRET_KEY) or len(self.SECRET_KEY) < 32:
            found.append("SECRET_KEY is the development key or shorter than 32 characters")
        if self.TOTP_ENCRYPTION_KEY in ("", DEV_TOTP_ENCRYPTION_KEY):
            found.append("TOTP_ENCRYPTION_KEY is the development key")
        found.extend(key_problems(self))
        found.extend(serving_problems(self))  # rate-limit storage, weak secrets, development switches
        if self.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            found.append("DATABASE_URL points at SQLite; production runs on PostgreSQL")
        if self.DEBUG:
            found.append("FLASK_DEBUG is on")
        found.extend(notification_problems(self))
        found.extend(payment_problems(self))
        found.extend(oidc_problems(self))
        return found


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Build the configuration for `name` (default: APP_ENV) and refuse unsafe ones."""
    e = os.environ if environ is None else environ
    name = name or e.get("APP_ENV", "development")
    if name not in CONFIGS:
        raise ConfigurationError(f"APP_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    config = CONFIGS[name](e)
    problems = config.problems()
    if problems:
        raise ConfigurationError(
            "refusing to start in production: " + "; ".join(problems)
        )
    return config


# --- payments: gateways and their mocks (read as typed settings in app/payments/settings.py)

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
        # Where citizens' browsers and the gateways reach this service
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


# --- notifications: channels, retries, receipts, worker (app/notifications/settings.py)

DEV_CALLBACK_SECRET = "dev-notify-callback-secret-change-me"
MOCK = "mock"  # the development channel adapters


def notification_settings(e: Mapping[str, str], env_name: str) -> dict:
    """The NOTIFY_*, SMS_*, FCM_*, SMTP_* and WORKER_* settings for one environment."""
    return {
        # Which adapter serves each channel (`mock` records what it would send)
        "NOTIFY_SMS_ADAPTER": e.get("NOTIFY_SMS_ADAPTER", MOCK),        # mock | brandname
        "NOTIFY_PUSH_ADAPTER": e.get("NOTIFY_PUSH_ADAPTER", MOCK),      # mock | fcm
        "NOTIFY_EMAIL_ADAPTER": e.get("NOTIFY_EMAIL_ADAPTER", MOCK),    # mock | smtp
        # Brandname SMS over HTTP (eSMS-style JSON API)
        "SMS_BRANDNAME_URL": e.get("SMS_BRANDNAME_URL", ""),
        "SMS_BRANDNAME_API_KEY": e.get("SMS_BRANDNAME_API_KEY", ""),
        "SMS_BRANDNAME_SECRET_KEY": e.get("SMS_BRANDNAME_SECRET_KEY", ""),
        "SMS_BRANDNAME_NAME": e.get("SMS_BRANDNAME_NAME", "SMARTPROV"),
        "SMS_BRANDNAME_SMS_TYPE": e.get("SMS_BRANDNAME_SMS_TYPE", "2"),
        # Vietnamese SMS without diacritics: 160 characters per segment instead of 70
        "NOTIFY_SMS_UNACCENTED": _bool(e.get("NOTIFY_SMS_UNACCENTED"), True),
        # Firebase Cloud Messaging HTTP v1
        "FCM_PROJECT_ID": e.get("FCM_PROJECT_ID", ""),
        "FCM_CREDENTIALS_FILE": e.get("FCM_CREDENTIALS_FILE", ""),
        "FCM_ENDPOINT": e.get("FCM_ENDPOINT", "https://fcm.googleapis.com"),
        # E-mail over SMTP
        "SMTP_HOST": e.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": int(e.get("SMTP_PORT", 25)),
        "SMTP_SECURITY": e.get("SMTP_SECURITY", "none"),   # none | starttls | ssl
        "SMTP_USERNAME": e.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": e.get("SMTP_PASSWORD", ""),
        "EMAIL_FROM": e.get("EMAIL_FROM", "Smart Province <no-reply@smartprovince.local>"),
        "NOTIFY_HTTP_TIMEOUT": float(e.get("NOTIFY_HTTP_TIMEOUT", 10)),
        # Provider delivery receipts: HMAC-SHA256 of the body with this secret
        "NOTIFY_CALLBACK_SECRET": e.get("NOTIFY_CALLBACK_SECRET", DEV_CALLBACK_SECRET),
        "NOTIFY_CALLBACK_BASE_URL": e.get("NOTIFY_CALLBACK_BASE_URL", ""),
        # Retries: exponential backoff, then the message is marked failed
        "NOTIFY_MAX_ATTEMPTS": int(e.get("NOTIFY_MAX_ATTEMPTS", 6)),
        "NOTIFY_RETRY_BASE_SECONDS": float(e.get("NOTIFY_RETRY_BASE_SECONDS", 10)),
        "NOTIFY_RETRY_MAX_SECONDS": float(e.get("NOTIFY_RETRY_MAX_SECONDS", 1800)),
        "NOTIFY_RECEIPT_TIMEOUT_HOURS": float(e.get("NOTIFY_RECEIPT_TIMEOUT_HOURS", 72)),
        "NOTIFY_RETENTION_DAYS": int(e.get("NOTIFY_RETENTION_DAYS", 90)),
        # A missing template value raises in development and tests; production
        # keeps the caller's change and records the message as failed instead.
        "NOTIFY_STRICT_TEMPLATES": _bool(e.get("NOTIFY_STRICT_TEMPLATES"), env_name != "production"),
        # Mock channels: a delay per message (tests and benchmarks)
        "NOTIFY_MOCK_DELAY_MS": int(e.get("NOTIFY_MOCK_DELAY_MS", 0)),
        # Delivery worker
        "WORKER_BATCH_SIZE": int(e.get("WORKER_BATCH_SIZE", 20)),
        "WORKER_LEASE_SECONDS": float(e.get("WORKER_LEASE_SECONDS", 60)),
        "WORKER_POLL_SECONDS": float(e.get("WORKER_POLL_SECONDS", 1)),
    }


def notification_problems(config) -> list[str]:
    """Reasons the notification settings may not serve production."""
    found = []
    for channel in ("SMS", "PUSH", "EMAIL"):
        if getattr(config, f"NOTIFY_{channel}_ADAPTER") == MOCK:
            found.append(f"NOTIFY_{channel}_ADAPTER is the development mock")
    secret = config.NOTIFY_CALLBACK_SECRET
    if secret in ("", DEV_CALLBACK_SECRET) or len(secret) < 32:
        found.append("NOTIFY_CALLBACK_SECRET is the development secret or shorter than 32 characters")
    if config.NOTIFY_SMS_ADAPTER == "brandname" and not (
            config.SMS_BRANDNAME_URL and config.SMS_BRANDNAME_API_KEY and config.SMS_BRANDNAME_SECRET_KEY):
        found.append("SMS_BRANDNAME_URL, SMS_BRANDNAME_API_KEY and SMS_BRANDNAME_SECRET_KEY are required")
    if config.NOTIFY_PUSH_ADAPTER == "fcm" and not (config.FCM_PROJECT_ID and config.FCM_CREDENTIALS_FILE):
        found.append("FCM_PROJECT_ID and FCM_CREDENTIALS_FILE are required")
    return found

def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def oidc_problems(config) -> list[str]:
    """Relying parties must see a fixed https issuer."""
    issuer = getattr(config, "OIDC_ISSUER", "")
    if not issuer:
        return ["OIDC_ISSUER is not set (relying parties must see a fixed https issuer)"]
    if not issuer.startswith("https://"):
        return ["OIDC_ISSUER is not an https URL"]
    return []


def quality_settings(environ: Mapping[str, str]) -> dict:
    """The QUALITY_* variables as they are; those holding a JSON object become dicts."""
    found = {}
    for key, value in environ.items():
        if not key.startswith("QUALITY_"):
            continue
        if value.lstrip().startswith("{"):
            try:
                value = json.loads(value)
            except ValueError as error:
                raise ConfigurationError(f"{key} is not a valid JSON object: {error}") from error
        found[key] = value
    return found
