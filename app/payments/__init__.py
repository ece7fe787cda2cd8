"""Cashless fees: payments through gateway adapters, IPN, receipts, refunds, reconciliation."""
from app.extensions import api
from app.payments import handlers, routes


def init_app(app) -> None:
    handlers.subscribe()   # refunds follow rejected or withdrawn dossiers
    api.register_blueprint(routes.blp, url_prefix="/api/v1/payments")
