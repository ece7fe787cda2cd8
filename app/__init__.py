"""Application factory: reads as the table of contents of the service."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import models  # noqa: F401  (every table registered before use)
from app import assistance, catalog, dashboard, dossiers, identity, mockgateway, notifications, payments, registry
from app.cli import register_cli
from app.common import health
from app.common.database import configure_sqlite
from app.common.i18n import select_locale
from app.common.input_guard import refuse_nul_characters
from app.common.logging import configure_logging
from app.config import Config, load_config
from app.errors import register_error_handlers
from app.extensions import api, babel, db, limiter, migrate

# Each domain's init_app registers its endpoints, hooks and listeners. The
# order is the order of the tags in the OpenAPI document.
DOMAINS = (
    health.init_app,
    registry.init_app,
    identity.init_app,
    notifications.init_app,
    identity.init_dev_endpoints,
    catalog.init_app,
    dossiers.init_app,
    dashboard.init_app,      # the figures' API, the /ioc page, `flask dashboard`, live counters
    payments.init_app,
    mockgateway.init_app,    # development and tests only (MOCK_GATEWAYS)
    assistance.init_app,     # delegated tokens (community helpers), their act log and figures
)


def create_app(config: Config | str | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    if not isinstance(config, Config):
        config = load_config(config)
    app.config.from_object(config)
    app.config["APP_ENV"] = config.ENV_NAME
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    _trust_proxies(app, app.config["TRUSTED_PROXIES"])
    configure_logging(app)

    _init_extensions(app)
    for init_domain in DOMAINS:
        init_domain(app)
    register_error_handlers(app)
    identity.init_principal(app)
    app.before_request(refuse_nul_characters)
    register_cli(app)
    return app


def _trust_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` reverse proxies, the client's address, scheme and host come from their headers."""
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    configure_sqlite(app, db)
    migrate.init_app(app, db)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    api.init_app(app)
