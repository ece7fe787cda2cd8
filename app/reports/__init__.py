"""Citizen reports (phản ánh hiện trường): filed with photo and place, routed to the agency that
must act, handled through one state machine (states.py), public with the reporter hidden,
rated or reopened by the reporter, and spoken to partner apps in Open311 GeoReport v2."""

from app.extensions import api
from app.reports import dev_routes, open311_routes, routes


def init_app(app) -> None:
    api.register_blueprint(routes.blp, url_prefix="/api/v1/reports")
    api.register_blueprint(open311_routes.blp, url_prefix="/open311/v2")
    if app.config["DEV_ENDPOINTS"]:  # development only: the demo's key, log-ins and a place
        api.register_blueprint(dev_routes.blp, url_prefix="/api/v1/dev")
