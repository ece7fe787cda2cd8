"""Small server-rendered pages for people who land in a browser (not the API's JSON).

Plain HTML with every value escaped, Vietnamese by default and English when the
browser prefers it; no script, no outside resource.
"""
from html import escape

from flask import request

STYLE = ("body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
         "color:#1b2733;line-height:1.5}h1{font-size:1.5rem}table{border-collapse:collapse;width:100%}"
         "td,th{border-bottom:1px solid #dde3ea;padding:.3rem .4rem;text-align:left;font-size:.9rem}"
         "code{background:#f1f4f7;padding:0 .2rem}.ok{color:#1d7a3a}.ko{color:#b3261e}")


def wants_html() -> bool:
    """A browser (Accept prefers text/html to JSON); apps and scripts get JSON."""
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def page_locale() -> str:
    return request.accept_languages.best_match(("vi", "en"), default="vi")


def page(title: str, body: str, locale: str) -> str:
    return (f'<!doctype html><html lang="{locale}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>")


def link(href: str, text: str) -> str:
    return f'<a href="{escape(href, quote=True)}">{escape(text)}</a>'
