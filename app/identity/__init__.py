"""E-ID accounts, authentication, sessions, devices and tokens."""

from app.common.events import declare
from app.extensions import api
from app.identity import desk_routes, dev_routes, routes
from app.identity.authn import load_principal
from app.identity.events import (
    ACCOUNT_ACTIVATED, ACCOUNT_CHANGES, DEVICE_BOUND, DEVICE_UNBOUND, AccountActivated, AccountChanged, DeviceBound,
    DeviceUnbound,
)
from app.identity.models import Account
from app.notifications.service import register_phone_lookup


def init_app(app) -> None:
    """The identity endpoints, the principal of every request, and the phone book notifications uses."""
    api.register_blueprint(routes.blp, url_prefix="/api/v1/identity")
    api.register_blueprint(desk_routes.blp, url_prefix="/api/v1/identity")
    declare(AccountActivated, ACCOUNT_ACTIVATED)
    declare(DeviceBound, DEVICE_BOUND)
    declare(DeviceUnbound, DEVICE_UNBOUND)
    declare(AccountChanged, *ACCOUNT_CHANGES)
    register_phone_lookup(Account.__table__.c.id, Account.__table__.c.phone)


def init_dev_endpoints(app) -> None:
    """Development only: SMS read-back (after the notifications' own development endpoints)."""
    if app.config["DEV_ENDPOINTS"]:
        api.register_blueprint(dev_routes.blp, url_prefix="/api/v1/dev")


def init_principal(app, wrap=lambda loader: loader) -> None:
    """Who is calling: the bearer token's principal, loaded before every request.

    `wrap` lets the OpenID provider leave its protocol endpoints' own credentials alone."""
    app.before_request(wrap(load_principal))


