"""Where a person or a gateway reaches this service.

`PUBLIC_URL` when set (behind a proxy: the public https address); otherwise
the loopback address on the port the service listens on (`PORT`, 8000 by
default), so changing the port moves every link with it: payment return and
IPN URLs, the mock gateways' pages, receipt checks, the links printed at start.
"""
from collections.abc import Mapping

DEFAULT_PORT = 8000


def listening_port(environ: Mapping[str, str]) -> int:
    return int(environ.get("PORT") or DEFAULT_PORT)


def public_url(environ: Mapping[str, str]) -> str:
    explicit = (environ.get("PUBLIC_URL") or "").strip().rstrip("/")
    return explicit or f"http://127.0.0.1:{listening_port(environ)}"
