"""Security headers on every response: one fixed set, written once, plus two rules per request.

The fixed set, the same on every answer:
- `X-Content-Type-Options: nosniff`;
- a Content-Security-Policy with `frame-ancestors 'none'` (and `X-Frame-Options:
  DENY` for old browsers): scripts only from this origin (the docs page starts
  Swagger UI from app/static/swagger-init.js, its settings in a JSON data block:
  no inline script anywhere, so no nonce and the same headers on every answer),
  no plugins, styles from this origin or inline (Swagger UI and the mock
  gateway pages style inline);
- `Referrer-Policy: no-referrer` (links carry ids and codes);
- `Permissions-Policy: browsing-topics=()` (no interest-based advertising topics).
No redirect to HTTPS (the reverse proxy terminates TLS).

Because nothing in the set depends on the request (no nonce, no per-view
policy), it is rendered once at start-up and copied onto each response:
Flask-Talisman, used before, parsed and rendered its policy dictionaries on
every answer, a tenth of the bare endpoint's time.

The two rules that depend on the request:
- HSTS only in production and only when the request really came over HTTPS:
  `request.is_secure`, which believes X-Forwarded-Proto only from the
  TRUSTED_PROXIES hops;
- `Cache-Control: no-store` on every answer to an authenticated request (a
  bearer token or a QR poll secret was sent), so no shared cache or browser
  keeps personal data (the token-issuing answers set it themselves).
"""
from flask import request

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
}
HSTS = "max-age=31536000; includeSubDomains"
FIXED_HEADERS = (
    ("Permissions-Policy", "browsing-topics=()"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "; ".join(f"{directive} {sources}" for directive, sources in CSP.items())),
    ("Referrer-Policy", "no-referrer"),
)


def init_app(app) -> None:
    production = app.config["APP_ENV"] == "production"
    if production:
        app.config["SESSION_COOKIE_SECURE"] = True   # the OIDC login pages' cookie goes over HTTPS only

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        for name, value in FIXED_HEADERS:
            headers[name] = value
        if production and request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        if request.headers.get("Authorization") or request.headers.get("X-Poll-Secret"):
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response
