"""Application factory: reads as the table of contents of the service."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import models  # noqa: F401  (every table registered before use)
from app import (
    assistance, catalog, dashboard, demo, dossiers, home, identity, mockgateway, notifications, oidc, payments, quality, registry, reports,
)
from app.cli import register_cli
from app.common import health
from app.common.database import (close_sessions_quietly, configure_pool, configure_sqlite,
                                 run_marked_reads_without_transaction)
from app.common.i18n import select_locale
from app.common.cookie_session import SessionOnlyWhenSent
from app.common.input_guard import refuse_nul_characters
from app.common.json_depth import refuse_deep_json
from app.common.long_poll import init_app as init_long_polls
from app.common.metrics import init_app as init_metrics
from app.common.overload import init_app as init_overload
from app.common.security_headers import init_app as init_security_headers
from app.common.tracing import init_app as init_tracing
from app.common.logging import configure_logging
from app.config import Config, load_config
from app.errors import register_error_handlers
from app.metrics_figures import database_figures
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
    quality.init_app,        # ratings, complaints, apologies, stalls, the Decision 766 index
    reports.init_app,        # citizen reports: /api/v1/reports, Open311 at /open311/v2
    oidc.init_app,           # OpenID Connect provider for the provincial portals (docs/oidc.md)
    demo.init_app,           # development only: GET /api/v1/dev/demo, POST /api/v1/dev/tokens
    home.init_app,           # `/`: links and demo accounts (development), a JSON index (production)
)


def create_app(config: Config | str | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.session_interface = SessionOnlyWhenSent()   # the login pages' cookie; API requests open none
    if not isinstance(config, Config):
        config = load_config(config)
    app.config.from_object(config)
    app.config["APP_ENV"] = config.ENV_NAME
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    _trust_proxies(app, app.config["TRUSTED_PROXIES"])
    configure_logging(app)
    init_tracing(app)           # off by default; TRACING=otlp|console: one span per request, trace_id in the logs

    _init_extensions(app)
    init_long_polls(app)        # long polls capped per process
    init_security_headers(app)  # nosniff, CSP, Referrer-Policy, HSTS, no-store
    for init_domain in DOMAINS:
        init_domain(app)
    register_error_handlers(app)
    init_overload(app)          # no database connection in time: 503 overloaded; database down: 503, fail fast
    identity.init_principal(app, oidc.except_protocol_endpoints)   # /oidc/...: the protocol's own credentials
    app.before_request(refuse_nul_characters)
    app.before_request(refuse_deep_json)  # 400 invalid_json past 32 levels, never a RecursionError
    init_metrics(app, database_figures)   # GET /metrics (Prometheus), request and pool series
    register_cli(app)
    return app


def _trust_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` reverse proxies, the client's address, scheme and host come from their headers."""
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    configure_sqlite(app, db)
    configure_pool(app, db)
    close_sessions_quietly(app, db)
    run_marked_reads_without_transaction(app, db)   # before authentication reads the session
    migrate.init_app(app, db)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    api.init_app(app)
