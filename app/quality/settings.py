"""The service-quality domain's tunables, with defaults; each may be overridden in the config.

Keys are `QUALITY_<NAME>`, in the environment or the config (for example
`QUALITY_RATING_WINDOW_DAYS=60`, `QUALITY_STALL_LIMITS_HOURS='{"in_processing": 24}'`;
limits and weights merge with the defaults).
"""
from dataclasses import dataclass, field, fields

from flask import current_app

from app.common.errors import ConfigurationError

# Working hours a dossier may sit in one state before it counts as stalled
DEFAULT_STALL_LIMITS = {"submitted": 8, "received": 8, "in_processing": 40, "pending_approval": 16,
                        "approved": 8}
# Index weights: the maximum points of each indicator (points = share x weight, linear). Not the
# annex of Decision 766's table, which was not obtained (docs/quality.md, "Points"): on_time 20 and
# satisfaction 6 are the maxima a published summary of the decision gives; the others are
# placeholders for the province to set from the annex as it applies it.
DEFAULT_WEIGHTS = {"on_time": 20.0, "online": 12.0, "online_payment_procedures": 5.0,
                   "online_payment_dossiers": 5.0, "electronic_results": 6.0, "digitised": 6.0,
                   "reuse": 5.0, "population_db": 5.0, "complaints_on_time": 6.0, "satisfaction": 6.0}


@dataclass(frozen=True)
class QualitySettings:
    rating_window_days: int = 30          # calendar days after the dossier finished
    complaint_days: int = 15              # working days to answer a complaint
    complaint_refuse_days: int = 2        # working days to refuse to handle one
    complaint_info_days: int = 5          # working days to ask for more information
    complaint_escalate_after_days: int = 5   # working days overdue before the province is told (level 2)
    working_day_start_hour: int = 8       # local time; 8:00-12:00 and 13:00-17:00
    stall_limits_hours: dict = field(default_factory=lambda: dict(DEFAULT_STALL_LIMITS))
    stall_leader_factor: int = 2          # the leader is told at this many times the limit
    index_weights: dict = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    # The share (percent) at which an indicator earns its full points, proportionally below;
    # an indicator without one earns them at 100 % (points = share x weight)
    index_targets: dict = field(default_factory=dict)

    def stall_limit(self, status: str) -> int | None:
        return self.stall_limits_hours.get(status)


def build(config) -> QualitySettings:
    overrides = {}
    for f in fields(QualitySettings):
        key = f"QUALITY_{f.name.upper()}"
        if key not in config:
            continue
        value = config[key]
        if f.name == "stall_limits_hours":
            value = {**DEFAULT_STALL_LIMITS, **{k: int(v) for k, v in dict(value).items()}}
        elif f.name == "index_weights":
            value = {**DEFAULT_WEIGHTS, **{_scored(key, k): float(v) for k, v in dict(value).items()}}
        elif f.name == "index_targets":
            value = {_scored(key, k): _target(k, v) for k, v in dict(value).items()}
        else:
            value = int(value)
        overrides[f.name] = value
    return QualitySettings(**overrides)


def _scored(key: str, code: str) -> str:
    if code not in DEFAULT_WEIGHTS:
        raise ConfigurationError(f"{key}: {code!r} is not an indicator that earns points "
                                 f"({', '.join(DEFAULT_WEIGHTS)})")
    return code


def _target(code: str, value) -> float:
    try:
        target = float(value)
    except (TypeError, ValueError) as error:
        raise ConfigurationError(f"QUALITY_INDEX_TARGETS: the target of {code} is not a number") from error
    if not 0 < target <= 100:
        raise ConfigurationError(f"QUALITY_INDEX_TARGETS: the target of {code} must be above 0 and at most 100")
    return target


def settings() -> QualitySettings:
    """The settings of the current app (built when the app starts: app/quality/__init__.py)."""
    return current_app.extensions["quality_settings"]
