"""Outgoing HTTP for gateway calls, on the standard library.

Adapters call `send(...)`, which uses the transport the app was given
(`app.extensions["payments.http"]`, replaced in tests) or urllib. Every
failure to get an answer becomes `GatewayUnavailable`, so callers handle one
exception for timeouts, refused connections and gateway 5xx.
"""
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, has_app_context

from app.payments.gateways.base import GatewayUnavailable
from app.payments.settings import settings


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes = b""
    headers: dict = field(default_factory=dict)

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise GatewayUnavailable(f"answer is not JSON (HTTP {self.status})") from error


Transport = Callable[..., HttpResponse]


def urllib_transport(method: str, url: str, *, json_body=None, params=None, timeout: float = 30) -> HttpResponse:
    """Sends one request; answers any HTTP status, raises GatewayUnavailable when there is none."""
    if params:
        url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
    data, headers = None, {"Accept": "application/json"}
    if json_body is not None:
        data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=UTF-8"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return HttpResponse(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return HttpResponse(error.code, error.read(), dict(error.headers or {}))
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as error:
        raise GatewayUnavailable(f"{method} {url.split('?')[0]}: {error}") from error


def send(method: str, url: str, *, json_body=None, params=None, timeout: float | None = None) -> HttpResponse:
    """Sends through the app's transport; 5xx answers count as unavailable."""
    transport: Transport = urllib_transport
    if has_app_context():
        transport = current_app.extensions.get("payments.http") or urllib_transport
        timeout = timeout or settings().http_timeout
    response = transport(method, url, json_body=json_body, params=params, timeout=timeout or 30)
    if response.status >= 500:
        raise GatewayUnavailable(f"{method} {url.split('?')[0]} answered HTTP {response.status}")
    return response
