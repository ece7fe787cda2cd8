"""The issuer identifier: `OIDC_ISSUER`, else (development) the URL the request reached."""
from flask import has_request_context, request

from app.oidc.settings import settings

DEFAULT_ISSUER = "http://127.0.0.1:8000"    # the worker, without a request, in development


def current_issuer() -> str:
    if settings().issuer:
        return settings().issuer
    return request.url_root.rstrip("/") if has_request_context() else DEFAULT_ISSUER
