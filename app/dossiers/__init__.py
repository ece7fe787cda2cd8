"""Dossiers: a citizen's application for a procedure, from draft to digitized result."""
from app.common.events import declare
from app.dossiers import bundles, results_routes, routes, transitions
from app.dossiers.events import (
    DUE_DATE_MOVED, NAMES, NEW_DATE, DossierDueDateMoved, DossierNewDate, DossierTransitioned,
)
from app.extensions import api


def init_app(app) -> None:
    declare(DossierTransitioned, *NAMES)
    declare(DossierNewDate, NEW_DATE)
    declare(DossierDueDateMoved, DUE_DATE_MOVED)
    transitions.react_to_bundle_members(bundles.on_member_changed)
    api.register_blueprint(routes.blp, url_prefix="/api/v1/dossiers")
    api.register_blueprint(results_routes.blp, url_prefix="/api/v1/results")
