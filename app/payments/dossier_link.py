"""The only place payments call the dossiers domain (payments sit above dossiers).

The contract with `app.dossiers.service`:

- `payable_dossier(principal, dossier_id) -> PayableDossier` (dossier_id,
  citizen_account_id, receipt_code, procedure_code, procedure_name, amount in
  whole VND, fee_status, agency_id, commune_code); raises NotFound when the principal may not see the
  dossier, Conflict(code="fee_already_paid") or Conflict(code="no_fee_due");
- `record_fee_paid(dossier_id, payment_id)`, called inside the settlement
  transaction;
- `record_fee_refunded(dossier_id, payment_id)`, inside the refund's.
"""
import uuid

from app.dossiers import service


def payable_dossier(principal, dossier_id: uuid.UUID):
    return service.payable_dossier(principal, dossier_id)


def record_fee_paid(dossier_id: uuid.UUID, payment_id: uuid.UUID) -> None:
    service.record_fee_paid(dossier_id, payment_id)


def record_fee_refunded(dossier_id: uuid.UUID, payment_id: uuid.UUID) -> None:
    service.record_fee_refunded(dossier_id, payment_id)
