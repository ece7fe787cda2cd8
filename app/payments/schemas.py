import marshmallow as ma

from app.common.pagination import PageArgsSchema, page_schema
from app.payments.gateways import GATEWAY_NAMES
from app.payments.receipts import verify_url
from app.payments.states import PAYMENT_STATES, REFUND_STATES


class PaymentCreateSchema(ma.Schema):
    dossier_id = ma.fields.UUID(required=True, metadata={"example": "0b9f6f5e-5d36-4f8e-9d0e-6a3f1c2b7e11"})
    gateway = ma.fields.String(required=True, validate=ma.validate.OneOf(GATEWAY_NAMES),
                               metadata={"example": "vnpay", "description": "vnpay, momo or paygov"})


class PaymentListArgsSchema(PageArgsSchema):
    dossier_id = ma.fields.UUID(load_default=None, metadata={"description": "Only this dossier's payments"})


class ReceiptSummarySchema(ma.Schema):
    number = ma.fields.String(metadata={"example": "BL251121-7KQ2M9XD"})
    verification_code = ma.fields.String(metadata={"example": "Q7M2KX9PLD3A"})
    status = ma.fields.String(metadata={"example": "valid", "description": "valid, or void after a refund"})


class RefundSummarySchema(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(REFUND_STATES), metadata={"example": "requested"})
    amount = ma.fields.Integer(metadata={"example": 50000})
    reason = ma.fields.String(metadata={"example": "dossier_rejected"})
    created_at = ma.fields.DateTime(metadata={"example": "2025-11-21T03:00:00+00:00"})
    completed_at = ma.fields.DateTime(allow_none=True, metadata={"example": None})


class PaymentSchema(ma.Schema):
    id = ma.fields.UUID(metadata={"example": "5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"})
    dossier_id = ma.fields.UUID(metadata={"example": "0b9f6f5e-5d36-4f8e-9d0e-6a3f1c2b7e11"})
    gateway = ma.fields.String(metadata={"example": "vnpay"})
    amount = ma.fields.Integer(metadata={"example": 50000, "description": "Whole VND"})
    currency = ma.fields.String(metadata={"example": "VND"})
    status = ma.fields.String(validate=ma.validate.OneOf(PAYMENT_STATES), metadata={
        "example": "pending",
        "description": "created, pending, succeeded, failed, cancelled, expired or refunded (forward only)"})
    redirect_url = ma.fields.Method("_redirect", allow_none=True, metadata={
        "type": "string", "nullable": True,
        "example": "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?vnp_Amount=5000000&...",
        "description": "Where to send the payer while the payment is pending"})
    procedure_name = ma.fields.String(metadata={"example": "Đăng ký khai sinh"})
    dossier_receipt_code = ma.fields.String(metadata={"example": "H80.27727-251121-0001"})
    created_at = ma.fields.DateTime(metadata={"example": "2025-11-21T03:00:00+00:00"})
    expires_at = ma.fields.DateTime(metadata={"example": "2025-11-21T03:15:00+00:00"})
    paid_at = ma.fields.DateTime(allow_none=True, metadata={"example": None})
    gateway_transaction_no = ma.fields.String(allow_none=True, metadata={"example": "14422574"})
    duplicate = ma.fields.Boolean(metadata={"example": False,
                                            "description": "Paid while the dossier was already paid (refunded)"})
    receipt = ma.fields.Nested(ReceiptSummarySchema, allow_none=True)
    refund = ma.fields.Nested(RefundSummarySchema, allow_none=True)

    def _redirect(self, payment):
        return payment.redirect_url if payment.status == "pending" else None


PaymentPageSchema = page_schema(PaymentSchema, "PaymentPage")


class ReceiptSchema(ma.Schema):
    number = ma.fields.String(metadata={"example": "BL251121-7KQ2M9XD"})
    verification_code = ma.fields.String(metadata={"example": "Q7M2KX9PLD3A"})
    verify_url = ma.fields.Method("_verify_url", metadata={
        "type": "string", "example": "http://127.0.0.1:8000/api/v1/payments/receipts/verify/Q7M2KX9PLD3A"})
    status = ma.fields.String(metadata={"example": "valid"})
    payer_name = ma.fields.String(metadata={"example": "Nguyễn Văn An"})
    procedure_code = ma.fields.String(metadata={"example": "1.001193"})
    procedure_name = ma.fields.String(metadata={"example": "Đăng ký khai sinh"})
    dossier_receipt_code = ma.fields.String(metadata={"example": "H80.27727-251121-0001"})
    amount = ma.fields.Integer(metadata={"example": 50000})
    gateway = ma.fields.String(metadata={"example": "vnpay"})
    gateway_transaction_no = ma.fields.String(allow_none=True, metadata={"example": "14422574"})
    paid_at = ma.fields.DateTime(metadata={"example": "2025-11-21T03:05:00+00:00"})
    voided_at = ma.fields.DateTime(allow_none=True, metadata={"example": None})

    def _verify_url(self, receipt):
        return verify_url(receipt)


class ReceiptVerificationSchema(ma.Schema):
    valid = ma.fields.Boolean(metadata={"example": True, "description": "Genuine and not voided by a refund"})
    number = ma.fields.String(metadata={"example": "BL251121-7KQ2M9XD"})
    status = ma.fields.String(metadata={"example": "valid"})
    payer = ma.fields.String(metadata={"example": "N. V. An", "description": "Initials and given name only"})
    procedure_name = ma.fields.String(metadata={"example": "Đăng ký khai sinh"})
    dossier_receipt_code = ma.fields.String(metadata={"example": "H80.27727-251121-0001"})
    amount = ma.fields.Integer(metadata={"example": 50000})
    gateway = ma.fields.String(metadata={"example": "vnpay"})
    paid_at = ma.fields.DateTime(metadata={"example": "2025-11-21T03:05:00+00:00"})


class VnpayCallbackArgsSchema(ma.Schema):
    """The vnp_* fields VNPay (and PayGov) send to the IPN and return URLs (all signed)."""

    class Meta:
        unknown = ma.INCLUDE

    vnp_TmnCode = ma.fields.String(metadata={"example": "SMARTPV1"})
    vnp_Amount = ma.fields.String(metadata={"example": "5000000", "description": "VND x 100"})
    vnp_BankCode = ma.fields.String(metadata={"example": "NCB"})
    vnp_BankTranNo = ma.fields.String(metadata={"example": "VNP14422574"})
    vnp_CardType = ma.fields.String(metadata={"example": "ATM"})
    vnp_PayDate = ma.fields.String(metadata={"example": "20251121100500", "description": "yyyyMMddHHmmss, GMT+7"})
    vnp_OrderInfo = ma.fields.String(metadata={"example": "Thanh toan le phi ho so H80 27727 251121 0001"})
    vnp_TransactionNo = ma.fields.String(metadata={"example": "14422574"})
    vnp_ResponseCode = ma.fields.String(metadata={"example": "00"})
    vnp_TransactionStatus = ma.fields.String(metadata={"example": "00"})
    vnp_TxnRef = ma.fields.String(metadata={"example": "2511213FA29C0B1D7E"})
    vnp_SecureHashType = ma.fields.String(metadata={"example": "HmacSHA512"})
    vnp_SecureHash = ma.fields.String(metadata={"example": "649982421beb...", "description": "HMAC-SHA512, hex"})


class VnpayIpnAnswerSchema(ma.Schema):
    RspCode = ma.fields.String(metadata={"example": "00", "description": "00, 01, 02, 04, 97 or 99"})
    Message = ma.fields.String(metadata={"example": "Confirm Success"})


class MomoResultSchema(ma.Schema):
    """MoMo's payment result (IPN body, redirect query), signed with HMAC-SHA256."""

    class Meta:
        unknown = ma.INCLUDE

    partnerCode = ma.fields.Raw(metadata={"example": "MOMO"})
    orderId = ma.fields.Raw(metadata={"example": "2511213FA29C0B1D7E"})
    requestId = ma.fields.Raw(metadata={"example": "0f8fad5b-d9cb-469f-a165-70867728950e"})
    amount = ma.fields.Raw(metadata={"example": 50000})
    orderInfo = ma.fields.Raw(metadata={"example": "Thanh toán lệ phí hồ sơ H80.27727-251121-0001"})
    orderType = ma.fields.Raw(metadata={"example": "momo_wallet"})
    transId = ma.fields.Raw(metadata={"example": 4088878653})
    resultCode = ma.fields.Raw(metadata={"example": 0})
    message = ma.fields.Raw(metadata={"example": "Successful."})
    payType = ma.fields.Raw(metadata={"example": "qr"})
    responseTime = ma.fields.Raw(metadata={"example": 1721720663942})
    extraData = ma.fields.Raw(metadata={"example": ""})
    signature = ma.fields.Raw(metadata={"example": "f5699a61b648..."})


class ReturnArgsSchema(VnpayCallbackArgsSchema):
    """The signed fields a gateway adds to the return URL: vnp_* (VNPay, PayGov) or MoMo's result fields."""

    partnerCode = ma.fields.String(metadata={"example": "MOMO", "description": "MoMo"})
    orderId = ma.fields.String(metadata={"example": "2511213FA29C0B1D7E", "description": "MoMo"})
    requestId = ma.fields.String(metadata={"example": "0f8fad5b-d9cb-469f-a165-70867728950e",
                                           "description": "MoMo"})
    amount = ma.fields.String(metadata={"example": "50000", "description": "MoMo"})
    orderInfo = ma.fields.String(metadata={"example": "Thanh toán lệ phí hồ sơ H80.27727-251121-0001",
                                           "description": "MoMo"})
    orderType = ma.fields.String(metadata={"example": "momo_wallet", "description": "MoMo"})
    transId = ma.fields.String(metadata={"example": "4088878653", "description": "MoMo"})
    resultCode = ma.fields.String(metadata={"example": "0", "description": "MoMo"})
    message = ma.fields.String(metadata={"example": "Successful.", "description": "MoMo"})
    payType = ma.fields.String(metadata={"example": "qr", "description": "MoMo"})
    responseTime = ma.fields.String(metadata={"example": "1721720663942", "description": "MoMo"})
    extraData = ma.fields.String(metadata={"example": "", "description": "MoMo"})
    signature = ma.fields.String(metadata={"example": "f5699a61b648...", "description": "MoMo: HMAC-SHA256, hex"})


class ReturnSchema(ma.Schema):
    payment_id = ma.fields.UUID(metadata={"example": "5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"})
    dossier_id = ma.fields.UUID(metadata={"example": "0b9f6f5e-5d36-4f8e-9d0e-6a3f1c2b7e11"})
    verified = ma.fields.Boolean(metadata={"example": True})
    gateway_outcome = ma.fields.String(metadata={
        "example": "succeeded", "description": "What the gateway told the browser; the payment state is `status`"})
    status = ma.fields.String(metadata={"example": "succeeded"})
    amount = ma.fields.Integer(metadata={"example": 50000})


class StatementSchema(ma.Schema):
    day = ma.fields.Date(metadata={"example": "2025-11-21"})
    gateway = ma.fields.String(metadata={"example": "vnpay"})
    payments_count = ma.fields.Integer(metadata={"example": 12})
    payments_total = ma.fields.Integer(metadata={"example": 600000})
    refunds_count = ma.fields.Integer(metadata={"example": 1})
    refunds_total = ma.fields.Integer(metadata={"example": 50000})
    checked_count = ma.fields.Integer(metadata={"example": 12})
    matches_gateway = ma.fields.Method("_matches", metadata={"type": "boolean", "example": True})
    mismatches = ma.fields.List(ma.fields.Dict(), metadata={"example": []})
    created_at = ma.fields.DateTime(metadata={"example": "2025-11-22T00:05:00+00:00"})

    def _matches(self, statement):
        return statement.checked_count == statement.payments_count and not statement.mismatches
