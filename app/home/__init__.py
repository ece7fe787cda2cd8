"""The address a person types first: `/`.

In development a small page (Vietnamese; English by Accept-Language) with the
links a newcomer needs and the demo accounts; in production a JSON index of
the API's entry points.
"""
from app.home import routes


def init_app(app) -> None:
    app.register_blueprint(routes.bp)
