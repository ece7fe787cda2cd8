"""Figures read from the database at each /metrics scrape (app/common/metrics.py).

They describe the whole deployment, not one node: every node reports the same
values, so dashboards take max() over nodes. Each is one grouped query.
- smart_outbox_backlog{channel}: messages not yet handed to a provider
- smart_outbox_oldest_undelivered_age_seconds: age of the oldest of them
- smart_worker_lag_seconds: how long the most overdue due message has waited
  past its due time (0 when the workers keep up): the workers' loop lag
- smart_outbox_messages{channel,status}: delivery outcomes by channel
- smart_worker_job_last_finished_timestamp_seconds{job}, smart_worker_job_failing{job}
- smart_payments{gateway,status}: payment outcomes
"""
from datetime import timezone

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from app.common.clock import utcnow
from app.extensions import db
from app.notifications.models import CREATED, SENDING, OutboxMessage, PeriodicJob
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
    overdue = db.session.scalar(select(func.min(OutboxMessage.next_attempt_at))
                                .where(*waiting, OutboxMessage.next_attempt_at <= now))
    outcomes = GaugeMetricFamily("smart_outbox_messages", "Outbox messages by channel and delivery status",
                                 labels=["channel", "status"])
    for channel, status, count in db.session.execute(
            select(OutboxMessage.channel, OutboxMessage.status, func.count())
            .group_by(OutboxMessage.channel, OutboxMessage.status)):
        outcomes.add_metric([channel, status], count)
    finished = GaugeMetricFamily("smart_worker_job_last_finished_timestamp_seconds",
                                 "When each periodic job of the workers last finished", labels=["job"])
    failing = GaugeMetricFamily("smart_worker_job_failing", "1 when the job's last run failed", labels=["job"])
    for name, last_finished, last_error in db.session.execute(
            select(PeriodicJob.name, PeriodicJob.last_finished_at, PeriodicJob.last_error)):
        if last_finished is not None:
            finished.add_metric([name], _aware(last_finished).timestamp())
        failing.add_metric([name], 1 if last_error else 0)
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
        GaugeMetricFamily("smart_worker_lag_seconds", "How long the most overdue due message has waited",
                          value=max(0.0, (now - _aware(overdue)).total_seconds()) if overdue else 0),
        outcomes, finished, failing, payments,
    ]


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
