"""The registry's errors: one class per stable code."""
from app.errors import N_, NotFound


class ProvinceNotFound(NotFound):
    code = "province_not_found"
    message = N_("No province has this code.")
