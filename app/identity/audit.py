"""The security log: every authentication success and failure, every refusal.

One JSON line per event on the `app.identity.audit` logger, with the event
name, the outcome and ids (account, session, client address). Callers pass
identifiers only, never a password, code, secret or token; personal ids and
phone numbers are masked here and again by the log formatter.
"""
import logging

from app.common.masking import mask_text
from app.common.metrics import count_auth_event

log = logging.getLogger("app.identity.audit")


def audit(event: str, *, ok: bool = True, **fields) -> None:
    """Logs one security event; `fields` are plain identifiers (masked when text)."""
    clean = {key: mask_text(value) if isinstance(value, str) else _plain(value)
             for key, value in fields.items() if value is not None}
    clean["event"] = event
    clean["outcome"] = "success" if ok else "failure"
    count_auth_event(event, clean["outcome"])   # smart_auth_events_total, whatever the log level
    log.log(logging.INFO if ok else logging.WARNING, event, extra={"audit": clean})


def _plain(value):
    return str(value) if not isinstance(value, (int, float, bool, list, tuple)) else value
