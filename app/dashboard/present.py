"""Plain serialisers for the heaviest figure: the same JSON as the documented schema, without marshmallow.

The payments figure carries a daily series of up to 92 days per gateway; dumping it through
marshmallow was most of the page's CPU. `tests/api/test_dashboard_light_payments.py` holds
this output equal to `PaymentFiguresSchema().dump()` of the same figures.
"""
from flask import Response, jsonify


def payment_figures_json(figures: dict) -> Response:
    """`PaymentFiguresSchema`'s dump of `service.payment_figures()`."""
    return jsonify({
        "totals": _ints(figures["totals"], ("payments", "collected", "refunds", "refunded")),
        "gateways": [{"payments": int(g["payments"]), "collected": int(g["collected"]),
                      "refunds": int(g["refunds"]), "refunded": int(g["refunded"]), "gateway": g["gateway"]}
                     for g in figures["gateways"]],
        "daily_from": _iso(figures["daily_from"]),
        "daily_to": _iso(figures["daily_to"]),
        "daily": [{"day": _iso(d["day"]), "gateway": d["gateway"], "payments": int(d["payments"]),
                   "collected": int(d["collected"])} for d in figures["daily"]],
        "refunds": [{"status": r["status"], "refunds": int(r["refunds"]), "amount": int(r["amount"])}
                    for r in figures["refunds"]],
        "stuck_pending": int(figures["stuck_pending"]),
        "stuck": [_stuck(p) for p in figures["stuck"]],
    })


def _stuck(payment: dict) -> dict:
    return {"payment_id": str(payment["payment_id"]), "gateway": payment["gateway"], "amount": int(payment["amount"]),
            "status": payment["status"], "procedure_code": payment["procedure_code"],
            "dossier_receipt_code": payment["dossier_receipt_code"],
            "created_at": _iso(payment["created_at"]), "expires_at": _iso(payment["expires_at"])}


def _ints(row: dict, names: tuple[str, ...]) -> dict:
    return {name: int(row[name]) for name in names}


def _iso(value):
    return None if value is None else value.isoformat()
