"""Masks personal ids and phone numbers wherever text leaves for a log."""
import re

# 12-digit personal ids, and Vietnamese mobile numbers (0xxxxxxxxx or +84xxxxxxxxx)
_PERSONAL_ID = re.compile(r"(?<!\d)(\d{3})\d{6}(\d{3})(?!\d)")
_PHONE = re.compile(r"(?<![\d+])(\+?84|0)(\d{2})\d{4}(\d{3})(?!\d)")


def mask_personal_id(value: str) -> str:
    """`079123456789` -> `079******789`."""
    return _PERSONAL_ID.sub(r"\1******\2", value)


def mask_phone(value: str) -> str:
    """`0912345678` -> `091****678`."""
    return _PHONE.sub(lambda m: f"{m[1]}{m[2]}****{m[3]}", value)


def mask_text(text: str) -> str:
    return mask_phone(mask_personal_id(text))
