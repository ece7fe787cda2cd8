"""What other domains may read from the dossiers as plain values (they never import its models)."""
import uuid
from dataclasses import dataclass

from app.dossiers.models import Dossier
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
