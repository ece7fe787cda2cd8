"""Cursor (keyset) pagination, stable under inserts.

Lists are ordered newest first by (created_at, id). The cursor is an opaque
base64 token of the last row's key; the next page holds rows strictly before it,
so rows inserted meanwhile never shift or repeat entries.
"""
import base64
import json
import uuid
from datetime import datetime

import marshmallow as ma
from sqlalchemy import and_, bindparam, or_

from app.common.errors import InvalidCursor
from app.errors import N_

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class PageArgsSchema(ma.Schema):
    cursor = ma.fields.String(load_default=None, metadata={"description": "`next_cursor` of the previous page"})
    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=ma.validate.Range(1, MAX_LIMIT))


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A `{items, next_cursor}` schema for `item_schema`."""
    return type(name, (ma.Schema,), {
        "items": ma.fields.List(ma.fields.Nested(item_schema)),
        "next_cursor": ma.fields.String(allow_none=True, metadata={"description": "null on the last page"}),
    })


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, row_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(created), uuid.UUID(row_id)
    except (ValueError, TypeError, json.JSONDecodeError) as error:
        raise InvalidCursor(errors={"cursor": [N_("The cursor is not valid.")]}) from error


def paginate(session, statement, model, *, cursor: str | None, limit: int, rows: bool = False) -> dict:
    """Runs `statement` (a select of `model`) one page at a time, newest first.

    With `rows`, the statement selects columns (with `created_at` and `id`) and the page holds rows.
    Hot lists build their page statement once instead (`keyset_page`).
    """
    page = keyset_page(statement, model, after_cursor=bool(cursor))
    # rows go through Core: the ORM's result handling is pure overhead for a page of columns
    run = session.connection().execute if rows else session.scalars
    return rows_page(list(run(page, page_values(cursor, limit))), limit)


# -- a page statement built once per shape, run with bound values ---------------------------------
def keyset_page(statement, model, *, after_cursor: bool):
    """`statement` as a page: newest first, `LIMIT :page_limit`, and with `after_cursor` only the rows
    before `:cursor_created_at, :cursor_id`. Build it once per shape and run it with `page_values`."""
    if after_cursor:
        created_at, row_id = bindparam("cursor_created_at"), bindparam("cursor_id")
        statement = statement.where(or_(model.created_at < created_at,
                                        and_(model.created_at == created_at, model.id < row_id)))
    return statement.order_by(model.created_at.desc(), model.id.desc()).limit(bindparam("page_limit"))


def page_values(cursor: str | None, limit: int) -> dict:
    """The bound values of a `keyset_page` statement (one row more than the page, to know if one follows)."""
    values = {"page_limit": limit + 1}
    if cursor:
        values["cursor_created_at"], values["cursor_id"] = decode_cursor(cursor)
    return values


def rows_page(rows: list, limit: int) -> dict:
    """`{items, next_cursor}` from the rows a `keyset_page` statement returned."""
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id)
    return {"items": rows, "next_cursor": next_cursor}
