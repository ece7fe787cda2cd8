"""Settings every domain shares: a typed, frozen view of the configuration.

Each domain reads its own settings the same way (`app/<domain>/settings.py`);
only settings modules, routes, CLI and seed code read `current_app.config`.
"""
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class CommonSettings:
    secret_key: str                  # keys derived per purpose (hashes of phones, consent codes)
    languages: tuple[str, ...]       # the first is the default

    @classmethod
    def from_config(cls, config) -> "CommonSettings":
        return cls(secret_key=config["SECRET_KEY"], languages=tuple(config["LANGUAGES"]))


def settings() -> CommonSettings:
    """The current app's shared settings (read on each call: tests change the configuration)."""
    return CommonSettings.from_config(current_app.config)
