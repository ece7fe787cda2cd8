"""Paying fees: start a payment, follow it, receipts; the gateways' IPN and return URLs."""
from datetime import date

from flask import Response, current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import MethodNotAllowed

from app.common.api import ErrorSchema, refusals_for
from app.common.auth import current_principal, require_role
from app.common.idempotency import idempotent
from app.common import roles
from app.common.pages import page_locale, wants_html
from app.errors import N_
from app.payments import receipts, reconciliation, return_page, service
from app.payments.errors import InvalidDate, ReceiptNotIssued, StatementNotFound
from app.payments.gateways import GATEWAY_NAMES
from app.payments.gateways.configured import adapter_class
from app.payments.schemas import (
    MomoResultSchema, PaymentCreateSchema, PaymentListArgsSchema, PaymentPageSchema, PaymentSchema,
    ReceiptSchema, ReceiptVerificationSchema, ReturnArgsSchema, ReturnSchema, StatementSchema,
    VnpayCallbackArgsSchema, VnpayIpnAnswerSchema,
)

blp = Blueprint("payments", __name__, description="Paying dossier fees cashless: VNPay, MoMo, PayGov")
refusals = refusals_for(blp)


def _locale() -> str:
    return request.accept_languages.best_match(current_app.config["LANGUAGES"], default="vi")


@blp.route("")
class Payments(MethodView):
    @require_role(roles.CITIZEN, roles.ASSISTANT)
    @idempotent("payments.create", owner=lambda: current_principal().account_id)
    @blp.arguments(PaymentCreateSchema)
    @blp.response(201, PaymentSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="The body is not JSON")
    @blp.alt_response(403, schema=ErrorSchema, description="A helper without the resident's consent to pay")
    @blp.alt_response(404, schema=ErrorSchema, description="No such dossier for this citizen")
    @blp.alt_response(409, schema=ErrorSchema, description="Fee already paid (`fee_already_paid`), or none due")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid body, gateway not available, key reused")
    @blp.alt_response(502, schema=ErrorSchema, description="The gateway refused the payment")
    @blp.alt_response(503, schema=ErrorSchema, description="The gateway did not answer")
    def post(self, args):
        """Start paying a dossier's fee

        The amount is the procedure's fee. The answer carries `redirect_url`,
        the gateway page where the payer pays within 15 minutes. Retrying with
        the same `Idempotency-Key` returns the same payment.
        """
        return service.create_payment(current_principal(), args["dossier_id"], args["gateway"],
                                      client_ip=request.remote_addr, locale=_locale()), 201

    @require_role(roles.CITIZEN, roles.ASSISTANT, roles.ADMIN)
    @blp.arguments(PaymentListArgsSchema, location="query")
    @blp.response(200, PaymentPageSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid cursor or filter")
    def get(self, args):
        """List my payments, newest first"""
        return service.list_payments(current_principal(), dossier_id=args["dossier_id"], cursor=args["cursor"],
                                     limit=args["limit"])


@blp.route("/<uuid:payment_id>")
class PaymentById(MethodView):
    @require_role(roles.CITIZEN, roles.ASSISTANT, roles.ADMIN)
    @blp.response(200, PaymentSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such payment for this account")
    def get(self, payment_id):
        """Follow a payment"""
        return service.get_payment(current_principal(), payment_id)


def _receipt_of(payment_id):
    payment = service.get_payment(current_principal(), payment_id)
    if payment.receipt is None:
        raise ReceiptNotIssued()
    return payment.receipt


@blp.route("/<uuid:payment_id>/receipt")
class PaymentReceipt(MethodView):
    @require_role(roles.CITIZEN, roles.ASSISTANT, roles.ADMIN)
    @blp.response(200, ReceiptSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such payment, or not paid yet")
    def get(self, payment_id):
        """The e-receipt of a paid fee"""
        return _receipt_of(payment_id)


@blp.route("/<uuid:payment_id>/receipt.pdf")
class PaymentReceiptPdf(MethodView):
    @require_role(roles.CITIZEN, roles.ASSISTANT, roles.ADMIN)
    @blp.response(200, description="The e-receipt as a PDF (with a QR code to verify it)",
                  content_type="application/pdf")
    @blp.alt_response(404, schema=ErrorSchema, description="No such payment, or not paid yet")
    def get(self, payment_id):
        """Download the e-receipt as PDF"""
        receipt = _receipt_of(payment_id)
        return Response(receipts.render_pdf(receipt), mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="bien-lai-{receipt.number}.pdf"'})


@blp.route("/receipts/verify/<string:code>")
class ReceiptVerification(MethodView):
    @blp.response(200, ReceiptVerificationSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No receipt has this code")
    def get(self, code):
        """Check an e-receipt by its verification code (public; what its QR code opens)"""
        receipt = receipts.find_by_code(code)
        return {"valid": receipt.status == "valid", "number": receipt.number, "status": receipt.status,
                "payer": receipts.masked_name(receipt.payer_name), "procedure_name": receipt.procedure_name,
                "dossier_receipt_code": receipt.dossier_receipt_code, "amount": receipt.amount,
                "gateway": receipt.gateway, "paid_at": receipt.paid_at}


@blp.route("/statements/<string:day>")
class Statements(MethodView):
    @require_role(roles.ADMIN, roles.LEADER)
    @blp.response(200, StatementSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description="No statement for this day yet")
    @blp.alt_response(422, schema=ErrorSchema, description="Not a date (YYYY-MM-DD)")
    def get(self, day):
        """Daily statement per gateway, checked against the gateways' records"""
        try:
            parsed = date.fromisoformat(day)
        except ValueError as error:
            raise InvalidDate(errors={"day": [N_("Not a valid date.")]}) from error
        statements = reconciliation.statements_of(parsed)
        if not statements:
            raise StatementNotFound()
        return statements


# --- gateway callbacks (no login: they are verified by their signature) -------
# One IPN and one return view for every gateway: the adapter says how its provider calls (method,
# where the fields are) and how it expects to be answered; the view knows no provider.

GATEWAY = "<any({}):gateway>".format(",".join(GATEWAY_NAMES))
GATEWAY_PARAMETER = {
    "in": "path", "name": "gateway",
    "description": "The gateway calling back; one not enabled by `PAYMENT_GATEWAYS` is answered 404 "
                   "`gateway_not_enabled`, any other name 404 `not_found`.",
    "examples": {name: {"value": name, "summary": summary} for name, summary in (
        ("vnpay", "VNPay 2.1.0: IPN as a GET with signed vnp_* query fields"),
        ("paygov", "PayGov: the VNPay protocol under its own merchant code and secret"),
        ("momo", "MoMo v2: IPN as a POST with a signed JSON body"))},
}


def _allowed(method: str) -> tuple[str, ...]:
    return (method, "OPTIONS", "HEAD") if method == "GET" else (method, "OPTIONS")


def _ipn(gateway: str) -> Response:
    """A gateway's notification: read, judged and answered the way its adapter says."""
    adapter = adapter_class(gateway)
    if request.method not in _allowed(adapter.ipn_method):
        raise MethodNotAllowed(valid_methods=list(_allowed(adapter.ipn_method)))
    answer = service.answer_ipn(gateway, adapter.ipn_fields(request))
    if answer.refusal is not None:
        raise answer.refusal()
    response = jsonify(answer.body)
    response.status_code = answer.status
    return response


def _return(gateway: str):
    """JSON for an app; a page for a browser (paid, cancelled or failed, with a link back)."""
    outcome = service.read_return(gateway, adapter_class(gateway).return_fields(request))
    if not wants_html():
        return outcome
    html = return_page.render(outcome, locale=page_locale(), back_url=current_app.config["PUBLIC_URL"] + "/")
    return Response(html, mimetype="text/html")


IPN_ANSWER_EXAMPLES = {
    "vnpay-confirmed": {"summary": "VNPay: settled", "value": {"RspCode": "00", "Message": "Confirm Success"}},
    "vnpay-repeated": {"summary": "VNPay: already settled, nothing changed",
                       "value": {"RspCode": "02", "Message": "Order already confirmed"}},
    "paygov-bad-checksum": {"summary": "PayGov: the signature does not verify",
                            "value": {"RspCode": "97", "Message": "Invalid Checksum"}},
}
MOMO_REFUSAL_EXAMPLES = {
    "momo-bad-signature": {"summary": "MoMo: the signature does not verify", "value": {
        "code": "invalid_ipn_signature", "status": 400, "message": "The notification is not signed correctly.",
        "errors": {}}},
    "momo-wrong-amount": {"summary": "MoMo: the amount is not the payment's", "value": {
        "code": "invalid_amount", "status": 400, "message": "The notified amount is not the payment's amount.",
        "errors": {}}},
}
RETURN_EXAMPLES = {
    name: {"summary": f"{label}: paid, the IPN not yet handled", "value": {
        "payment_id": "5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "dossier_id": "0b9f6f5e-5d36-4f8e-9d0e-6a3f1c2b7e11",
        "verified": True, "gateway_outcome": "succeeded", "status": "pending", "amount": 50000}}
    for name, label in (("vnpay", "VNPay"), ("momo", "MoMo"), ("paygov", "PayGov"))
}


@blp.route(f"/{GATEWAY}/ipn", parameters=[GATEWAY_PARAMETER])
class GatewayIpn(MethodView):
    @blp.arguments(VnpayCallbackArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, VnpayIpnAnswerSchema, examples=IPN_ANSWER_EXAMPLES)
    @refusals((404, "The gateway is not enabled (`gateway_not_enabled`), or no such gateway (`not_found`)"),
              (405, "This gateway sends its IPN as a POST (MoMo)"))
    def get(self, gateway, **_fields):
        """IPN of VNPay and PayGov: verify, settle, answer RspCode (97, 01, 04, 02, 00 or 99)

        `GET /api/v1/payments/vnpay/ipn?vnp_Amount=5000000&...&vnp_SecureHash=...`
        (PayGov: `/paygov/ipn`, signed with its own secret). A repeated or late
        notification changes nothing and is answered 02.
        """
        return _ipn(gateway)

    @blp.arguments(MomoResultSchema, as_kwargs=True)
    @blp.response(204, description="Handled (MoMo's documented answer), also when already confirmed")
    @blp.alt_response(400, schema=ErrorSchema, examples=MOMO_REFUSAL_EXAMPLES,
                      description="Bad signature (`invalid_ipn_signature`) or amount (`invalid_amount`): not accepted")
    @refusals((404, "No such payment (`payment_not_found`), or the gateway is not enabled or unknown"),
              (405, "This gateway sends its IPN as a GET (VNPay, PayGov)"),
              (422, "The body is not a JSON object"),
              (503, "Could not be applied now (`unavailable`); MoMo retries"))
    def post(self, gateway, **_fields):
        """IPN of MoMo: verify, settle, answer 204

        `POST /api/v1/payments/momo/ipn` with MoMo's signed JSON result. Any
        other answer than 204 makes MoMo send it again later.
        """
        return _ipn(gateway)


@blp.route(f"/{GATEWAY}/return", parameters=[GATEWAY_PARAMETER])
class GatewayReturn(MethodView):
    @blp.arguments(ReturnArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, ReturnSchema, examples=RETURN_EXAMPLES)
    @refusals((404, "No such payment (`payment_not_found`), or the gateway is not enabled (`gateway_not_enabled`)"
                    " or unknown (`not_found`)"),
              (422, "The signature does not verify (`invalid_signature`)"))
    def get(self, gateway, **_fields):
        """Where the gateway sends the payer back: verifies and shows the outcome, changes nothing

        VNPay and PayGov add their signed vnp_* fields to the query string,
        MoMo its signed result fields. A browser (`Accept: text/html`) gets a
        page saying paid, cancelled or failed with a link back; an app gets
        this JSON.
        """
        return _return(gateway)
