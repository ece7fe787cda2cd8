"""The reports domain's tunables, with defaults; each may be overridden in the config.

Keys are `REPORTS_<NAME>` (for example `REPORTS_DUPLICATE_RADIUS_M=80`).
"""
from dataclasses import dataclass, fields

from flask import current_app


@dataclass(frozen=True)
class ReportSettings:
    province_code: str = "80"
    duplicate_radius_m: float = 50.0       # a report this close, same category ...
    duplicate_days: int = 30               # ... filed this recently, is a likely duplicate
    max_photos: int = 5
    photo_max_bytes: int = 8 * 1024 * 1024
    photo_max_side: int = 2048             # longer side after re-encoding, in pixels
    daily_limit_per_account: int = 10      # reports one account may file per day
    daily_limit_per_place: int = 2         # reports one account may file per day within the radius
    window_days: int = 7                   # after resolution: rate or reopen, then it closes itself
    escalation_steps: tuple = (1, 3)       # working days overdue that raise level 1, level 2
    description_max: int = 2000


def settings() -> ReportSettings:
    """The settings of the current app (built once per app)."""
    cached = current_app.extensions.get("reports_settings")
    if cached is None:
        config = current_app.config
        overrides = {}
        for f in fields(ReportSettings):
            key = f"REPORTS_{f.name.upper()}"
            if key in config:
                value = config[key]
                overrides[f.name] = tuple(value) if f.name == "escalation_steps" else type(f.default)(value)
        overrides.setdefault("province_code", f"{int(config.get('DEMO_PROVINCE_CODE', 80)):02d}")
        cached = ReportSettings(**overrides)
        current_app.extensions["reports_settings"] = cached
    return cached
