"""The dashboard's settings: a typed, frozen view of the configuration."""
import re
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class DashboardSettings:
    day_rows_months: int         # months whose day rows are kept (0: all); older months keep month rows
    rebuild_work_mem: str        # PostgreSQL work_mem of the rebuild's roll-up, e.g. "1GB"


_MEMORY = re.compile(r"\d{1,6}(kB|MB|GB)")


def settings() -> DashboardSettings:
    """The current app's dashboard settings (read on each call: tests change the configuration)."""
    work_mem = current_app.config["DASHBOARD_REBUILD_WORK_MEM"]
    if not _MEMORY.fullmatch(work_mem):
        raise ValueError(f"DASHBOARD_REBUILD_WORK_MEM must be a PostgreSQL memory size such as 1GB, not {work_mem!r}")
    return DashboardSettings(day_rows_months=current_app.config["DASHBOARD_DAY_ROWS_MONTHS"],
                             rebuild_work_mem=work_mem)
