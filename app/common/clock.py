"""The one source of the current time; tests move it with time-machine."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today():
    """Today's date in Vietnam, for rules counted in calendar or working days."""
    return utcnow().astimezone(VIETNAM).date()
