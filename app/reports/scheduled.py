"""Periodic jobs of the reports domain, run by the worker (`flask worker run`)."""
from app.common.jobs import register_periodic
from app.reports.jobs import close_unrated, escalate_overdue

register_periodic("reports.escalate_overdue", 900, escalate_overdue)
register_periodic("reports.close_unrated", 3600, close_unrated)
