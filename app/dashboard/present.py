"""Plain serialisers for the heaviest figures: the same JSON as the documented schema, without marshmallow.

The payments figure carries a daily series of up to 92 days per gateway, the overdue list up to
100 dossiers a page; dumping them through marshmallow was most of their CPU. The service's
figures are already JSON but for their dates, times and ids, so only those are converted.
`tests/integration/test_dashboard_light_payments.py` and `test_dashboard_light_overdue.py` hold
this output equal to the schemas' dumps of the same figures and to the documented properties.
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


def overdue_page_json(page: dict) -> Response:
    """`OverduePageSchema`'s dump of `service.overdue_dossiers()` (a page has up to 100 items)."""
    return jsonify({**page, "items": [{
        **item, "dossier_id": str(item["dossier_id"]), "agency_id": str(item["agency_id"]),
        "submitted_at": _iso(item["submitted_at"]), "due_date": _iso(item["due_date"]),
    } for item in page["items"]]})


def _iso(value):
    return None if value is None else value.isoformat()
