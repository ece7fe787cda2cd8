"""Helpers for the service-quality tests: finished dossiers through the API, hand-built records."""
import uuid
from datetime import datetime

from app.catalog.models import Procedure
from app.common.clock import VIETNAM
from app.dossiers.events import DossierTransitioned
from app.dossiers.models import Dossier
from app.extensions import db
from app.quality import tracking
from tests.dossiers_fixtures import Api, Desk, birth_dossier


def finished_dossier(client, catalog, citizen_headers, desk: Desk | None = None) -> str:
    """A birth registration taken through to its result; returns its id."""
    api = Api(client)
    desk = desk or Desk()
    dossier_id = birth_dossier(api, citizen_headers, catalog["1.001193"])
    desk.take_to(api, dossier_id, "result_issued")
    return dossier_id


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=VIETNAM)


def handled(procedure: Procedure, citizen, agency, commune_code, *, channel="online", status="result_issued",
            received="2026-11-02", finished="2026-11-05", due="2026-11-06", supplements=0, paused=0,
            fee=0, paid_online=False, prefill=False, reused=False, digitised=True, electronic=True) -> uuid.UUID:
    """A dossier row and the events of its submission and its end, as the dossiers domain would publish them."""
    dossier = Dossier(procedure_id=procedure.id, citizen_account_id=citizen.id, applicant_name=citizen.full_name,
                      agency_id=agency.id, commune_code=commune_code, status=status, channel=channel,
                      fee_amount=fee, receipt_code=f"T-{uuid.uuid4().hex[:10]}")
    db.session.add(dossier)
    db.session.flush()
    common = dict(dossier_id=dossier.id, citizen_account_id=citizen.id, agency_id=agency.id,
                  commune_code=commune_code, procedure_code=procedure.code, receipt_code=dossier.receipt_code,
                  channel=channel, assignee_id=None, submitted_at=at(received, 8), received_at=at(received, 9),
                  due_date=datetime.fromisoformat(due).date(), fee_amount=fee, paid_online=paid_online,
                  actor_id=None, fee_status="paid" if paid_online else "not_required")
    tracking.on_dossier_changed(DossierTransitioned(
        action="submit", from_status="draft", to_status="submitted", at=at(received, 8), completed_at=None,
        paused_days=0, supplement_count=0, **common))
    tracking.on_dossier_changed(DossierTransitioned(
        action="issue_result" if status == "result_issued" else "reject", from_status="approved",
        to_status=status, at=at(finished), completed_at=at(finished), paused_days=paused,
        supplement_count=supplements, electronic_result=electronic and status == "result_issued",
        registry_prefill=prefill, reused_documents=reused, digitised=digitised, **common))
    db.session.flush()
    return dossier.id
