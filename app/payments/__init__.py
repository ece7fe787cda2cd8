"""Cashless fees: payments through gateway adapters, IPN, receipts, refunds, reconciliation."""
from app.common.events import declare
from app.extensions import api
from app.payments import handlers, routes
from app.payments.events import NAMES, REFUND_NAMES, PaymentMoved, RefundMoved


def init_app(app) -> None:
    declare(PaymentMoved, *NAMES)
    declare(RefundMoved, *REFUND_NAMES)
    handlers.subscribe()   # refunds follow rejected or withdrawn dossiers
    api.register_blueprint(routes.blp, url_prefix="/api/v1/payments")
