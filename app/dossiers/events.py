"""The events the dossiers domain publishes (app/dossiers/transitions.py, inside the transition's transaction)."""
import uuid
from dataclasses import dataclass

TRANSITIONED = "dossier.transitioned"     # every transition
# The transitions other domains care about, by what they mean (states.TRANSITIONS' `publish`)
SUBMITTED, RECEIVED = "dossier.submitted", "dossier.received"
REJECTED, WITHDRAWN, RESULT_ISSUED = "dossier.rejected", "dossier.withdrawn", "dossier.result_issued"
NAMES = (TRANSITIONED, SUBMITTED, RECEIVED, REJECTED, WITHDRAWN, RESULT_ISSUED)


@dataclass(frozen=True)
class DossierTransitioned:
    dossier_id: uuid.UUID
    action: str
    status: str                    # the state the dossier is in now
    citizen_account_id: uuid.UUID
    procedure_code: str
    agency_id: uuid.UUID
    commune_code: str | None
    fee_amount: int
    fee_status: str
