"""Keeps `quality_dossiers` and the monthly roll-ups current from the dossiers' events.

Handlers run inside the dossier's transaction (see `app.common.events`): the
record, the roll-up increments and the transition commit together or not at all.
"""
import dataclasses

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from app.common import events
from app.common.clock import VIETNAM
from app.common.workdays import working_days_between
from app.dossiers import states as dossier_states
from app.dossiers.events import NEW_DATE, TRANSITIONED, DossierNewDate, DossierTransitioned
from app.extensions import db
from app.quality.models import QualityDossier, Rollup

HANDLED = frozenset({dossier_states.RESULT_ISSUED, dossier_states.REJECTED})   # the index counts these
FINISHED = frozenset({dossier_states.RESULT_ISSUED, dossier_states.REJECTED, dossier_states.RETURNED})   # may be rated
SUBMISSIONS = frozenset({"submit", "submit_at_desk", "start"})


def subscribe_all() -> None:
    events.subscribe(TRANSITIONED, _dossier_changed)
    events.subscribe(NEW_DATE, _new_date)


def _dossier_changed(**fields) -> None:   # events hand over the payload's fields
    on_dossier_changed(_known(DossierTransitioned, fields))


def _new_date(**fields) -> None:
    on_new_date(_known(DossierNewDate, fields))


def _known(payload_type, fields: dict):
    """The payload from the fields this domain reads; a publisher may add fields without breaking it."""
    names = {f.name for f in dataclasses.fields(payload_type)}
    return payload_type(**{name: value for name, value in fields.items() if name in names})


def month_of(moment) -> str:
    return moment.astimezone(VIETNAM).strftime("%Y-%m")


def scopes_of(record) -> list[str]:
    """The roll-up scopes one dossier (or complaint, or rating) adds to."""
    scopes = ["province", f"agency:{record.agency_id}", f"procedure:{record.procedure_code}"]
    if record.commune_code:
        scopes.append(f"commune:{record.commune_code}")
    return scopes


def add(month: str, scopes: list[str], metrics: dict[str, int]) -> None:
    """Adds `metrics` to every scope's row of `month` (one statement, rows in key order)."""
    rows = sorted((month, scope, metric, value) for scope in scopes for metric, value in metrics.items() if value)
    if not rows:
        return
    connection = db.session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(Rollup.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["month", "scope", "metric"],
        set_={"value": Rollup.__table__.c.value + statement.excluded.value})
    connection.execute(statement, [dict(month=m, scope=s, metric=k, value=v) for m, s, k, v in rows])


def on_dossier_changed(change: DossierTransitioned) -> None:
    # Nothing goes back to a draft, so leaving one is the dossier's first submission (no record
    # yet: no need to look) or its withdrawal or cancellation (never submitted, never measured).
    first = change.from_status in dossier_states.PRIVATE
    if first and change.action not in SUBMISSIONS:
        return
    record = None if first else db.session.get(QualityDossier, change.dossier_id)
    if record is None:
        record = QualityDossier(dossier_id=change.dossier_id, citizen_account_id=change.citizen_account_id,
                                agency_id=change.agency_id, commune_code=change.commune_code,
                                procedure_code=change.procedure_code, channel=change.channel,
                                paused_days=0, supplement_count=0, stall_level=0, unhappy=False)
        db.session.add(record)
    record.receipt_code = change.receipt_code
    record.status = change.to_status
    record.is_open = change.to_status not in dossier_states.FINAL
    record.assignee_id = change.assignee_id
    record.state_since = change.at
    record.stall_level = 0
    record.submitted_at, record.received_at = change.submitted_at, change.received_at
    record.due_date, record.paused_days = change.due_date, change.paused_days
    record.supplement_count, record.fee_amount = change.supplement_count, change.fee_amount
    record.paid_online = change.paid_online
    if change.reason_code:
        record.last_reason_code = change.reason_code
        add(month_of(change.at), scopes_of(record), {f"why.{change.action}.{change.reason_code}": 1})
    if change.to_status in dossier_states.FINAL:
        record.completed_at = change.completed_at or change.at
    if change.to_status in HANDLED:
        _finish(record, change)


def _finish(record: QualityDossier, change: DossierTransitioned) -> None:
    """A dossier handled (result issued or rejected): its contribution to the index, once."""
    finished_on = record.completed_at.astimezone(VIETNAM).date()
    started = (record.received_at or record.submitted_at or record.completed_at).astimezone(VIETNAM).date()
    record.handled = True
    record.finished_month = month_of(record.completed_at)
    record.electronic_result = bool(change.electronic_result)
    record.registry_prefill = bool(change.registry_prefill)
    record.reused_documents = bool(change.reused_documents)
    record.digitised = bool(change.digitised)
    record.late = is_late(record.due_date, finished_on, record.supplement_count)
    record.handling_days = max(0, working_days_between(started, finished_on) - (record.paused_days or 0))
    metrics = contributions(record)
    add(record.finished_month, scopes_of(record), metrics)
    # per procedure within each scope (the share of procedures with online payment counts procedures):
    # metrics of the scope's own rows, so the whole index is one read of one scope
    by_procedure = {f"{k}@{record.procedure_code}": metrics[k] for k in ("fee_dossiers", "paid_online")}
    add(record.finished_month, [s for s in scopes_of(record) if not s.startswith("procedure:")], by_procedure)


def is_late(due_date, finished_on, supplement_count: int) -> bool:
    """Late: finished after the due date (already moved by supplement time), or a second supplement asked."""
    return supplement_count >= 2 or (due_date is not None and finished_on > due_date)


def contributions(record: QualityDossier) -> dict[str, int]:
    """What one handled dossier adds to its month's roll-ups."""
    result_issued = record.status == dossier_states.RESULT_ISSUED
    has_fee = record.fee_amount > 0
    return {
        "handled": 1,
        "late": int(record.late),
        "late_second_supplement": int(record.supplement_count >= 2),
        "handling_days": record.handling_days or 0,
        "online_e_result": int(record.channel == "online" and record.electronic_result),
        "fee_dossiers": int(has_fee),
        "paid_online": int(has_fee and record.paid_online),
        "results": int(result_issued),
        "e_results": int(result_issued and record.electronic_result),
        "digitised": int(record.digitised),
        "reused": int(record.registry_prefill or record.reused_documents),
        "registry": int(record.registry_prefill),
        "unhappy": int(record.unhappy),
    }


def mark_unhappy(record: QualityDossier | None) -> None:
    """A complaint or a dislike about the dossier: counted once against satisfaction."""
    if record is None or record.unhappy:
        return
    record.unhappy = True
    if record.handled:
        add(record.finished_month, scopes_of(record), {"unhappy": 1})


def on_new_date(change: DossierNewDate) -> None:
    """The promised date, written without reading the record first (one statement)."""
    db.session.execute(update(QualityDossier).where(QualityDossier.dossier_id == change.dossier_id)
                       .values(promised_date=change.new_date))

