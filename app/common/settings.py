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
    production: bool = False
    metrics_token: str | None = None             # bearer token a scraper sends to /metrics
    metrics_allowed_networks: tuple[str, ...] = ()  # or the networks allowed to scrape it

    @classmethod
    def from_config(cls, config) -> "CommonSettings":
        return cls(secret_key=config["SECRET_KEY"], languages=tuple(config["LANGUAGES"]),
                   production=config.get("APP_ENV") == "production",
                   metrics_token=config.get("METRICS_TOKEN") or None,
                   metrics_allowed_networks=tuple(config.get("METRICS_ALLOWED_NETWORKS") or ()))


def settings() -> CommonSettings:
    """The current app's shared settings (read on each call: tests change the configuration)."""
    return CommonSettings.from_config(current_app.config)
