"""marshmallow's own field messages, listed so they are extracted and translated.

Field errors pass through the catalog when rendered (app.errors), so these
appear in Vietnamese by default like every other message.
"""
from app.errors import N_

MARSHMALLOW_MESSAGES = (
    N_("Missing data for required field."),
    N_("Unknown field."),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid UUID."),
    N_("Not a valid boolean."),
    N_("Not a valid email address."),
    N_("Field may not be null."),
    N_("Invalid input type."),
    N_("Invalid value."),
    N_("Invalid input."),
    N_("Not a valid number."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
)
