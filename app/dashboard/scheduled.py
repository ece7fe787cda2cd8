"""Periodic jobs of the dashboard, run by the worker (`flask worker run`)."""
from app.dashboard.registry_figures import refresh_registry_figures
from app.dashboard.retention import compact
from app.common.jobs import register_periodic

# The registry changes slowly; adults also age into the figures once a day.
register_periodic("dashboard.refresh_registry_figures", 3600, refresh_registry_figures)
# The horizon moves once a month; a weekly run follows it and removes day rows counted late.
register_periodic("dashboard.compact_day_rows", 7 * 24 * 3600, compact)
