"""What other domains may read of the population registry's copy, without its tables.

- `current_communes(personal_ids)`: where each citizen lives now, for a batch
  (identity replays its accounts with it);
- `stream_records(fields)`: every record's named fields, streamed in batches
  (the operations centre's data-quality snapshot reads every record once).
"""
from collections.abc import Iterable, Iterator

from sqlalchemy import select

from app.extensions import db
from app.registry.models import RegistryCitizen


def current_communes(personal_ids: Iterable[str], session=None) -> dict[str, str | None]:
    """{personal id: current commune code} for the ids the registry knows (one query)."""
    wanted = {pid for pid in personal_ids if pid}
    if not wanted:
        return {}
    rows = (session or db.session).execute(
        select(RegistryCitizen.personal_id, RegistryCitizen.current_commune_code)
        .where(RegistryCitizen.personal_id.in_(wanted)))
    return dict(rows.all())


def stream_records(fields: Iterable[str], batch_size: int = 10_000, session=None) -> Iterator:
    """Rows with the named fields of every record (attribute access), read `batch_size` at a time."""
    columns = [getattr(RegistryCitizen, name) for name in fields]
    result = (session or db.session).execute(select(*columns).execution_options(yield_per=batch_size))
    for rows in result.partitions():
        yield from rows
