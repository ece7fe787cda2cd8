"""The events the dossiers domain publishes (app/dossiers/transitions.py, inside the transition's transaction).

Every workflow transition is published once as `dossier.transitioned`, and
again under the name of what it means when it means something to another
domain (`states.TRANSITIONS`' `publish`: submitted, received, rejected, ...).
Both carry the same payload: plain values only (no ORM objects), enough for a
subscriber to keep its own record without reading the dossiers' tables.
"""
import uuid
from dataclasses import dataclass
from datetime import date, datetime

TRANSITIONED = "dossier.transitioned"     # every transition
# The transitions other domains care about, by what they mean (states.TRANSITIONS' `publish`)
SUBMITTED, RECEIVED = "dossier.submitted", "dossier.received"
REJECTED, WITHDRAWN, RESULT_ISSUED = "dossier.rejected", "dossier.withdrawn", "dossier.result_issued"
NAMES = (TRANSITIONED, SUBMITTED, RECEIVED, REJECTED, WITHDRAWN, RESULT_ISSUED)
NEW_DATE = "dossier.new_date"
# A linked bundle's due date moved (its supplement was answered): its members' due dates follow
DUE_DATE_MOVED = "dossier.due_date_moved"


@dataclass(frozen=True)
class DossierTransitioned:
    dossier_id: uuid.UUID
    action: str
    from_status: str | None
    to_status: str                     # the state the dossier is in now
    at: datetime
    actor_id: uuid.UUID | None         # the account that acted (None: the system)
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
    fee_status: str
    paid_online: bool                  # the fee was paid through a payment gateway
    reason_code: str | None = None
    # Known once the dossier is finished (None before)
    electronic_result: bool | None = None
    registry_prefill: bool | None = None    # form values taken from the population registry
    reused_documents: bool | None = None    # documents reused from the personal store
    digitised: bool | None = None           # its documents are held as files
    helper_id: uuid.UUID | None = None      # the community helper acting for the account (a delegated request)


@dataclass(frozen=True)
class DossierNewDate:
    """The responsible officer apologised for lateness and promised a new date."""

    dossier_id: uuid.UUID
    new_date: date
    due_date: date | None
    at: datetime


@dataclass(frozen=True)
class DossierDueDateMoved:
    """A dossier's due date changed outside a transition of its own (the bundle it belongs to resumed)."""

    dossier_id: uuid.UUID
    status: str
    due_date: date
    at: datetime
