"""The dashboard's settings: a typed, frozen view of the configuration."""
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class DashboardSettings:
    day_rows_months: int         # months whose day rows are kept (0: all); older months keep month rows


def settings() -> DashboardSettings:
    """The current app's dashboard settings (read on each call: tests change the configuration)."""
    return DashboardSettings(day_rows_months=current_app.config["DASHBOARD_DAY_ROWS_MONTHS"])
