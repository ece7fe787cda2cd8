"""What other domains may read from the dossiers as plain values (they never import its models).

`replay_transitions()` gives every submitted dossier's current state as the
`DossierTransitioned` payload its last transition would carry, so a
subscriber that keeps its own record (the operations centre's counters) can
rebuild it from scratch with the same handler it runs live.
"""
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from app.catalog.models import Procedure
from app.dossiers import states
from app.dossiers.events import DossierTransitioned
from app.dossiers.models import FEE_PAID, Dossier
from app.extensions import db


@dataclass(frozen=True)
class DossierOwner:
    dossier_id: uuid.UUID
    citizen_account_id: uuid.UUID
    procedure_code: str


def dossier_owner(dossier_id: uuid.UUID | None) -> DossierOwner | None:
    """Whose dossier it is and of which procedure (None: no such dossier)."""
    dossier = db.session.get(Dossier, dossier_id) if dossier_id is not None else None
    if dossier is None:
        return None
    return DossierOwner(dossier.id, dossier.citizen_account_id, dossier.procedure.code)


REPLAYED = "replay"   # the `action` of a replayed payload: no transition happened, this is the state now

_COLUMNS = (Dossier.id, Dossier.status, Dossier.citizen_account_id, Dossier.agency_id, Dossier.commune_code,
            Dossier.receipt_code, Dossier.channel, Dossier.assigned_officer_id, Dossier.submitted_at,
            Dossier.received_at, Dossier.completed_at, Dossier.due_date, Dossier.paused_days,
            Dossier.supplement_count, Dossier.fee_amount, Dossier.fee_status, Dossier.fee_payment_id)


def replay_transitions(batch_size: int = 5000, session=None) -> Iterator[DossierTransitioned]:
    """Every submitted dossier (drafts and queued ones are the citizen's business) as it is now.

    `from_status` is None (nothing to take back); streamed in batches of
    `batch_size` rows, whatever the number of dossiers.
    """
    session = session or db.session
    statement = (select(*_COLUMNS, Procedure.code).join(Procedure, Procedure.id == Dossier.procedure_id)
                 .where(Dossier.submitted_at.is_not(None), Dossier.status.not_in(states.PRIVATE))
                 .execution_options(yield_per=batch_size))
    for rows in session.execute(statement).partitions():
        for row in rows:
            yield DossierTransitioned(
                dossier_id=row.id, action=REPLAYED, from_status=None, to_status=row.status,
                at=row.completed_at or row.received_at or row.submitted_at, actor_id=None,
                citizen_account_id=row.citizen_account_id, agency_id=row.agency_id, commune_code=row.commune_code,
                procedure_code=row.code, receipt_code=row.receipt_code, channel=row.channel,
                assignee_id=row.assigned_officer_id, submitted_at=row.submitted_at, received_at=row.received_at,
                completed_at=row.completed_at, due_date=row.due_date, paused_days=row.paused_days or 0,
                supplement_count=row.supplement_count or 0, fee_amount=row.fee_amount or 0,
                fee_status=row.fee_status, paid_online=row.fee_status == FEE_PAID and row.fee_payment_id is not None)
