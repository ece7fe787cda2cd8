"""Configuration from environment variables, one class per environment.

`APP_ENV` picks the class (development by default). Values are read when a
configuration object is built, never at import, so tests and the CLI can pass
their own environment. Every setting has a safe development default;
`ProductionConfig.problems()` lists what must change before production starts.
"""
import os
from collections.abc import Mapping

DEV_SECRET_KEY = "dev-secret-key-change-me-never-use-in-production"
DEV_TOTP_ENCRYPTION_KEY = "ZGV2LXRvdHAta2V5LWNoYW5nZS1tZS0zMi1ieXRlcyE="


class Config:
    ENV_NAME = "base"

    def __init__(self, environ: Mapping[str, str] | None = None):
        e = os.environ if environ is None else environ
        self.DEBUG = _bool(e.get("FLASK_DEBUG"), False)
        self.TESTING = False
        self.SECRET_KEY = e.get("SECRET_KEY", DEV_SECRET_KEY)
        self.SQLALCHEMY_DATABASE_URI = e.get("DATABASE_URL", "sqlite:///smart_province.db")
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.MAX_CONTENT_LENGTH = int(e.get("MAX_CONTENT_LENGTH", 10 * 1024 * 1024))
        self.DEV_ENDPOINTS = False

        # API documentation (flask-smorest); Swagger UI assets are served locally
        self.API_TITLE = "Smart Province API"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/api/v1"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.OPENAPI_SWAGGER_UI_PATH = "/docs"
        self.OPENAPI_SWAGGER_UI_URL = "/api/v1/docs/assets/"

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

        # Outside systems, chosen by configuration
        self.REGISTRY_ADAPTER = e.get("REGISTRY_ADAPTER", "synthetic")
        self.STORAGE_URL = e.get("STORAGE_URL", "file://storage")
        # Cashless fees: payment gateways and their mocks (app/payments/settings.py)
        from app.payments.settings import payment_settings
        self.__dict__.update(payment_settings(e, self.ENV_NAME))
        # Largest document a citizen or an agency may upload (bytes)
        self.UPLOAD_MAX_BYTES = int(e.get("UPLOAD_MAX_BYTES", 5 * 1024 * 1024))

        # Password hashing (argon2id, RFC 9106 second recommended option)
        self.ARGON2_TIME_COST = int(e.get("ARGON2_TIME_COST", 3))
        self.ARGON2_MEMORY_COST = int(e.get("ARGON2_MEMORY_COST", 65536))
        self.ARGON2_PARALLELISM = int(e.get("ARGON2_PARALLELISM", 4))

        self.LOG_LEVEL = e.get("LOG_LEVEL", "INFO")
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are
        # trusted (0: none). Rate limits per address and absolute links need it behind one.
        self.TRUSTED_PROXIES = int(e.get("TRUSTED_PROXIES", 0))
        self.DEMO_PROVINCE_CODE = int(e.get("DEMO_PROVINCE_CODE", 80))
        # Operations-centre counters: months whose day rows are kept (0: all); older months keep month rows
        self.DASHBOARD_DAY_ROWS_MONTHS = int(e.get("DASHBOARD_DAY_ROWS_MONTHS", 24))

        # OpenID Connect provider (app/oidc/settings.py)
        from app.oidc.settings import oidc_config
        self.__dict__.update(oidc_config(e, self.ENV_NAME))

        # Notifications: channel adapters, retries, receipts, worker
        from app.notifications.settings import notification_settings
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
        self.LOG_LEVEL = "WARNING"


class ProductionConfig(Config):
    ENV_NAME = "production"

    def problems(self) -> list[str]:
        found = []
        if self.SECRET_KEY in ("", DEV_SECRET_KEY) or len(self.SECRET_KEY) < 32:
            found.append("SECRET_KEY is the development key or shorter than 32 characters")
        if self.TOTP_ENCRYPTION_KEY in ("", DEV_TOTP_ENCRYPTION_KEY):
            found.append("TOTP_ENCRYPTION_KEY is the development key")
        if self.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            found.append("DATABASE_URL points at SQLite; production runs on PostgreSQL")
        if self.DEBUG:
            found.append("FLASK_DEBUG is on")
        from app.notifications.settings import production_problems
        found.extend(production_problems(self))
        from app.payments.settings import payment_problems
        found.extend(payment_problems(self))
        from app.oidc.settings import oidc_problems
        found.extend(oidc_problems(self))
        return found


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


class ConfigurationError(RuntimeError):
    """The service refuses to start with this configuration."""


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


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}
