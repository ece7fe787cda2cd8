"""HTTP face of the mock gateways: the providers' endpoints, a payment page, a control API.

Provider endpoints (same paths as the real ones under /mock/<gateway>):
  GET  /mock/vnpay/paymentv2/vpcpay.html          payment page (also /mock/paygov/...)
  POST /mock/vnpay/merchant_webapi/api/transaction querydr, refund
  POST /mock/momo/v2/gateway/api/create|query|refund
  GET  /mock/momo/v2/gateway/pay?t=...             payment page
Control API (tests, demos; JSON):
  GET  /mock/_control/faults                       the faults that can be injected
  POST /mock/<gw>/_control/pay                     {"payment_url"|"order_id", "action": "pay"|"cancel", "faults": [...]}
  POST /mock/<gw>/_control/faults                  {"order_id" | "next": true, "faults": [...]} before the payment starts
  GET  /mock/<gw>/_control/transactions[/<id>]     the gateway's records and IPN attempts
  GET  /mock/<gw>/_control/statement?date=...      the gateway's totals for a day (Vietnam time)
  POST /mock/_control/deliver                      send the IPNs that are due now
  POST /mock/_control/reset                        forget everything
"""
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template_string, request

from app.mockgateway.engine import FAULT_LABELS, FAULTS, MockHub, MomoMock, VnpayMock, parse_day

bp = Blueprint("mockgateway", __name__, url_prefix="/mock")
VNPAY_STYLE = ("vnpay", "paygov")


def hub() -> MockHub:
    return current_app.extensions["mockgateway"]


@bp.before_request
def _start_delivery_worker():
    hub().ensure_worker()


def _mock(name: str):
    if name not in hub().gateways:
        abort(404)
    return hub().gateway(name)


PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} – cổng thanh toán thử nghiệm</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
.card{border:1px solid #ccd;border-radius:8px;padding:1rem 1.25rem}.amount{font-size:1.8rem;font-weight:700}
button{font-size:1rem;padding:.6rem 1.2rem;margin:.5rem .5rem 0 0;border-radius:6px;border:1px solid #889}
.pay{background:#0a6cff;color:#fff;border-color:#0a6cff}.muted{color:#667;font-size:.85rem}</style></head>
<body><h1>{{ title }}</h1><p class="muted">MÔ PHỎNG – không có tiền thật (mock gateway, no real money)</p>
<div class="card">
{% if error %}<p><strong>Không thể thanh toán:</strong> {{ error }}</p>{% else %}
<p>Đơn vị: <strong>{{ merchant }}</strong><br>Mã giao dịch: <code>{{ order_id }}</code></p>
<p>{{ order_info }}</p><p class="amount">{{ amount }}</p>
{% if status != 'open' %}<p>Giao dịch đã được xử lý: <strong>{{ status }}</strong></p>{% endif %}
<form method="post" action="{{ action }}"><input type="hidden" name="order_id" value="{{ order_id }}">
<button class="pay" name="action" value="pay">Thanh toán</button>
<button name="action" value="cancel">Hủy giao dịch</button>
<details><summary class="muted">Tình huống lỗi (fault injection)</summary>
{% for name, label in faults %}<label><input type="checkbox" name="faults" value="{{ name }}"> {{ label }}</label><br>
{% endfor %}</details></form>{% endif %}</div></body></html>"""


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " ₫"


def _page(mock, record: dict | None, error: str | None, action: str, merchant: str, order_info: str = ""):
    status = 400 if error else 200
    return render_template_string(
        PAGE, title="VNPAY" if mock.name == "vnpay" else "PayGov" if mock.name == "paygov" else "MoMo",
        error=error, merchant=merchant, order_id=record["order_id"] if record else "",
        amount=_vnd(record["amount"]) if record else "", order_info=order_info,
        status=record["status"] if record else "", action=action, faults=list(FAULT_LABELS.items())), status


VNPAY_ERRORS = {"97": "Chữ ký không hợp lệ (invalid signature)", "03": "Dữ liệu gửi sang không đúng định dạng"}


@bp.get("/<gateway>/paymentv2/vpcpay.html")
def vnpay_page(gateway):
    if gateway not in VNPAY_STYLE:
        abort(404)
    mock: VnpayMock = _mock(gateway)
    record, error = mock.open(request.args.to_dict())
    return _page(mock, record, VNPAY_ERRORS.get(error) if error else None,
                 f"/mock/{gateway}/paymentv2/decide", mock.tmn_code,
                 record["data"].get("vnp_OrderInfo", "") if record else "")


@bp.post("/<gateway>/paymentv2/decide")
def vnpay_decide(gateway):
    if gateway not in VNPAY_STYLE:
        abort(404)
    return _decide(_mock(gateway))


def _decide(mock):
    action = request.form.get("action")
    if action not in ("pay", "cancel"):
        abort(400)
    try:
        return redirect(mock.decide(request.form.get("order_id", ""), action, request.form.getlist("faults")))
    except KeyError:
        abort(404)


@bp.post("/<gateway>/merchant_webapi/api/transaction")
def vnpay_api(gateway):
    if gateway not in VNPAY_STYLE:
        abort(404)
    body = request.get_json(silent=True)
    status, answer = _mock(gateway).api(body if isinstance(body, dict) else {})
    return _json(status, answer)


@bp.post("/momo/v2/gateway/api/<operation>")
def momo_api(operation):
    mock: MomoMock = _mock("momo")
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    if operation == "create":
        status, answer = mock.create(body, request.host_url.rstrip("/"))
    elif operation == "query":
        status, answer = mock.query(body)
    elif operation == "refund":
        status, answer = mock.refund(body)
    else:
        abort(404)
    return _json(status, answer)


@bp.get("/momo/v2/gateway/pay")
def momo_page():
    mock: MomoMock = _mock("momo")
    order_id = mock.order_of_token(request.args.get("t", ""))
    record = mock.store.get("momo", order_id) if order_id else None
    return _page(mock, record, None if record else "Liên kết thanh toán không hợp lệ (invalid payment link)",
                 "/mock/momo/v2/gateway/pay/decide", mock.partner_code,
                 record["data"].get("orderInfo", "") if record else "")


@bp.post("/momo/v2/gateway/pay/decide")
def momo_decide():
    return _decide(_mock("momo"))


def _json(status: int, answer: dict | None):
    if answer is None:   # the simulated timeout: no useful answer
        return jsonify(error="gateway timeout"), status
    return jsonify(answer), status


# --- control API -------------------------------------------------------------

@bp.get("/_control/faults")
def control_faults():
    return jsonify(faults=[{"name": name, "label": FAULT_LABELS[name]} for name in FAULTS])


@bp.post("/<gateway>/_control/pay")
def control_pay(gateway):
    """Acts as the payer: opens the payment URL (or the order) and pays or cancels."""
    mock = _mock(gateway)
    body = request.get_json(silent=True) or {}
    action, faults = body.get("action", "pay"), [f for f in body.get("faults", []) if f in FAULTS]
    if action not in ("pay", "cancel"):
        return jsonify(error="action must be pay or cancel"), 400
    order_id = body.get("order_id")
    if body.get("payment_url"):
        query = dict(parse_qsl(urlsplit(body["payment_url"]).query, keep_blank_values=True))
        if isinstance(mock, VnpayMock):
            record, error = mock.open(query)
            if error:
                return jsonify(error=VNPAY_ERRORS.get(error, error), code=error), 400
            order_id = record["order_id"]
        else:
            order_id = mock.order_of_token(query.get("t", ""))
    if not order_id or mock.store.get(gateway, order_id) is None:
        return jsonify(error="unknown payment"), 404
    redirect_url = mock.decide(order_id, action, faults)
    return jsonify(order_id=order_id, redirect_url=redirect_url, transaction=_public(mock.store.get(gateway, order_id)),
                   deliveries=mock.store.deliveries(gateway, order_id))


@bp.post("/<gateway>/_control/faults")
def control_preset_faults(gateway):
    mock = _mock(gateway)
    body = request.get_json(silent=True) or {}
    faults = [f for f in body.get("faults", []) if f in FAULTS]
    key = "*next*" if body.get("next") else body.get("order_id")
    if not key:
        return jsonify(error="give order_id or next"), 400
    mock.store.preset_faults(gateway, key, faults)
    return jsonify(order_id=key, faults=faults)


@bp.get("/<gateway>/_control/transactions")
def control_transactions(gateway):
    mock = _mock(gateway)
    return jsonify(transactions=[_public(r) for r in mock.store.transactions(gateway)])


@bp.get("/<gateway>/_control/transactions/<order_id>")
def control_transaction(gateway, order_id):
    mock = _mock(gateway)
    record = mock.store.get(gateway, order_id)
    if record is None:
        return jsonify(error="unknown payment"), 404
    return jsonify(transaction=_public(record), deliveries=mock.store.deliveries(gateway, order_id))


@bp.get("/<gateway>/_control/statement")
def control_statement(gateway):
    _mock(gateway)
    try:
        day = parse_day(request.args.get("date"))
    except ValueError:
        return jsonify(error="date must be YYYY-MM-DD"), 400
    return jsonify(hub().statement(gateway, day))


@bp.post("/_control/deliver")
def control_deliver():
    return jsonify(hub().deliver_due())


@bp.post("/_control/reset")
def control_reset():
    hub().store.reset()
    return jsonify(reset=True)


def _public(record: dict) -> dict:
    return {"order_id": record["order_id"], "status": record["status"], "amount": record["amount"],
            "refunded_amount": record["refunded_amount"], "faults": record["faults"],
            "transaction_no": str(record["data"].get("transaction_no") or record["data"].get("transId") or "") or None}
