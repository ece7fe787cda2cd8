"""The payments domain's periodic jobs, registered with the worker (`flask worker run`)."""
from app.common.jobs import register_periodic
from app.payments.reconciliation import daily_statement, expire_stale_payments, reconcile_pending_payments
from app.payments.refunds import execute_pending_refunds

register_periodic("payments.reconcile", 120, reconcile_pending_payments)
register_periodic("payments.expire", 60, expire_stale_payments)
register_periodic("payments.refunds", 60, execute_pending_refunds)
# Yesterday's statement (Vietnam time); rerunning replaces it, so a run every few hours is harmless
register_periodic("payments.daily_statement", 6 * 3600, daily_statement)
