"""The development demo: who to log in as, which dossier to try, where to click.

Development only. `flask seed` tops the demo up (`seed.py`) and prints it on
every start; `GET /api/v1/dev/demo` gives the same facts as JSON (and
`/api/v1/dev/demo/env` as shell variables) for scripts, the docs' examples and
tests, so nobody parses the printout. `POST /api/v1/dev/tokens` hands out a
session for a demo account without its second factor. None of it exists in
production.
"""
from app.demo import routes
from app.extensions import api


def init_app(app) -> None:
    if not app.config["DEV_ENDPOINTS"]:
        return
    api.register_blueprint(routes.blp, url_prefix="/api/v1/dev")
