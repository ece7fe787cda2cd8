"""A small JSON client over urllib for the tests that talk to a real demo server."""
import json
import urllib.error
import urllib.request


def call(method: str, url: str, body=None, token: str | None = None, headers: dict | None = None):
    """(status, parsed JSON or text, headers); never raises on an HTTP error status."""
    data, sent = None, dict(headers or {})
    if body is not None:
        data, sent["Content-Type"] = json.dumps(body).encode(), "application/json"
    if token:
        sent["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            status, raw, got = answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), dict(error.headers)
    text = raw.decode("utf-8", errors="replace")
    try:
        return status, json.loads(text), got
    except ValueError:
        return status, text, got
