"""Who may see a dossier: its citizen; staff of its agency and commune once submitted."""
import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.catalog.models import Agency, Procedure
from app.common.auth import OutOfScope, Principal
from app.dossiers import states
from app.dossiers.errors import DossierNotFound
from app.dossiers.models import Dossier
from app.extensions import db
from app.common.roles import ADMIN, APPROVER, CITIZEN, LEADER, OFFICER


def actor_of(principal: Principal) -> states.Actor:
    return states.Actor(role=principal.role, account_id=principal.account_id,
                          agency_id=principal.agency_id, commune_code=principal.commune_code)


def facts_of(dossier: Dossier) -> states.Facts:
    return states.Facts(status=dossier.status, owner_id=dossier.citizen_account_id,
                          agency_id=dossier.agency_id, commune_code=dossier.commune_code,
                          assignee_id=dossier.assigned_officer_id, fee_status=dossier.fee_status,
                          supplement_count=dossier.supplement_count or 0)


def ensure_visible(principal: Principal, dossier: Dossier | None) -> Dossier:
    """The dossier if `principal` may see it; another citizen's answers 404, staff outside scope 403."""
    if dossier is None:
        raise DossierNotFound()
    if principal.role == CITIZEN:
        if dossier.citizen_account_id != principal.account_id:
            raise DossierNotFound()
        return dossier
    if principal.role not in (OFFICER, APPROVER, ADMIN, LEADER) or dossier.status in states.PRIVATE:
        raise DossierNotFound()
    if principal.role in (OFFICER, APPROVER) and not states.in_staff_scope(actor_of(principal), facts_of(dossier)):
        raise OutOfScope()
    return dossier


def ensure_owner(principal: Principal, dossier: Dossier | None) -> Dossier:
    """The dossier if it is `principal`'s own (everyone else gets 404)."""
    if dossier is None or principal.role != CITIZEN or dossier.citizen_account_id != principal.account_id:
        raise DossierNotFound()
    return dossier


# the procedure, the agency and the documents come in the dossier's own SELECT (one round trip, not four);
# a lock stays on the dossier row alone (`of=Dossier`)
WITH_CATALOG = (joinedload(Dossier.procedure, innerjoin=True), joinedload(Dossier.agency, innerjoin=True),
                joinedload(Dossier.documents))
# An unlocked read shows the dossier or checks who may see it: of the procedure and the agency it takes
# what a view of the dossier prints. The procedure's search text, result template and settings were a
# third of the row's columns and a tenth of the read's CPU; code that touches them loads them then.
SHOWN_CATALOG = (
    joinedload(Dossier.procedure, innerjoin=True).load_only(
        Procedure.code, Procedure.name, Procedure.form_fields, Procedure.required_documents),
    joinedload(Dossier.agency, innerjoin=True).load_only(Agency.code, Agency.name),
    joinedload(Dossier.documents),
)


def _by_id():
    return select(Dossier).where(Dossier.id == bindparam("dossier_id"))


# built once (the joined loads make building and cache-keying the statement cost more than running it)
_BY_ID = _by_id().options(*SHOWN_CATALOG)
# FOR UPDATE on the dossier row only; populate_existing refreshes a stale copy
_BY_ID_LOCKED = _by_id().options(*WITH_CATALOG).with_for_update(of=Dossier).execution_options(populate_existing=True)


def load(dossier_id: uuid.UUID, *, lock: bool = False) -> Dossier | None:
    """The dossier, locked against concurrent changes until the transaction ends when `lock`."""
    statement = _BY_ID_LOCKED if lock else _BY_ID
    return db.session.scalars(statement, {"dossier_id": dossier_id}).unique().first()
