"""The payments domain's errors: API refusals and the gateway adapters' exceptions."""
from app.errors import N_, AppError, Forbidden, NotFound, ServiceUnavailable, ValidationFailed


class InvalidSignature(Exception):
    """The signature of a gateway message does not verify."""


class GatewayUnavailable(Exception):
    """No usable answer (timeout, connection refused, 5xx): try again later."""


class GatewayRejected(Exception):
    """The gateway answered and refused the request."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class IpnSignatureRefused(AppError):
    """A notification refused because its signature does not verify (MoMo's IPN: 400, MoMo retries)."""

    status = 400
    code = "invalid_ipn_signature"
    message = N_("The notification is not signed correctly.")


class IpnAmountRefused(AppError):
    """A notification refused because its amount is not the payment's (MoMo's IPN: 400)."""

    status = 400
    code = "invalid_amount"
    message = N_("The notified amount is not the payment's amount.")


class IpnNotApplied(ServiceUnavailable):
    """A notification that could not be written now (MoMo's IPN: 503, MoMo retries)."""


class GatewayDown(ServiceUnavailable):
    code = "gateway_unavailable"
    message = N_("The payment gateway is not answering. Try again in a few minutes.")


class GatewayRefused(AppError):
    status = 502
    code = "gateway_refused"
    message = N_("The payment gateway refused the payment.")


class UnknownGateway(ValidationFailed):
    code = "unknown_gateway"
    message = N_("This payment gateway is not available.")


class ReceiptNotFound(NotFound):
    code = "receipt_not_found"
    message = N_("No receipt has this verification code.")


class ReceiptNotIssued(NotFound):
    code = "receipt_not_issued"
    message = N_("This payment has no receipt yet.")


class StatementNotFound(NotFound):
    code = "statement_not_found"
    message = N_("There is no statement for this day yet.")


class InvalidDate(ValidationFailed):
    code = "invalid_date"
    message = N_("Not a valid date.")


class ConsentRequired(Forbidden):
    code = "consent_required"
    message = N_("A helper may pay only for a resident who gave consent.")


class ConsentScope(Forbidden):
    code = "consent_scope"
    message = N_("The resident's consent does not cover payments.")


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    message = N_("The payment was not found.")


class BadGatewaySignature(ValidationFailed):
    """The fields the gateway added to the return URL are not signed correctly."""

    code = "invalid_signature"
    message = N_("The gateway's answer is not signed correctly.")


class GatewayNotEnabled(NotFound):
    code = "gateway_not_enabled"
    message = N_("This payment gateway is not available.")
