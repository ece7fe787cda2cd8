"""Mock VNPay, MoMo and PayGov gateways that speak the providers' protocols.

In development and tests the app serves them under /mock when MOCK_GATEWAYS
is on (`register`); they also run as their own process
(`python -m app.mockgateway` or `flask mockgateway run`), in which case the
merchant is pointed at them with VNPAY_URL, VNPAY_API_URL, MOMO_ENDPOINT,
PAYGOV_URL and PAYGOV_API_URL. The merchant's code is the same either way.
"""
import os
from collections.abc import Mapping

from flask import Flask

from app.config import payment_settings
from app.mockgateway.engine import MockHub
from app.mockgateway.routes import bp


def init_app(app: Flask) -> None:
    """Development and tests (MOCK_GATEWAYS): mock VNPay/MoMo/PayGov under /mock."""
    if app.config["MOCK_GATEWAYS"]:
        register(app)


def register(app: Flask) -> None:
    """Serves the mocks from this app (development and tests only)."""
    config = dict(app.config)
    path = config.get("MOCK_GATEWAY_DB", ":memory:")
    if path != ":memory:" and not os.path.isabs(path):
        os.makedirs(app.instance_path, exist_ok=True)
        config["MOCK_GATEWAY_DB"] = os.path.join(app.instance_path, path)
    app.extensions["mockgateway"] = MockHub(config)
    app.register_blueprint(bp)


def create_mock_app(environ: Mapping[str, str] | None = None) -> Flask:
    """A process that is only the mock gateways (no merchant database)."""
    environ = os.environ if environ is None else environ
    app = Flask(__name__, instance_path=os.path.abspath(environ.get("MOCK_INSTANCE_PATH", "instance")))
    app.config.update(payment_settings(environ, "development"))
    app.json.ensure_ascii = False
    register(app)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
