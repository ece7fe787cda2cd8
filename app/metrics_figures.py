"""Figures read from the database at each /metrics scrape (app/common/metrics.py).

State, not events: what is waiting now. They describe the whole deployment,
not one node: every node reports the same values, so dashboards take max() over
nodes. Each is one grouped query.
- smart_outbox_backlog{channel}: messages not yet handed to a provider
- smart_outbox_oldest_undelivered_age_seconds: age of the oldest of them
- smart_payments{gateway,status}: payment outcomes
What the workers do (deliveries, loop lag, job runs) is counted by the worker
processes themselves (app/notifications/worker.py, `WorkerSeries`).
"""
from datetime import timezone

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from app.common.clock import utcnow
from app.extensions import db
from app.notifications.models import CREATED, SENDING, OutboxMessage
from app.payments.models import Payment


def database_figures() -> list:
    now = utcnow()
    waiting = (OutboxMessage.status.in_((CREATED, SENDING)), OutboxMessage.sent_at.is_(None))
    backlog = GaugeMetricFamily("smart_outbox_backlog", "Outbox messages not yet handed to a provider",
                                labels=["channel"])
    for channel, count in db.session.execute(
            select(OutboxMessage.channel, func.count()).where(*waiting).group_by(OutboxMessage.channel)):
        backlog.add_metric([channel], count)
    oldest = db.session.scalar(select(func.min(OutboxMessage.created_at)).where(*waiting))
    payments = GaugeMetricFamily("smart_payments", "Payments by gateway and status", labels=["gateway", "status"])
    for gateway, status, count in db.session.execute(
            select(Payment.gateway, Payment.status, func.count()).group_by(Payment.gateway, Payment.status)):
        payments.add_metric([gateway, status], count)
    db.session.commit()
    return [
        backlog,
        GaugeMetricFamily("smart_outbox_oldest_undelivered_age_seconds",
                          "Age of the oldest outbox message not yet handed to a provider",
                          value=(now - _aware(oldest)).total_seconds() if oldest else 0),
        payments,
    ]


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
