"""The one small interface every payment gateway adapter implements.

An adapter speaks its provider's protocol (URLs, field names, signatures) and
translates it into these few value objects; the payment service never sees a
provider field. Which adapter serves which gateway name is configuration
(`app.payments.gateways.configured.get_gateway`).
"""
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from app.errors import AppError
from app.payments.errors import (  # noqa: F401  (re-exported for the adapters)
    GatewayRejected, GatewayUnavailable, InvalidSignature,
)


class Outcome(StrEnum):
    """What the gateway says happened to a payment."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    PENDING = "pending"
    NOT_FOUND = "not_found"


class IpnVerdict(StrEnum):
    """How the merchant judged a notification, in the order VNPay checks it."""

    INVALID_SIGNATURE = "invalid_signature"
    ORDER_NOT_FOUND = "order_not_found"
    INVALID_AMOUNT = "invalid_amount"
    ALREADY_CONFIRMED = "already_confirmed"
    CONFIRMED = "confirmed"
    UNKNOWN_ERROR = "unknown_error"


@dataclass(frozen=True)
class Order:
    """A payment as the gateway needs to know it."""

    txn_ref: str
    amount: int                 # whole VND
    order_info: str             # human description (may carry diacritics; adapters adapt it)
    created_at: datetime
    expires_at: datetime
    client_ip: str
    locale: str                 # "vi" or "en"
    return_url: str
    ipn_url: str


@dataclass(frozen=True)
class Checkout:
    redirect_url: str
    request_id: str | None = None


@dataclass(frozen=True)
class Notification:
    """A verified IPN or return-URL message."""

    txn_ref: str
    amount: int | None          # None when the amount field is malformed
    outcome: Outcome
    result_code: str
    transaction_no: str | None = None
    bank_code: str | None = None
    paid_at: datetime | None = None
    raw: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentRef:
    """What the gateway needs to find a payment again (query, refund)."""

    txn_ref: str
    amount: int
    created_at: datetime
    order_info: str
    transaction_no: str | None = None
    paid_at: datetime | None = None


@dataclass(frozen=True)
class QueryResult:
    outcome: Outcome
    amount: int | None = None
    result_code: str = ""
    transaction_no: str | None = None
    bank_code: str | None = None
    paid_at: datetime | None = None


@dataclass(frozen=True)
class RefundResult:
    succeeded: bool
    retryable: bool
    result_code: str
    message: str = ""
    refund_no: str | None = None


@dataclass(frozen=True)
class IpnAnswer:
    """The HTTP answer the provider expects to a notification.

    Either `body` as JSON (none for a 204), or `refusal`: the error answered in
    the API's error envelope, whose class carries the status.
    """

    status: int
    body: dict | None = None
    refusal: type[AppError] | None = None


class Gateway(ABC):
    name: str
    ipn_method: str = "GET"     # how the provider sends its IPN; any other method is answered 405

    @staticmethod
    def ipn_fields(request) -> dict:
        """The IPN's fields as the provider sends them (here: the query string)."""
        return request.args.to_dict()

    @staticmethod
    def return_fields(request) -> dict:
        """The fields of the URL the payer's browser is sent back to (the query string)."""
        return request.args.to_dict()

    @abstractmethod
    def checkout(self, order: Order) -> Checkout:
        """Registers the order with the gateway (if its protocol needs it) and returns where to send the payer."""

    @abstractmethod
    def parse_callback(self, params: Mapping[str, str]) -> Notification:
        """Verifies and reads an IPN or return-URL message; raises InvalidSignature."""

    @abstractmethod
    def ipn_answer(self, verdict: IpnVerdict) -> IpnAnswer:
        """The answer the provider expects for this verdict."""

    @abstractmethod
    def query(self, ref: PaymentRef, request_id: str) -> QueryResult:
        """Asks the gateway what happened to a payment (reconciliation)."""

    @abstractmethod
    def refund(self, ref: PaymentRef, *, request_id: str, amount: int, reason: str) -> RefundResult:
        """Asks the gateway to refund `amount` of a paid payment."""
