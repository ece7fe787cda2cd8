"""The dossiers domain's settings: a typed, frozen view of the configuration."""
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class DossierSettings:
    upload_max_bytes: int        # largest document a citizen or an agency may upload


def settings() -> DossierSettings:
    """The current app's dossier settings (read on each call: tests change the configuration)."""
    return DossierSettings(upload_max_bytes=current_app.config["UPLOAD_MAX_BYTES"])
