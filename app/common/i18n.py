"""Locale selection: Vietnamese by default, English when the client asks for it."""
from flask import current_app, request


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    return request.accept_languages.best_match(languages, default=languages[0])
