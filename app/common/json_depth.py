"""Refuses JSON bodies nested deeper than MAX_JSON_DEPTH before any view parses them.

Python's JSON parser recurses once per level: `[` x 50,000 raised
RecursionError, a 500. No body of this API nests more than a few levels, so a
body deeper than 32 is refused with 400 `invalid_json`. The check costs
nothing for ordinary bodies: only a body holding more opening brackets than
the limit is parsed here (C speed, a RecursionError counts as too deep) and
its depth measured without recursion.
"""
import json

from flask import request

from app.common.errors import InvalidJson

MAX_JSON_DEPTH = 32


def refuse_deep_json() -> None:
    if not request.is_json:
        return
    data = request.get_data(cache=True)
    if data.count(b"[") + data.count(b"{") <= MAX_JSON_DEPTH:
        return
    try:
        document = json.loads(data)
    except RecursionError:
        raise InvalidJson() from None
    except ValueError:
        return  # not JSON at all: the view's parser answers that, in the envelope
    if depth(document) > MAX_JSON_DEPTH:
        raise InvalidJson()


def depth(document) -> int:
    """Nesting depth of a parsed JSON document (a scalar is 0), without recursion."""
    deepest, stack = 0, [(document, 0)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, level + 1)
            stack.extend((item, level + 1) for item in value)
    return deepest
