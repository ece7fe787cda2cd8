"""Periodic jobs of the dashboard, run by the worker (`flask worker run`)."""
from app.dashboard.registry_figures import refresh_registry_figures
from app.notifications.worker import register_periodic

# The registry changes slowly; adults also age into the figures once a day.
register_periodic("dashboard.refresh_registry_figures", 3600, refresh_registry_figures)
