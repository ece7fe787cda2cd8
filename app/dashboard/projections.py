"""What each domain event adds to the counters: handlers of declared event payloads only.

Every handler works the same way: the payload describes a record as it is
after the change (and what its status was before); the record's contribution
before is taken away and its contribution after is added. The differences are
gathered during the transaction and written once, just before it commits, in
key order (`app.common.at_commit`); a rollback writes nothing. `rebuild.py`
replays each domain's rows as the same payloads through the same
contribution functions.

e-ID accounts (identity: `account.registered`, `activated`, `level_changed`,
`disabled`, `enabled`): citizen accounts counted in the commune where the
registry says the citizen lives (the payload's `commune_code`):
  eid.registered            every citizen account, on the day it was created
  eid.activated             accounts whose status is active, on the day of activation
  eid.level2                active accounts at assurance level 2, on the day level 2 was reached

Dossiers (`dossier.transitioned`; submitted ones, drafts are the citizen's business), by commune,
agency and procedure:
  dossiers.status           by current status, on the day of submission
  dossiers.channel          online or desk, on the day of submission
  dossiers.resolved         decided (result issued or rejected) on time or late, on the day decided
  dossiers.processing_days  histogram of working days from reception to decision, pauses
                            for supplements left out, on the day decided
and the dossiers whose clock runs are mirrored into `dashboard_open_dossiers`
(`dossier.due_date_moved` moves a mirrored due date).

Payments (`payment.settled`, `refunded`, `expired`; `payment.refund_requested`, `refund_succeeded`,
`refund_failed`), by gateway and by the dossier's commune, agency and procedure:
  payments.collected, payments.count   amount and number of payments taken (succeeded, or
                                       refunded later), on the day paid
  payments.refunded, payments.refunds  amount and number of refunds by refund status, on the
                                       day the refund was asked for

Help from community digital-tech teams comes from the assistance domain's
events (`assistance.resident_helped`, ...), per commune of the team and day.
"""
from collections import Counter as Tally
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from types import SimpleNamespace

from sqlalchemy import bindparam, delete, update
from sqlalchemy.dialects import postgresql, sqlite

from app.common import at_commit, events
from app.common.clock import VIETNAM
from app.common.roles import CITIZEN
from app.common.workdays import working_days_between
from app.dashboard.counters import Key, apply_deltas
from app.dashboard.models import OpenDossier
from app.dossiers import states
from app.dossiers.events import DUE_DATE_MOVED, TRANSITIONED
from app.extensions import db
from app.identity.events import ACCOUNT_ACTIVATED, ACCOUNT_CHANGES, ACTIVE
from app.payments.events import NAMES as PAYMENT_MOVES
from app.payments.events import REFUND_NAMES
from app.payments.states import REFUNDED, SUCCEEDED

EID_REGISTERED, EID_ACTIVATED, EID_LEVEL2 = "eid.registered", "eid.activated", "eid.level2"
DOSSIERS_STATUS, DOSSIERS_CHANNEL = "dossiers.status", "dossiers.channel"
DOSSIERS_RESOLVED, DOSSIERS_PROCESSING_DAYS = "dossiers.resolved", "dossiers.processing_days"
ONLINE, DESK = "online", "desk"
ON_TIME, LATE = "on_time", "late"
PAYMENTS_COLLECTED, PAYMENTS_COUNT = "payments.collected", "payments.count"
PAYMENTS_REFUNDED, PAYMENTS_REFUNDS = "payments.refunded", "payments.refunds"
TAKEN = frozenset({SUCCEEDED, REFUNDED})

ACCOUNT_METRICS = (EID_REGISTERED, EID_ACTIVATED, EID_LEVEL2)
DOSSIER_METRICS = (DOSSIERS_STATUS, DOSSIERS_CHANNEL, DOSSIERS_RESOLVED, DOSSIERS_PROCESSING_DAYS)
PAYMENT_METRICS = (PAYMENTS_COLLECTED, PAYMENTS_COUNT)
REFUND_METRICS = (PAYMENTS_REFUNDED, PAYMENTS_REFUNDS)

COUNTERS = "dashboard.counters"   # what app.common.at_commit writes for the dashboard


def local_day(moment: datetime):
    return moment.astimezone(VIETNAM).date()


def count_at_commit(deltas: dict[Key, int]) -> None:
    """Adds counter differences that the current transaction writes when it commits."""
    at_commit.add(COUNTERS, deltas)


def _write_counters(deltas: dict[Key, int], session) -> None:
    apply_deltas(deltas, session=session)   # sorted by key: every transaction locks in the same order


def difference(contributions, before, after) -> Tally:
    """What changes when a record goes from `before` to `after` (None: absent)."""
    deltas: Tally = Tally()
    if after is not None:
        for key, amount in contributions(after):
            deltas[key] += amount
    if before is not None:
        for key, amount in contributions(before):
            deltas[key] -= amount
    return deltas


def _count(deltas: Tally) -> None:
    deltas = {key: value for key, value in deltas.items() if value}
    if deltas:
        count_at_commit(deltas)


# -- e-ID accounts ---------------------------------------------------------------------
def account_contributions(state) -> Iterable[tuple[Key, int]]:
    if state.role != CITIZEN or state.created_at is None:
        return
    commune = state.commune_code
    yield Key(EID_REGISTERED, local_day(state.created_at), commune_code=commune), 1
    if state.status != ACTIVE:
        return
    activated = state.activated_at or state.created_at
    yield Key(EID_ACTIVATED, local_day(activated), commune_code=commune), 1
    if (state.level or 0) >= 2:
        yield Key(EID_LEVEL2, local_day(state.level2_at or activated), commune_code=commune), 1


def account_states(payload: dict) -> tuple[SimpleNamespace | None, SimpleNamespace]:
    """(before, after) of an account event's payload; no before for a new account."""
    after = SimpleNamespace(**payload)
    if payload.get("previous_status") is None and payload.get("previous_level") is None:
        return None, after
    before = SimpleNamespace(**{**payload, "status": payload.get("previous_status") or payload.get("status"),
                                "level": payload["level"] if payload.get("previous_level") is None
                                else payload["previous_level"]})
    return before, after


def on_account_changed(**payload) -> None:
    _count(difference(account_contributions, *account_states(payload)))


# -- dossiers --------------------------------------------------------------------------
def _submitted(state) -> bool:
    return state.submitted_at is not None and state.status not in states.PRIVATE


def processing_days(state) -> int:
    """Working days from reception (or submission) to the decision, pauses left out."""
    started = local_day(state.received_at or state.submitted_at)
    return max(0, working_days_between(started, local_day(state.completed_at)) - (state.paused_days or 0))


def _dimensions(state) -> dict:
    return {"commune_code": state.commune_code or "", "agency_id": str(state.agency_id),
            "procedure_code": state.procedure_code or ""}


def dossier_contributions(state) -> Iterable[tuple[Key, int]]:
    if not _submitted(state):
        return
    dimensions = _dimensions(state)
    submitted = local_day(state.submitted_at)
    yield Key(DOSSIERS_STATUS, submitted, status=state.status, **dimensions), 1
    yield Key(DOSSIERS_CHANNEL, submitted, bucket=state.channel or ONLINE, **dimensions), 1
    if state.status in states.DECIDED and state.completed_at is not None:
        decided = local_day(state.completed_at)
        in_time = state.due_date is None or decided <= state.due_date
        yield Key(DOSSIERS_RESOLVED, decided, status=ON_TIME if in_time else LATE, **dimensions), 1
        yield Key(DOSSIERS_PROCESSING_DAYS, decided, bucket=str(processing_days(state)), **dimensions), 1


def dossier_states(payload: dict) -> tuple[SimpleNamespace | None, SimpleNamespace]:
    """(before, after) of a `dossier.transitioned` payload: before is the same dossier in `from_status`.

    Only the status differs that counts: no transition leaves a decided state,
    and the submission day, commune, agency, procedure and channel do not
    change once a dossier is submitted.
    """
    after = SimpleNamespace(**payload, status=payload["to_status"])
    if payload.get("from_status") is None:
        return None, after
    return SimpleNamespace(**payload, status=payload["from_status"]), after


def is_open(state) -> bool:
    """The clock runs: submitted, not decided, not waiting for the citizen's supplement."""
    return (state is not None and _submitted(state) and state.status in states.CLOCK_RUNNING
            and state.due_date is not None)


def open_row(state) -> dict:
    return {"dossier_id": state.dossier_id, "receipt_code": state.receipt_code, "status": state.status,
            "procedure_code": state.procedure_code or "", "agency_id": state.agency_id,
            "commune_code": state.commune_code or "", "due_date": state.due_date,
            "submitted_at": state.submitted_at}


def _mirror(before, after) -> None:
    """Keeps `dashboard_open_dossiers` in step, at once (a row of this dossier's own; no shared lock)."""
    if is_open(after):
        db.session.execute(_mirror_upsert(db.session.get_bind().dialect.name), open_row(after))
    elif is_open(before):
        db.session.execute(_MIRROR_DELETE, {"closed_id": after.dossier_id})


_MIRROR_DELETE = delete(OpenDossier.__table__).where(OpenDossier.__table__.c.dossier_id == bindparam("closed_id"))


@cache
def _mirror_upsert(dialect: str):
    """The open dossier's row written or brought up to date; built once per dialect, run with `open_row`."""
    table = OpenDossier.__table__
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.dossier_id],
        set_={name: statement.excluded[name] for name in ("status", "due_date", "receipt_code")})


def on_dossier_transitioned(**payload) -> None:
    before, after = dossier_states(payload)
    _mirror(before, after)
    _count(difference(dossier_contributions, before, after))


def on_due_date_moved(dossier_id, due_date, **_payload) -> None:
    table = OpenDossier.__table__
    db.session.execute(update(table).where(table.c.dossier_id == dossier_id).values(due_date=due_date))


# -- payments and refunds ----------------------------------------------------------------
def _dossier_scope(state) -> dict:
    """The paid dossier's agency and commune (unknown for a payment recorded before payments kept them)."""
    if state.agency_id is None:
        return {}
    return {"agency_id": str(state.agency_id), "commune_code": state.commune_code or ""}


def payment_contributions(state) -> Iterable[tuple[Key, int]]:
    if state.status not in TAKEN or state.paid_at is None:
        return
    dimensions = {**_dossier_scope(state), "procedure_code": state.procedure_code, "gateway": state.gateway}
    day = local_day(state.paid_at)
    yield Key(PAYMENTS_COLLECTED, day, **dimensions), state.amount
    yield Key(PAYMENTS_COUNT, day, **dimensions), 1


def refund_contributions(state) -> Iterable[tuple[Key, int]]:
    if state.requested_at is None:
        return
    dimensions = {**_dossier_scope(state), "procedure_code": state.procedure_code, "gateway": state.gateway,
                  "status": state.status}
    day = local_day(state.requested_at)
    yield Key(PAYMENTS_REFUNDED, day, **dimensions), state.amount
    yield Key(PAYMENTS_REFUNDS, day, **dimensions), 1


def moved_states(payload: dict) -> tuple[SimpleNamespace | None, SimpleNamespace]:
    """(before, after) of a payment's or a refund's move: before is the same record in `previous_status`."""
    after = SimpleNamespace(**payload)
    if payload.get("previous_status") is None:
        return None, after
    return SimpleNamespace(**{**payload, "status": payload["previous_status"]}), after


def on_payment_moved(**payload) -> None:
    _count(difference(payment_contributions, *moved_states(payload)))


def on_refund_moved(**payload) -> None:
    _count(difference(refund_contributions, *moved_states(payload)))


# -- help from community digital-tech teams (events of the assistance domain) ---------------
# assistance event -> metric; per commune of the team, on the day of the help
ASSISTANCE = {
    "assistance.resident_helped": "assistance.residents_helped",
    "assistance.account_registered": "assistance.accounts_registered",
    "assistance.account_activated": "assistance.accounts_activated",
    "assistance.dossier_submitted": "assistance.dossiers_submitted",
    "assistance.payment_completed": "assistance.payments_completed",
}


def _assistance_handler(metric: str):
    def handle(*, day, commune_code, **_payload) -> None:
        count_at_commit({Key(metric, day, commune_code=commune_code): 1})
    handle.__name__ = f"count_{metric.replace('.', '_')}"
    return handle


_ASSISTANCE_HANDLERS = {event_name: _assistance_handler(metric) for event_name, metric in ASSISTANCE.items()}


def install() -> None:
    """Starts counting the events of every domain (called by the dashboard's init_app)."""
    at_commit.register(COUNTERS, _write_counters)
    for name in (ACCOUNT_ACTIVATED, *ACCOUNT_CHANGES):
        events.subscribe(name, on_account_changed)
    events.subscribe(TRANSITIONED, on_dossier_transitioned)
    events.subscribe(DUE_DATE_MOVED, on_due_date_moved)
    for name in PAYMENT_MOVES:
        events.subscribe(name, on_payment_moved)
    for name in REFUND_NAMES:
        events.subscribe(name, on_refund_moved)
    for event_name, handler in _ASSISTANCE_HANDLERS.items():
        events.subscribe(event_name, handler)
