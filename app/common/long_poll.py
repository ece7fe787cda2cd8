"""A cap on the long polls one process holds at once.

A long poll keeps a worker thread busy while it waits. Without a cap, as many
polls as threads would leave nothing for ordinary requests (two polls froze a
node of two sync workers). Each process therefore holds at most
`LONG_POLL_SLOTS` waiting polls (gunicorn.conf.py sets it from the worker
model: half the threads under gthread, none under sync workers). A poll that
finds every slot taken is never queued: it gets the answer it would get
without waiting, at once, and the client polls again.
"""
import contextlib
import threading

from flask import current_app

DEFAULT_SLOTS = 4
_KEY = "long_poll_slots"


def init_app(app) -> None:
    """One semaphore per process (created when the app is, so after gunicorn forks)."""
    slots = int(app.config.get("LONG_POLL_SLOTS", DEFAULT_SLOTS))
    app.extensions[_KEY] = LongPollSlots(slots)


class LongPollSlots:
    def __init__(self, size: int):
        self.size = max(0, size)
        self._semaphore = threading.BoundedSemaphore(self.size) if self.size else None

    @contextlib.contextmanager
    def slot(self):
        """Yields True while holding a slot, False when none is free (the caller must not wait)."""
        if self._semaphore is None or not self._semaphore.acquire(blocking=False):
            yield False
            return
        try:
            yield True
        finally:
            self._semaphore.release()


@contextlib.contextmanager
def wait_slot(wanted_wait: float):
    """The seconds this request may wait: `wanted_wait` with a free slot, else 0."""
    if wanted_wait <= 0:
        yield 0
        return
    slots: LongPollSlots = current_app.extensions[_KEY]
    with slots.slot() as held:
        yield wanted_wait if held else 0
