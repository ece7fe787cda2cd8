"""Paying dossier fees: starting a payment, gateway notifications, settlement.

Settling a payment, marking the dossier paid, issuing the e-receipt and
queueing the notification happen in one transaction, under a row lock on the
payment, so identical notifications arriving together settle it once. States
only move forward (`app.payments.states`).
"""
import logging
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import aliased
from sqlalchemy.exc import SQLAlchemyError

from app.common.auth import Principal
from app.common.clock import VIETNAM, utcnow
from app.common.pagination import paginate
from app.dossiers.errors import FeeAlreadyPaid, NoFeeDue
from app.errors import N_, AppError
from app.extensions import db
from app.common import roles
from app.identity.models import Account
from app.notifications.service import notify
from app.payments import dossier_link, refunds
from app.payments.errors import (
    BadGatewaySignature, ConsentRequired, ConsentScope, GatewayDown, GatewayNotEnabled, GatewayRefused,
    PaymentNotFound, UnknownGateway,
)
from app.payments.gateways.configured import enabled_gateways, get_gateway
from app.payments.gateways.base import (
    GatewayRejected, GatewayUnavailable, InvalidSignature, IpnAnswer, IpnVerdict, Notification, Order, Outcome,
    PaymentRef,
)
from app.payments.models import Payment
from app.payments.ledger import move, record_event
from app.payments.receipts import issue_receipt
from app.payments.settings import settings
from app.payments.states import (
    CANCELLED, CLOSED_UNPAID, CREATED, EXPIRED, FAILED, PENDING, SUCCEEDED, can_move, is_open,
)

log = logging.getLogger("app.payments")

PAYMENT_SCOPE = "payments"        # what a resident's consent must cover for a helper to pay
_OUTCOME_STATES = {Outcome.SUCCEEDED: SUCCEEDED, Outcome.FAILED: FAILED,
                   Outcome.CANCELLED: CANCELLED, Outcome.EXPIRED: EXPIRED}


# --- starting a payment ------------------------------------------------------

def create_payment(principal: Principal, dossier_id: uuid.UUID, gateway_name: str, *,
                   client_ip: str | None, locale: str = "vi") -> Payment:
    """Starts paying a dossier's fee: records the payment and gets the gateway's redirect URL.

    The amount is the procedure's fee, never the client's. Refuses a dossier
    already paid (409 `fee_already_paid`) or without a fee (409 `no_fee_due`).
    """
    _ensure_may_pay(principal)
    if gateway_name not in enabled_gateways():
        raise UnknownGateway(errors={"gateway": [N_("This payment gateway is not available.")]})
    payable = dossier_link.payable_dossier(principal, dossier_id)
    if payable.amount <= 0:
        raise NoFeeDue()
    if _settled_payment(payable.dossier_id) is not None:
        raise FeeAlreadyPaid(N_("The fee of this dossier is already paid."))
    now = utcnow()
    payment = Payment(
        id=uuid.uuid4(), dossier_id=payable.dossier_id, account_id=payable.citizen_account_id,
        actor_id=principal.actor_id, gateway=gateway_name, txn_ref=new_txn_ref(), amount=payable.amount,
        status=CREATED, order_info=f"Thanh toán lệ phí hồ sơ {payable.receipt_code}",
        procedure_code=payable.procedure_code, procedure_name=payable.procedure_name,
        dossier_receipt_code=payable.receipt_code, agency_id=payable.agency_id, commune_code=payable.commune_code,
        locale="en" if locale == "en" else "vi",
        client_ip=client_ip, expires_at=now + timedelta(minutes=settings().ttl_minutes),
        receipt=None, refund=None,  # a new payment has neither: its answer does not look them up
    )
    db.session.add(payment)
    record_event(payment, "created", "api", None, CREATED, {"actor_id": str(principal.actor_id or "")})
    checkout = _checkout(payment)
    payment.redirect_url, payment.gateway_request_id = checkout.redirect_url, checkout.request_id
    move(payment, PENDING, "api", "redirect_issued")
    db.session.commit()
    return payment


def _ensure_may_pay(principal: Principal) -> None:
    if principal.role == roles.ASSISTANT and not principal.is_delegated:
        raise ConsentRequired()
    if principal.is_delegated and PAYMENT_SCOPE not in principal.scopes:
        raise ConsentScope()


def _checkout(payment: Payment):
    public = settings().public_url
    order = Order(
        txn_ref=payment.txn_ref, amount=payment.amount, order_info=payment.order_info,
        created_at=utcnow(), expires_at=payment.expires_at, client_ip=payment.client_ip or "",
        locale=payment.locale, return_url=f"{public}/api/v1/payments/{payment.gateway}/return",
        ipn_url=f"{public}/api/v1/payments/{payment.gateway}/ipn",
    )
    try:
        return get_gateway(payment.gateway).checkout(order)
    except GatewayUnavailable as error:
        log.warning("payment gateway unavailable at checkout", extra={"gateway": payment.gateway,
                                                                       "error": str(error)[:200]})
        raise GatewayDown() from error
    except GatewayRejected as error:
        log.warning("payment gateway refused checkout", extra={"gateway": payment.gateway, "code": error.code})
        raise GatewayRefused(errors={"gateway": [error.code]}) from error


def new_txn_ref() -> str:
    """The merchant reference: the date in Vietnam and 12 random characters (unique, unguessable)."""
    return f"{utcnow().astimezone(VIETNAM):%y%m%d}{secrets.token_hex(6).upper()}"


# --- reading -----------------------------------------------------------------

def get_payment(principal: Principal, payment_id: uuid.UUID) -> Payment:
    """The payment, if the principal paid it (admins see all); 404 otherwise."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or not _may_see(principal, payment):
        raise PaymentNotFound()
    return payment


def list_payments(principal: Principal, *, dossier_id: uuid.UUID | None, cursor: str | None, limit: int) -> dict:
    """The principal's own payments, newest first (optionally of one dossier)."""
    statement = select(Payment).where(Payment.account_id == principal.account_id)
    if dossier_id is not None:
        statement = statement.where(Payment.dossier_id == dossier_id)
    return paginate(db.session, statement, Payment, cursor=cursor, limit=limit)


def _may_see(principal: Principal, payment: Payment) -> bool:
    return principal.role == roles.ADMIN or payment.account_id == principal.account_id


def _settled_payment(dossier_id: uuid.UUID) -> Payment | None:
    with db.session.no_autoflush:   # other payments' committed state is what counts
        return db.session.scalar(_SETTLED_OF_DOSSIER, {"dossier_id": dossier_id})


_SETTLED_OF_DOSSIER = select(Payment).where(Payment.dossier_id == bindparam("dossier_id"), Payment.status == SUCCEEDED,
                                            Payment.duplicate.is_(False))


# --- notifications from the gateway ------------------------------------------

def handle_ipn(gateway_name: str, params: dict) -> IpnVerdict:
    """Handles a gateway's server-to-server notification, in VNPay's order of checks.

    checksum -> order exists -> amount -> still open -> settle. A repeated or
    late notification for a closed payment is answered "already confirmed"
    and changes nothing.
    """
    gateway = gateway_or_404(gateway_name)
    try:
        notification = gateway.parse_callback(params)
    except InvalidSignature:
        log.warning("gateway notification with a bad signature", extra={"gateway": gateway_name})
        return IpnVerdict.INVALID_SIGNATURE
    try:
        verdict = _apply_notification(gateway_name, notification, "ipn")
        db.session.commit()
        return verdict
    except SQLAlchemyError:
        # e.g. another payment of the same dossier settled at the same instant: the gateway retries
        db.session.rollback()
        log.exception("payment notification could not be applied", extra={"txn_ref": notification.txn_ref})
        return IpnVerdict.UNKNOWN_ERROR


def answer_ipn(gateway_name: str, params: dict) -> IpnAnswer:
    """Handles a notification; the answer is the one the gateway's adapter says its provider expects."""
    verdict = handle_ipn(gateway_name, params)
    return gateway_or_404(gateway_name).ipn_answer(verdict)


def _apply_notification(gateway_name: str, notification: Notification, source: str) -> IpnVerdict:
    # One locked read: identical notifications arriving together queue here, one at a time
    payment, _payer, settled_before = _find(gateway_name, notification.txn_ref, lock=True) or (None, None, None)
    # `_payer` stays referenced while settling, so the e-receipt finds the account in the session
    if payment is None:
        return IpnVerdict.ORDER_NOT_FOUND
    if notification.amount != payment.amount:
        record_event(payment, "amount_mismatch", source, payment.status, None,
                     {"notified_amount": notification.amount, "result_code": notification.result_code})
        return IpnVerdict.INVALID_AMOUNT
    if not is_open(payment.status):
        if notification.outcome == Outcome.SUCCEEDED and payment.status in CLOSED_UNPAID:
            _money_after_close(payment, notification, source)
        record_event(payment, "notification_repeated", source, payment.status, None,
                     {"result_code": notification.result_code})
        return IpnVerdict.ALREADY_CONFIRMED
    settle(payment, notification.outcome, source=source, result_code=notification.result_code,
           transaction_no=notification.transaction_no, bank_code=notification.bank_code, paid_at=notification.paid_at,
           settled_before=settled_before)
    return IpnVerdict.CONFIRMED


def read_return(gateway_name: str, params: dict) -> dict:
    """What the return URL shows: verified, the gateway's word and our state. Changes nothing."""
    try:
        notification = gateway_or_404(gateway_name).parse_callback(params)
    except InvalidSignature as error:
        raise BadGatewaySignature() from error
    payment = _find(gateway_name, notification.txn_ref)
    if payment is None:
        raise PaymentNotFound()
    return {"payment_id": payment.id, "dossier_id": payment.dossier_id, "verified": True,
            "gateway_outcome": notification.outcome.value, "status": payment.status, "amount": payment.amount}


def gateway_or_404(name: str):
    try:
        return get_gateway(name)
    except KeyError as error:
        raise GatewayNotEnabled() from error


def _find(gateway_name: str, txn_ref: str, *, lock: bool = False):
    """The payment; with `lock`, the row (payment, payer's account, another payment of the dossier
    settled?) with the payment locked."""
    if not txn_ref:
        return None
    keys = {"gateway": gateway_name, "txn_ref": txn_ref}
    if lock:
        return db.session.execute(_LOCKED_BY_REFERENCE, keys).first()  # (payment, payer, settled_before) or None
    return db.session.scalar(_BY_REFERENCE, keys)


# Built once: the locked read's alias and EXISTS cost more to build and key for the cache on every
# notification than to run.
_BY_REFERENCE = select(Payment).where(Payment.gateway == bindparam("gateway"), Payment.txn_ref == bindparam("txn_ref"))


def _locked_by_reference():
    # in the same round trip: the payer's account (its name goes on the e-receipt) and whether
    # another payment of the dossier is settled (see `_settled_payment`); the lock is the payment's only
    other = aliased(Payment)
    settled = exists().where(other.dossier_id == Payment.dossier_id, other.status == SUCCEEDED,
                             other.duplicate.is_(False))
    return (_BY_REFERENCE.add_columns(Account, settled.label("settled_before"))
            .outerjoin(Account, Account.id == Payment.account_id)
            .with_for_update(of=Payment).execution_options(populate_existing=True))


_LOCKED_BY_REFERENCE = _locked_by_reference()


# --- settlement --------------------------------------------------------------

def settle(payment: Payment, outcome: Outcome, *, source: str, result_code: str | None = None,
           transaction_no: str | None = None, bank_code: str | None = None, paid_at=None,
           settled_before: bool | None = None) -> bool:
    """Moves a locked, open payment to what the gateway reported; True when it moved.

    Pending or unknown outcomes change nothing. A success marks the dossier
    paid, issues the e-receipt and queues the notification; when the dossier
    was already paid by another payment (or refuses the fee), the money is
    kept as a duplicate and a refund is requested.
    """
    target = _OUTCOME_STATES.get(outcome)
    if target is None or not can_move(payment.status, target):
        return False
    if target != SUCCEEDED:
        payment.result_code = result_code
        move(payment, target, source, "closed", {"result_code": result_code})
        if target == FAILED:
            notify("payment_failed", account_id=payment.account_id, params=_notice_params(payment))
        return True
    # Decided before this payment counts as settled (one settled payment per dossier)
    if settled_before is None:  # not read with the payment's lock
        settled_before = _settled_payment(payment.dossier_id) is not None
    duplicate_of = "duplicate_payment" if settled_before else None
    if duplicate_of is None:
        duplicate_of = _record_fee_paid(payment)
    # the payment's changes after the dossier's: one UPDATE of the payment row, not two
    payment.result_code = result_code
    payment.duplicate = duplicate_of is not None
    payment.gateway_transaction_no = transaction_no or payment.gateway_transaction_no
    payment.bank_code = bank_code or payment.bank_code
    payment.paid_at = paid_at or utcnow()
    move(payment, SUCCEEDED, source, "settled", {"transaction_no": transaction_no, "result_code": result_code,
                                                 "duplicate": duplicate_of})
    issue_receipt(payment)
    notify("payment_succeeded", account_id=payment.account_id, params=_notice_params(payment))
    if duplicate_of:
        refunds.request_refund(payment, duplicate_of, source=source)
    return True


def _record_fee_paid(payment: Payment) -> str | None:
    """Marks the dossier paid; the dossier's refusal code when it refuses (closed meanwhile, ...)."""
    # no savepoint: the dossier refuses (AppError) before it changes anything
    try:
        dossier_link.record_fee_paid(payment.dossier_id, payment.id)
        return None
    except AppError as error:
        log.warning("dossier refused a settled fee", extra={"payment_id": str(payment.id), "code": error.code})
        return error.code[:30]


def _money_after_close(payment: Payment, notification: Notification, source: str) -> None:
    """The gateway took money for a payment we had already closed: record it and give it back."""
    payment.gateway_transaction_no = notification.transaction_no or payment.gateway_transaction_no
    payment.paid_at = payment.paid_at or notification.paid_at or utcnow()
    record_event(payment, "paid_after_close", source, payment.status, None,
                 {"transaction_no": notification.transaction_no})
    log.warning("gateway reports money taken for a closed payment", extra={"payment_id": str(payment.id)})
    if payment.refund is None:
        refunds.request_refund(payment, "paid_after_close", source=source)


def _notice_params(payment: Payment) -> dict:
    return {"receipt_code": payment.dossier_receipt_code, "amount": payment.amount,
            "procedure_name": payment.procedure_name}
