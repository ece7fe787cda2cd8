"""What each tracked model contributes to the counters (see tracking.py).

e-ID accounts (identity): citizen accounts counted in the commune where the
registry says the citizen lives (`current_commune_code`):
  eid.registered            every citizen account, on the day it was created
  eid.activated             accounts whose status is active, on the day of activation
  eid.level2                active accounts at assurance level 2, on the day level 2 was reached

Dossiers (submitted ones; drafts are the citizen's business), by commune, agency and procedure:
  dossiers.status           by current status, on the day of submission
  dossiers.channel          online or desk, on the day of submission
  dossiers.resolved         decided (result issued or rejected) on time or late, on the day decided
  dossiers.processing_days  histogram of working days from reception to decision, pauses
                            for supplements left out, on the day decided
and the dossiers whose clock runs are mirrored into `dashboard_open_dossiers`.

Payments, by gateway and by the dossier's commune, agency and procedure:
  payments.collected, payments.count   amount and number of payments taken (succeeded, or
                                       refunded later), on the day paid
  payments.refunded, payments.refunds  amount and number of refunds by refund status, on the
                                       day the refund was asked for

Help from community digital-tech teams comes from the assistance domain's
events (`assistance.resident_helped`, ...), per commune of the team and day.
"""
from datetime import datetime

from sqlalchemy import delete, insert, select

from app.assistance.figures import EVENTS
from app.assistance.models import DAY, TEAM, FigureCounter, Team
from app.catalog.models import Procedure
from app.common import events
from app.common.clock import VIETNAM
from app.common.workdays import working_days_between
from app.dashboard import tracking
from app.dashboard.counters import Key, apply_deltas
from app.dashboard.models import Counter, OpenDossier
from app.dossiers import states
from app.dossiers.models import Dossier
from app.identity.models import ACTIVE, Account
from app.payments.models import Payment, Refund
from app.payments.states import REFUNDED, SUCCEEDED
from app.common.roles import CITIZEN
from app.registry.models import RegistryCitizen

EID_REGISTERED, EID_ACTIVATED, EID_LEVEL2 = "eid.registered", "eid.activated", "eid.level2"
DOSSIERS_STATUS, DOSSIERS_CHANNEL = "dossiers.status", "dossiers.channel"
DOSSIERS_RESOLVED, DOSSIERS_PROCESSING_DAYS = "dossiers.resolved", "dossiers.processing_days"
ONLINE, DESK = "online", "desk"
ON_TIME, LATE = "on_time", "late"


def local_day(moment: datetime):
    return moment.astimezone(VIETNAM).date()


# -- e-ID accounts ---------------------------------------------------------------------
def _prefetch_communes(states, context) -> None:
    wanted = {s.personal_id for s in states if s.personal_id} - set(context.cache.get("commune", {}))
    if not wanted:
        return
    found = dict(context.connection.execute(
        select(RegistryCitizen.personal_id, RegistryCitizen.current_commune_code)
        .where(RegistryCitizen.personal_id.in_(wanted))).all())
    bucket = context.cache.setdefault("commune", {})
    for personal_id in wanted:
        bucket[personal_id] = found.get(personal_id)


def _account_contributions(state, context):
    if state.role != CITIZEN or not state.personal_id or state.created_at is None:
        return
    commune = context.memo("commune", state.personal_id, lambda: None)
    yield Key(EID_REGISTERED, local_day(state.created_at), commune_code=commune), 1
    if state.status != ACTIVE:
        return
    activated = state.activated_at or state.created_at
    yield Key(EID_ACTIVATED, local_day(activated), commune_code=commune), 1
    if state.level >= 2:
        yield Key(EID_LEVEL2, local_day(state.level2_at or activated), commune_code=commune), 1


ACCOUNTS = tracking.Projection(
    model=Account,
    attributes=("role", "status", "level", "personal_id", "created_at", "activated_at", "level2_at"),
    contributions=_account_contributions,
    prefetch=_prefetch_communes,
    metrics=(EID_REGISTERED, EID_ACTIVATED, EID_LEVEL2),
)


# -- dossiers --------------------------------------------------------------------------
_procedure_codes: dict = {}   # procedure id -> code; codes never change


def _prefetch_procedures(states, context) -> None:
    wanted = {s.procedure_id for s in states} - set(_procedure_codes)
    if wanted:
        _procedure_codes.update(context.connection.execute(
            select(Procedure.id, Procedure.code).where(Procedure.id.in_(wanted))).all())


def _submitted(state) -> bool:
    return state.submitted_at is not None and state.status not in states.PRIVATE


def processing_days(state) -> int:
    """Working days from reception (or submission) to the decision, pauses left out."""
    started = local_day(state.received_at or state.submitted_at)
    return max(0, working_days_between(started, local_day(state.completed_at)) - (state.paused_days or 0))


def _dossier_contributions(state, _context):
    if not _submitted(state):
        return
    dimensions = {"commune_code": state.commune_code or "", "agency_id": str(state.agency_id),
                  "procedure_code": _procedure_codes.get(state.procedure_id, "")}
    submitted = local_day(state.submitted_at)
    yield Key(DOSSIERS_STATUS, submitted, status=state.status, **dimensions), 1
    yield Key(DOSSIERS_CHANNEL, submitted, bucket=getattr(state, "channel", None) or ONLINE, **dimensions), 1
    if state.status in states.DECIDED and state.completed_at is not None:
        decided = local_day(state.completed_at)
        in_time = state.due_date is None or decided <= state.due_date
        yield Key(DOSSIERS_RESOLVED, decided, status=ON_TIME if in_time else LATE, **dimensions), 1
        yield Key(DOSSIERS_PROCESSING_DAYS, decided, bucket=str(processing_days(state)), **dimensions), 1


def is_open(state) -> bool:
    """The clock runs: submitted, not decided, not waiting for the citizen's supplement."""
    return (state is not None and _submitted(state) and state.status in states.CLOCK_RUNNING
            and state.due_date is not None)


def _mirror_open_dossiers(context, pairs) -> None:
    table = OpenDossier.__table__
    # only a dossier that was open has a row to remove (a draft being submitted has none)
    gone = [(new or old).id for old, new in pairs if is_open(old)]
    if gone:
        context.connection.execute(delete(table).where(table.c.dossier_id.in_(gone)))
    rows = [{"dossier_id": new.id, "receipt_code": new.receipt_code, "status": new.status,
             "procedure_code": _procedure_codes.get(new.procedure_id, ""), "agency_id": new.agency_id,
             "commune_code": new.commune_code or "", "due_date": new.due_date, "submitted_at": new.submitted_at}
            for _old, new in pairs if is_open(new)]
    if rows:
        context.connection.execute(insert(table), rows)


_DOSSIER_ATTRIBUTES = ("id", "status", "procedure_id", "agency_id", "commune_code", "receipt_code",
                       "submitted_at", "received_at", "completed_at", "due_date", "paused_days")
DOSSIERS = tracking.Projection(
    model=Dossier,
    # the channel is read when the dossiers domain records one; until then every dossier is online
    attributes=_DOSSIER_ATTRIBUTES + (("channel",) if hasattr(Dossier, "channel") else ()),
    contributions=_dossier_contributions,
    prefetch=_prefetch_procedures,
    metrics=(DOSSIERS_STATUS, DOSSIERS_CHANNEL, DOSSIERS_RESOLVED, DOSSIERS_PROCESSING_DAYS),
    mirror=_mirror_open_dossiers,
    mirror_table=OpenDossier.__table__,
)


# -- payments and refunds ----------------------------------------------------------------
PAYMENTS_COLLECTED, PAYMENTS_COUNT = "payments.collected", "payments.count"
PAYMENTS_REFUNDED, PAYMENTS_REFUNDS = "payments.refunded", "payments.refunds"
TAKEN = frozenset({SUCCEEDED, REFUNDED})


def _prefetch_dossier_scopes(dossier_ids, context) -> None:
    known = context.cache.setdefault("dossier", {})
    wanted = set(dossier_ids) - set(known)
    if wanted:
        rows = context.connection.execute(select(Dossier.id, Dossier.agency_id, Dossier.commune_code)
                                          .where(Dossier.id.in_(wanted)))
        known.update({row.id: {"agency_id": str(row.agency_id), "commune_code": row.commune_code or ""}
                      for row in rows})


def _prefetch_payment_scopes(states, context) -> None:
    _prefetch_dossier_scopes({s.dossier_id for s in states}, context)


def _payment_contributions(state, context):
    if state.status not in TAKEN or state.paid_at is None:
        return
    scope = context.cache["dossier"].get(state.dossier_id, {})
    dimensions = {**scope, "procedure_code": state.procedure_code, "gateway": state.gateway}
    day = local_day(state.paid_at)
    yield Key(PAYMENTS_COLLECTED, day, **dimensions), state.amount
    yield Key(PAYMENTS_COUNT, day, **dimensions), 1


PAYMENTS = tracking.Projection(
    model=Payment,
    attributes=("status", "gateway", "amount", "paid_at", "procedure_code", "dossier_id"),
    contributions=_payment_contributions,
    prefetch=_prefetch_payment_scopes,
    metrics=(PAYMENTS_COLLECTED, PAYMENTS_COUNT),
)


def _prefetch_refund_scopes(states, context) -> None:
    known = context.cache.setdefault("payment", {})
    wanted = {s.payment_id for s in states} - set(known)
    if wanted:
        rows = context.connection.execute(select(Payment.id, Payment.gateway, Payment.dossier_id,
                                                 Payment.procedure_code).where(Payment.id.in_(wanted)))
        known.update({row.id: row for row in rows})
    _prefetch_dossier_scopes({known[s.payment_id].dossier_id for s in states if s.payment_id in known}, context)


def _refund_contributions(state, context):
    payment = context.cache["payment"].get(state.payment_id)
    if payment is None or state.created_at is None:
        return
    dimensions = {**context.cache["dossier"].get(payment.dossier_id, {}), "procedure_code": payment.procedure_code,
                  "gateway": payment.gateway, "status": state.status}
    day = local_day(state.created_at)
    yield Key(PAYMENTS_REFUNDED, day, **dimensions), state.amount
    yield Key(PAYMENTS_REFUNDS, day, **dimensions), 1


REFUNDS = tracking.Projection(
    model=Refund,
    attributes=("status", "amount", "created_at", "payment_id"),
    contributions=_refund_contributions,
    prefetch=_prefetch_refund_scopes,
    metrics=(PAYMENTS_REFUNDED, PAYMENTS_REFUNDS),
)


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
        tracking.count_at_commit({Key(metric, day, commune_code=commune_code): 1})
    handle.__name__ = f"count_{metric.replace('.', '_')}"
    return handle


_ASSISTANCE_HANDLERS = {event_name: _assistance_handler(metric) for event_name, metric in ASSISTANCE.items()}


def rebuild_assistance(session) -> int:
    """Recounts the help figures from the assistance domain's own daily team counters."""
    connection = session.connection()
    connection.execute(delete(Counter).where(Counter.metric.in_(ASSISTANCE.values())))
    metric_of = {name: ASSISTANCE[event_name] for name, event_name in EVENTS.items()}
    rows = session.execute(select(FigureCounter.metric, FigureCounter.start, Team.commune_code,
                                  FigureCounter.value)
                           .join(Team, Team.id == FigureCounter.team_id)
                           .where(FigureCounter.period == DAY, FigureCounter.member_id == TEAM))
    deltas: dict[Key, int] = {}
    for name, day, commune, value in rows:
        key = Key(metric_of[name], day, commune_code=commune)
        deltas[key] = deltas.get(key, 0) + value
    return apply_deltas(deltas, connection=connection)


def install() -> None:
    """Starts keeping the counters of every tracked model and event current."""
    for projection in (ACCOUNTS, DOSSIERS, PAYMENTS, REFUNDS):
        tracking.register(projection)
    for event_name, handler in _ASSISTANCE_HANDLERS.items():
        events.subscribe(event_name, handler)
