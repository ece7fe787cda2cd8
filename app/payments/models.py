"""Payments, their event log, refunds, e-receipts and daily statements."""
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.models import EntityMixin
from app.extensions import db
from app.payments.states import CREATED, REFUND_REQUESTED

RECEIPT_VALID, RECEIPT_VOID = "valid", "void"


class Payment(EntityMixin, db.Model):
    """One attempt to pay a dossier's fee through one gateway.

    The amount is whole VND, taken from the procedure when the payment is
    created. `txn_ref` is the merchant reference the gateway knows it by.
    A payment made while the dossier was already paid by another one is kept
    (the money was taken) with `duplicate` set, and refunded.
    """

    __tablename__ = "payments"
    __table_args__ = (
        Index("ix_payments_status_created_at", "status", "created_at"),
        # At most one payment settles a dossier's fee; a second becomes a duplicate
        Index("uq_payments_dossier_settled", "dossier_id", unique=True,
              sqlite_where=text("status = 'succeeded' AND duplicate = 0"),
              postgresql_where=text("status = 'succeeded' AND duplicate = false")),
    )

    dossier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dossiers.id"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)   # the payer
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))          # assistant, with consent
    gateway: Mapped[str] = mapped_column(String(16))
    txn_ref: Mapped[str] = mapped_column(String(40), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="VND")
    status: Mapped[str] = mapped_column(String(12), default=CREATED)
    duplicate: Mapped[bool] = mapped_column(default=False)
    order_info: Mapped[str] = mapped_column(String(255))
    procedure_code: Mapped[str] = mapped_column(String(40))
    procedure_name: Mapped[str] = mapped_column(String(255))
    dossier_receipt_code: Mapped[str] = mapped_column(String(40))
    # where the dossier is handled, copied when the payment starts (the fee figures count by them)
    agency_id: Mapped[uuid.UUID | None]
    commune_code: Mapped[str | None] = mapped_column(String(5))
    locale: Mapped[str] = mapped_column(String(2), default="vi")
    client_ip: Mapped[str | None] = mapped_column(String(45))
    redirect_url: Mapped[str | None] = mapped_column(Text)
    gateway_request_id: Mapped[str | None] = mapped_column(String(64))
    gateway_transaction_no: Mapped[str | None] = mapped_column(String(64))
    bank_code: Mapped[str | None] = mapped_column(String(20))
    result_code: Mapped[str | None] = mapped_column(String(10))
    expires_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    last_checked_at: Mapped[datetime | None]

    receipt: Mapped["Receipt | None"] = relationship(back_populates="payment", uselist=False)
    refund: Mapped["Refund | None"] = relationship(back_populates="payment", uselist=False)


class PaymentEvent(EntityMixin, db.Model):
    """What happened to a payment and who said so (api, ipn, return, reconciliation, refund)."""

    __tablename__ = "payment_events"

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class Refund(EntityMixin, db.Model):
    """A full refund of a payment through its gateway, with its own state."""

    __tablename__ = "payment_refunds"

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id"), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(12), default=REFUND_REQUESTED)
    # Sent unchanged on every retry, so the gateway can recognise a repeated request
    gateway_request_id: Mapped[str] = mapped_column(String(64), unique=True)
    gateway_refund_no: Mapped[str | None] = mapped_column(String(64))
    result_code: Mapped[str | None] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(String(255))
    completed_at: Mapped[datetime | None]

    payment: Mapped[Payment] = relationship(back_populates="refund")


class Receipt(EntityMixin, db.Model):
    """The e-receipt (biên lai điện tử) of a settled payment, verifiable by its code."""

    __tablename__ = "payment_receipts"

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id"), unique=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    verification_code: Mapped[str] = mapped_column(String(16), unique=True)
    payer_name: Mapped[str] = mapped_column(String(120))
    procedure_code: Mapped[str] = mapped_column(String(40))
    procedure_name: Mapped[str] = mapped_column(String(255))
    dossier_receipt_code: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(BigInteger)
    gateway: Mapped[str] = mapped_column(String(16))
    gateway_transaction_no: Mapped[str | None] = mapped_column(String(64))
    paid_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(8), default=RECEIPT_VALID)
    voided_at: Mapped[datetime | None]

    payment: Mapped[Payment] = relationship(back_populates="receipt")


class DailyStatement(EntityMixin, db.Model):
    """Totals of one gateway for one day (Vietnam time), checked against the gateway's records."""

    __tablename__ = "payment_statements"
    __table_args__ = (UniqueConstraint("day", "gateway"),)

    day: Mapped[date] = mapped_column(Date)
    gateway: Mapped[str] = mapped_column(String(16))
    payments_count: Mapped[int] = mapped_column(Integer)
    payments_total: Mapped[int] = mapped_column(BigInteger)
    refunds_count: Mapped[int] = mapped_column(Integer)
    refunds_total: Mapped[int] = mapped_column(BigInteger)
    checked_count: Mapped[int] = mapped_column(Integer)
    mismatches: Mapped[list] = mapped_column(JSON, default=list)
