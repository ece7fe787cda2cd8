"""Refuses NUL characters in request text before any view runs.

PostgreSQL cannot store or even compare text containing U+0000, so such a
value would end as a 500 in whichever query first meets it (a lookup by
login, a receipt code, a push token...). No field of this API accepts it, so
the request is refused once, here: 400 `invalid_characters` for the query
string, a JSON body or form fields; 404 for a path, which names no resource.
File uploads are binary and are not inspected.
"""
from flask import request

from app.common.errors import InvalidCharacters
from app.errors import NotFound

_NUL = "\x00"
_JSON_NUL = b"\\u0000"  # the only way a JSON text can carry U+0000
_QUERY_NUL = b"%00"


def refuse_nul_characters() -> None:
    if _NUL in request.path:
        raise NotFound()
    query = request.query_string   # a decoded NUL comes only from a "%00" (or a raw NUL) in it
    if (_QUERY_NUL in query or b"\x00" in query) and any(
            _NUL in key or _NUL in value for key, value in request.args.items(multi=True)):
        raise InvalidCharacters()
    if request.is_json and _JSON_NUL in request.get_data(cache=True):
        raise InvalidCharacters()
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if any(_NUL in key or _NUL in value for key, value in request.form.items(multi=True)):
            raise InvalidCharacters()
