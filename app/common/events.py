"""In-process domain events, handled synchronously inside the publisher's transaction.

A domain declares the events it publishes, each with a typed payload (a frozen
dataclass in the domain's events.py), in its init_app:

    events.declare(DossierTransitioned, "dossier.transitioned", "dossier.rejected", ...)

and publishes them from the service that made the change:

    events.publish("dossier.rejected", DossierTransitioned(dossier_id=..., ...))

Other domains subscribe in their own init_app (`subscribe("dossier.rejected",
handler)`); a handler receives the payload's fields as keyword arguments.
Handlers run before the publisher commits, so their writes (outbox messages,
refund records) share its transaction: all or nothing. Handlers must only write
to the database; slow or outside work goes to the worker through the outbox.
`table()` lists who publishes and who listens (docs/architecture.md shows it).
"""
import dataclasses
from collections import defaultdict
from collections.abc import Callable

_handlers: dict[str, list[Callable[..., None]]] = defaultdict(list)
_declared: dict[str, type] = {}


def declare(payload_type: type, *names: str) -> None:
    """`names` are published with a `payload_type` payload (a dataclass)."""
    for name in names:
        _declared[name] = payload_type


def subscribe(event: str, handler: Callable[..., None]) -> None:
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def publish(event: str, payload=None, **fields) -> None:
    """Calls every handler of `event` with the payload's fields.

    The domains always publish a declared payload; keyword fields alone are
    accepted for tests that play a publisher's part.
    """
    declared = _declared.get(event)
    if payload is not None:
        if declared is not None and not isinstance(payload, declared):
            raise TypeError(f"{event} is published with a {declared.__name__} payload")
        fields = {field.name: getattr(payload, field.name) for field in dataclasses.fields(payload)}
    for handler in list(_handlers[event]):
        handler(**fields)


def _where(thing) -> str:
    module = thing.__module__.removeprefix("app.")
    name = getattr(thing, "__qualname__", type(thing).__name__).split(".<locals>")[0]
    return f"`{module}.{name}`"


def table() -> str:
    """Who publishes what, with which payload, and who listens: a Markdown table."""
    rows = ["| event | payload (publisher) | listeners |", "|---|---|---|"]
    for name in sorted(set(_declared) | {n for n, hs in _handlers.items() if hs}):
        payload = _declared.get(name)
        listeners = ", ".join(_where(h) for h in _handlers.get(name, ())) or "none yet"
        rows.append(f"| `{name}` | {_where(payload) if payload else 'undeclared'} | {listeners} |")
    return "\n".join(rows) + "\n"
