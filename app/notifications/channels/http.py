"""A small JSON-over-HTTPS client on the standard library, for the adapters."""
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from app.notifications.channels.base import TemporaryFailure


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    headers: dict

    def json(self) -> dict:
        try:
            data = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def retry_after(self) -> float | None:
        try:
            return float(self.headers.get("retry-after", ""))
        except ValueError:
            return None


def post(url: str, *, json_body: dict | None = None, form: dict | None = None,
         headers: dict | None = None, timeout: float = 10) -> HttpResponse:
    """POSTs and returns the response, whatever its status.

    Only a failure to get any answer (connection refused, DNS, timeout) raises,
    as a `TemporaryFailure`.
    """
    headers = dict(headers or {})
    if json_body is not None:
        data = json.dumps(json_body, ensure_ascii=False).encode()
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
    else:
        data = urllib.parse.urlencode(form or {}).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured URL)
            return HttpResponse(response.status, response.read(), _lower(response.headers))
    except urllib.error.HTTPError as error:
        return HttpResponse(error.code, error.read() or b"", _lower(error.headers or {}))
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise TemporaryFailure(f"no answer from {urllib.parse.urlsplit(url).netloc}: {reason}") from error


def _lower(headers) -> dict:
    return {key.lower(): value for key, value in dict(headers).items()}
