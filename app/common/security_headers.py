"""Security headers on every response (Flask-Talisman, plus two rules it cannot express).

Flask-Talisman sets, on every response:
- `X-Content-Type-Options: nosniff`;
- a Content-Security-Policy with `frame-ancestors 'none'` (and `X-Frame-Options:
  DENY` for old browsers): scripts only from this origin (the docs page starts
  Swagger UI from app/static/swagger-init.js, its settings in a JSON data block:
  no inline script anywhere, so no nonce and the same headers on every answer),
  no plugins, styles from this origin or inline (Swagger UI and the mock
  gateway pages style inline);
- `Referrer-Policy: no-referrer` (links carry ids and codes).
It does not redirect to HTTPS (the reverse proxy terminates TLS).

Two rules are ours:
- HSTS only in production and only when the request really came over HTTPS:
  `request.is_secure`, which believes X-Forwarded-Proto only from the
  TRUSTED_PROXIES hops (Talisman would believe the header from anyone);
- `Cache-Control: no-store` on every answer to an authenticated request (a
  bearer token or a QR poll secret was sent), so no shared cache or browser
  keeps personal data (the token-issuing answers set it themselves).
"""
from flask import request
from flask_talisman import Talisman

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


def init_app(app) -> None:
    Talisman(app, force_https=False, strict_transport_security=False, content_security_policy=CSP,
             frame_options="DENY",
             referrer_policy="no-referrer", session_cookie_secure=app.config["APP_ENV"] == "production")
    production = app.config["APP_ENV"] == "production"

    @app.after_request
    def _our_rules(response):
        if production and request.is_secure:
            response.headers["Strict-Transport-Security"] = HSTS
        if request.headers.get("Authorization") or request.headers.get("X-Poll-Secret"):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response
