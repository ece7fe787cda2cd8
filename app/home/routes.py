"""`/`: the landing page (development) or a JSON index (production)."""
from flask import Blueprint, Response, current_app

from app.common.pages import page_locale
from app.home import landing

bp = Blueprint("home", __name__)


@bp.get("/")
def home():
    config = current_app.config
    if not config["DEV_ENDPOINTS"]:
        return landing.index(config["PUBLIC_URL"])
    return Response(landing.development_page(config["PUBLIC_URL"], str(config["DEMO_PROVINCE_CODE"]), page_locale(),
                                             mock_gateways=config["MOCK_GATEWAYS"]), mimetype="text/html")
