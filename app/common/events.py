"""In-process domain events, handled synchronously inside the publisher's transaction.

A domain publishes what happened (`publish("dossier.rejected", dossier_id=...)`);
other domains subscribe at start-up (`subscribe("dossier.rejected", handler)`).
Handlers run before the publisher commits, so their writes (outbox messages,
refund records) share its transaction: all or nothing. Handlers must only write
to the database; slow or outside work goes to the worker through the outbox.
"""
from collections import defaultdict
from collections.abc import Callable

_handlers: dict[str, list[Callable[..., None]]] = defaultdict(list)


def subscribe(event: str, handler: Callable[..., None]) -> None:
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def publish(event: str, **payload) -> None:
    for handler in list(_handlers[event]):
        handler(**payload)
