"""Paying fees: start a payment, follow it, receipts; the gateways' IPN and return URLs."""
from datetime import date

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from app.common.api import ErrorSchema
from app.common.auth import current_principal, require_role
from app.common.idempotency import idempotent
from app.common import roles
from app.common.pages import page_locale, wants_html
from app.errors import N_
from app.payments import receipts, reconciliation, return_page, service
from app.payments.errors import InvalidDate, MomoIpnRefused, ReceiptNotIssued, StatementNotFound
from app.payments.gateways.base import IpnVerdict
from app.payments.schemas import (
    MomoResultSchema, PaymentCreateSchema, PaymentListArgsSchema, PaymentPageSchema, PaymentSchema,
    ReceiptSchema, ReceiptVerificationSchema, ReturnSchema, StatementSchema, VnpayCallbackArgsSchema,
    VnpayIpnAnswerSchema,
)

blp = Blueprint("payments", __name__, description="Paying dossier fees cashless: VNPay, MoMo, PayGov")


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

def _ipn(gateway_name: str, params: dict):
    """Handles a gateway's notification; the answer is the one its adapter says the provider expects."""
    verdict = service.handle_ipn(gateway_name, params)
    return verdict, service.gateway_or_404(gateway_name).ipn_answer(verdict)


def _vnpay_style_ipn(gateway_name: str):
    return _ipn(gateway_name, request.args.to_dict())[1].body


def _return(gateway_name: str):
    """JSON for an app; a page for a browser (paid, cancelled or failed, with a link back)."""
    outcome = service.read_return(gateway_name, request.args.to_dict())
    if not wants_html():
        return outcome
    html = return_page.render(outcome, locale=page_locale(), back_url=current_app.config["PUBLIC_URL"] + "/")
    return Response(html, mimetype="text/html")


@blp.route("/vnpay/ipn")
class VnpayIpn(MethodView):
    @blp.arguments(VnpayCallbackArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, VnpayIpnAnswerSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="VNPay is not enabled")
    def get(self, **_fields):
        """VNPay IPN: verify, settle, answer RspCode (97, 01, 04, 02 or 00)"""
        return _vnpay_style_ipn("vnpay")


@blp.route("/paygov/ipn")
class PaygovIpn(MethodView):
    @blp.arguments(VnpayCallbackArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, VnpayIpnAnswerSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="PayGov is not enabled")
    def get(self, **_fields):
        """PayGov IPN (VNPay-style protocol): verify, settle, answer RspCode"""
        return _vnpay_style_ipn("paygov")


# MoMo's answer's status comes from the adapter (momo.ipn_answer); the body is our error envelope
MOMO_REFUSALS = {
    IpnVerdict.INVALID_SIGNATURE: ("invalid_signature", N_("The notification is not signed correctly.")),
    IpnVerdict.INVALID_AMOUNT: ("invalid_amount", N_("The notified amount is not the payment's amount.")),
    IpnVerdict.ORDER_NOT_FOUND: ("payment_not_found", N_("The payment was not found.")),
    IpnVerdict.UNKNOWN_ERROR: ("unavailable", N_("The service is temporarily unavailable.")),
}


@blp.route("/momo/ipn")
class MomoIpn(MethodView):
    @blp.arguments(MomoResultSchema, as_kwargs=True)
    @blp.response(204, description="Handled (MoMo's documented answer), also when already confirmed")
    @blp.alt_response(400, schema=ErrorSchema, description="Bad signature or amount: not accepted")
    @blp.alt_response(404, schema=ErrorSchema, description="No such payment, or MoMo is not enabled")
    @blp.alt_response(422, schema=ErrorSchema, description="The body is not a MoMo result")
    @blp.alt_response(503, schema=ErrorSchema, description="Could not be applied now; MoMo retries")
    def post(self, **_fields):
        """MoMo IPN: verify, settle, answer 204"""
        body = request.get_json(silent=True)
        verdict, answer = _ipn("momo", body if isinstance(body, dict) else {})
        if answer.status == 204:
            return None
        code, message = MOMO_REFUSALS[verdict]
        error = MomoIpnRefused(message, code=code)
        error.status = answer.status
        raise error


@blp.route("/vnpay/return")
class VnpayReturn(MethodView):
    @blp.arguments(VnpayCallbackArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, ReturnSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such payment, or VNPay is not enabled")
    @blp.alt_response(422, schema=ErrorSchema, description="The signature does not verify")
    def get(self, **_fields):
        """Where VNPay sends the payer back: verifies and shows the outcome, changes nothing

        A browser (`Accept: text/html`) gets a page saying paid, cancelled or
        failed with a link back; an app gets this JSON.
        """
        return _return("vnpay")


@blp.route("/paygov/return")
class PaygovReturn(MethodView):
    @blp.arguments(VnpayCallbackArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, ReturnSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such payment, or PayGov is not enabled")
    @blp.alt_response(422, schema=ErrorSchema, description="The signature does not verify")
    def get(self, **_fields):
        """Where PayGov sends the payer back: verifies and shows the outcome, changes nothing

        A browser (`Accept: text/html`) gets a page saying paid, cancelled or
        failed with a link back; an app gets this JSON.
        """
        return _return("paygov")


@blp.route("/momo/return")
class MomoReturn(MethodView):
    @blp.arguments(MomoResultSchema, location="query", as_kwargs=True)
    @blp.response(200, ReturnSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such payment, or MoMo is not enabled")
    @blp.alt_response(422, schema=ErrorSchema, description="The signature does not verify")
    def get(self, **_fields):
        """Where MoMo sends the payer back: verifies and shows the outcome, changes nothing

        A browser (`Accept: text/html`) gets a page saying paid, cancelled or
        failed with a link back; an app gets this JSON.
        """
        return _return("momo")
