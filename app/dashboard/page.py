"""The operations-centre screen: one static page that draws the figures (GET /ioc)."""
from pathlib import Path

from flask import Blueprint, send_from_directory

STATIC = Path(__file__).resolve().parent / "static"
# The page loads only its own files and talks only to this API.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")

bp = Blueprint("ioc", __name__, static_folder=str(STATIC), static_url_path="/ioc/static")


@bp.get("/ioc")
def ioc_page():
    response = send_from_directory(STATIC, "ioc.html", max_age=0)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
