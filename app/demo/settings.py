"""Settings of the development demo, built once from the configuration."""
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class DemoSettings:
    public_url: str          # where a person reaches this service (PUBLIC_URL, from PORT by default)
    province_code: str
    enabled: bool            # development endpoints and demo data (never in production)


def settings() -> DemoSettings:
    app = current_app
    cached = app.extensions.get("demo.settings")
    if cached is None:
        cached = DemoSettings(public_url=app.config["PUBLIC_URL"], province_code=str(app.config["DEMO_PROVINCE_CODE"]),
                              enabled=app.config["APP_ENV"] != "production")
        app.extensions["demo.settings"] = cached
    return cached
