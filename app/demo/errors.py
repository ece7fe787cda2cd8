"""Errors of the development demo endpoints."""
from app.errors import N_, NotFound


class DemoAccountNotFound(NotFound):
    code = "demo_account_not_found"
    message = N_("No active account has this login.")
