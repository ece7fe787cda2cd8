"""Locale selection: Vietnamese by default, English when the client asks for it."""
from flask import request

from app.common.settings import settings


def select_locale() -> str:
    languages = settings().languages
    return request.accept_languages.best_match(languages, default=languages[0])
