"""The service-quality periodic jobs, run by the worker (`flask worker run`)."""
from app.common.jobs import register_periodic
from app.quality import complaints, stalls
from app.quality.settings import settings


def scan_stalls_job() -> int:   # the worker commits
    sent = stalls.scan_stalls(settings())
    return sent


def escalate_complaints_job() -> int:
    sent = complaints.escalate_overdue(settings())
    return sent


# Working hours count in quarter hours at best; every 15 minutes is prompt enough.
register_periodic("quality.scan_stalls", 15 * 60, scan_stalls_job)
register_periodic("quality.escalate_complaints", 3600, escalate_complaints_job)
