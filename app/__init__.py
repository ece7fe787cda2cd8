"""Application factory: reads as the table of contents of the service."""
from flask import Flask

from app.config import Config, load_config


def create_app(config: Config | str | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    if not isinstance(config, Config):
        config = load_config(config)
    app.config.from_object(config)
    app.config["APP_ENV"] = config.ENV_NAME
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    _trust_proxies(app, app.config["TRUSTED_PROXIES"])

    from app.common.logging import configure_logging
    configure_logging(app)

    _init_extensions(app)
    _register_blueprints(app)

    from app.errors import register_error_handlers
    register_error_handlers(app)

    from app.identity.authn import load_principal
    from app.oidc import except_protocol_endpoints
    app.before_request(except_protocol_endpoints(load_principal))
    from app.common.input_guard import refuse_nul_characters
    app.before_request(refuse_nul_characters)
    from app.assistance import init_app as init_assistance
    init_assistance(app)  # delegated tokens (community helpers), their act log and figures
    from app.oidc import init_app as init_oidc
    init_oidc(app)  # OpenID Connect provider for the provincial portals (docs/oidc.md)

    from app.cli import register_cli
    register_cli(app)
    return app


def _trust_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` reverse proxies, the client's address, scheme and host come from their headers."""
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _init_extensions(app: Flask) -> None:
    from app.common.database import configure_sqlite
    from app.common.i18n import select_locale
    from app.extensions import api, babel, db, limiter, migrate

    from app import models  # noqa: F401  (every table registered before use)

    db.init_app(app)
    configure_sqlite(app, db)
    migrate.init_app(app, db)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    api.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from app.catalog import routes as catalog_routes
    from app.common import health
    from app.dashboard import init_app as init_dashboard
    from app.dashboard import routes as dashboard_routes
    from app.dossiers import results_routes
    from app.dossiers import routes as dossiers_routes
    from app.extensions import api
    from app.identity import dev_routes as identity_dev_routes
    from app.identity import routes as identity_routes
    from app.notifications import dev_routes as notifications_dev_routes
    from app.notifications import routes as notifications_routes
    from app.registry import routes as registry_routes

    api.register_blueprint(health.blp)
    api.register_blueprint(registry_routes.blp, url_prefix="/api/v1/registry")
    api.register_blueprint(identity_routes.blp, url_prefix="/api/v1/identity")
    api.register_blueprint(notifications_routes.blp, url_prefix="/api/v1/notifications")
    if app.config["DEV_ENDPOINTS"]:  # development only: every message the mock channels sent
        api.register_blueprint(notifications_dev_routes.blp, url_prefix="/api/v1/dev")
    if app.config["DEV_ENDPOINTS"]:  # development only: SMS read-back
        api.register_blueprint(identity_dev_routes.blp, url_prefix="/api/v1/dev")
    api.register_blueprint(catalog_routes.blp, url_prefix="/api/v1/catalog")
    api.register_blueprint(dossiers_routes.blp, url_prefix="/api/v1/dossiers")
    api.register_blueprint(results_routes.blp, url_prefix="/api/v1/results")
    api.register_blueprint(dashboard_routes.blp, url_prefix="/api/v1/dashboard")
    from app.payments import routes as payments_routes
    api.register_blueprint(payments_routes.blp, url_prefix="/api/v1/payments")
    if app.config["MOCK_GATEWAYS"]:  # development and tests: mock VNPay/MoMo/PayGov under /mock
        from app.mockgateway import register as register_mock_gateways
        register_mock_gateways(app)
    from app.assistance import routes as assistance_routes
    api.register_blueprint(assistance_routes.blp, url_prefix="/api/v1/assistance")
    init_dashboard(app)  # the /ioc page, `flask dashboard`, live counters
