"""The `dossier.changed` event: every workflow transition, with the facts other domains measure.

Published by `transitions.fire` inside the transition's transaction; the
service-quality domain keeps its own per-dossier record and figures from it.
The payload is plain values only (no ORM objects), so subscribers never touch
the dossiers' tables.
"""
import uuid
from dataclasses import dataclass
from datetime import date, datetime

DOSSIER_CHANGED = "dossier.changed"
DOSSIER_NEW_DATE = "dossier.new_date"


@dataclass(frozen=True)
class DossierChanged:
    dossier_id: uuid.UUID
    action: str
    from_status: str | None
    to_status: str
    at: datetime
    citizen_account_id: uuid.UUID
    agency_id: uuid.UUID
    commune_code: str | None
    procedure_code: str
    receipt_code: str | None
    channel: str
    assignee_id: uuid.UUID | None
    submitted_at: datetime | None
    received_at: datetime | None
    completed_at: datetime | None
    due_date: date | None
    paused_days: int
    supplement_count: int
    fee_amount: int
    paid_online: bool                  # the fee was paid through a payment gateway
    reason_code: str | None = None
    # Known once the dossier is finished (None before)
    electronic_result: bool | None = None
    registry_prefill: bool | None = None    # form values taken from the population registry
    reused_documents: bool | None = None    # documents reused from the personal store
    digitised: bool | None = None           # its documents are held as files


@dataclass(frozen=True)
class DossierNewDate:
    """The responsible officer apologised for lateness and promised a new date."""

    dossier_id: uuid.UUID
    new_date: date
    due_date: date | None
    at: datetime
