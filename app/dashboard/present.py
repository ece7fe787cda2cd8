"""Plain serialisers for the heaviest figure: the same JSON as the documented schema, without marshmallow.

The payments figure carries a daily series of up to 92 days per gateway; dumping it through
marshmallow was most of the page's CPU. The service's figures are already JSON but for their
dates, times and ids, so only those are converted.
`tests/integration/test_dashboard_light_payments.py` holds this output equal to
`PaymentFiguresSchema().dump()` of the same figures and to the documented properties.
"""
from flask import Response, jsonify


def payment_figures_json(figures: dict) -> Response:
    """`PaymentFiguresSchema`'s dump of `service.payment_figures()`."""
    return jsonify({
        **figures,
        "daily_from": _iso(figures["daily_from"]),
        "daily_to": _iso(figures["daily_to"]),
        "daily": [{**day, "day": _iso(day["day"])} for day in figures["daily"]],
        "stuck": [{**payment, "payment_id": str(payment["payment_id"]), "created_at": _iso(payment["created_at"]),
                   "expires_at": _iso(payment["expires_at"])} for payment in figures["stuck"]],
    })


def _iso(value):
    return None if value is None else value.isoformat()
