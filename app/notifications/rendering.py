"""A small, safe template language for notification texts.

    {name}            a required value: rendering without it is an error
    {name|filter}     a value shown through a filter (vnd, date, datetime, purpose)
    [[ ... {name} ]]  an optional part, shown only when all of its values are given

Nothing else is interpreted (no attribute access, no expressions), so a value
can never reach into the program.
"""
import re
import unicodedata
from datetime import date, datetime

from app.common.clock import VIETNAM
from app.notifications.errors import MissingPlaceholders

PLACEHOLDER = re.compile(r"\{(\w+)(?:\|(\w+))?\}")
OPTIONAL = re.compile(r"\[\[(.+?)\]\]", re.S)


def placeholders(text: str) -> tuple[set[str], set[str]]:
    """(required, optional) placeholder names of one text."""
    optional = {name for part in OPTIONAL.findall(text) for name, _ in PLACEHOLDER.findall(part)}
    required = {name for name, _ in PLACEHOLDER.findall(OPTIONAL.sub("", text))}
    return required, optional - required


def missing_values(text: str, params: dict) -> list[str]:
    required, _ = placeholders(text)
    return sorted(name for name in required if _absent(params.get(name)))


def render(text: str, params: dict, locale: str) -> str:
    """`text` with its placeholders filled (check `missing_values` first)."""
    def optional_part(match):
        part = match.group(1)
        names = [name for name, _ in PLACEHOLDER.findall(part)]
        if any(_absent(params.get(name)) for name in names):
            return ""
        return _fill(part, params, locale)

    return _fill(OPTIONAL.sub(optional_part, text), params, locale)


def _fill(text: str, params: dict, locale: str) -> str:
    def one(match):
        name, filter_name = match.groups()
        value = params.get(name)
        if _absent(value):
            raise MissingPlaceholders("template", [name])
        return FILTERS.get(filter_name, _plain)(value, locale)

    return PLACEHOLDER.sub(one, text)


def _absent(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _plain(value, locale: str) -> str:
    return str(value)


def vnd(value, locale: str) -> str:
    """150000 -> "150.000 đồng" (vi) or "150,000 VND" (en)."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return str(value)
    grouped = f"{amount:,}"
    return f"{grouped.replace(',', '.')} đồng" if locale == "vi" else f"{grouped} VND"


def as_date(value, locale: str) -> str:
    """An ISO date (or datetime) as dd/mm/yyyy, the way both locales read it here."""
    parsed = _parse(value)
    if isinstance(parsed, datetime):
        parsed = parsed.astimezone(VIETNAM).date() if parsed.tzinfo else parsed.date()
    return parsed.strftime("%d/%m/%Y") if isinstance(parsed, date) else str(value)


def as_datetime(value, locale: str) -> str:
    """An ISO datetime in Vietnam time, "HH:MM dd/mm/yyyy"."""
    parsed = _parse(value)
    if isinstance(parsed, datetime):
        local = parsed.astimezone(VIETNAM) if parsed.tzinfo else parsed
        return local.strftime("%H:%M %d/%m/%Y")
    return as_date(value, locale)


def _parse(value):
    if isinstance(value, (date, datetime)):
        return value
    text = str(value)
    for parser in (datetime.fromisoformat, date.fromisoformat):
        try:
            return parser(text)
        except ValueError:
            continue
    return None


OTP_PURPOSES = {
    "register": {"vi": "đăng ký tài khoản", "en": "account registration"},
    "activate": {"vi": "kích hoạt tài khoản", "en": "account activation"},
    "login": {"vi": "đăng nhập", "en": "log-in"},
    "reset": {"vi": "đặt lại mật khẩu", "en": "password reset"},
    "reset_password": {"vi": "đặt lại mật khẩu", "en": "password reset"},
    "change_phone": {"vi": "đổi số điện thoại", "en": "phone number change"},
    "bind_device": {"vi": "liên kết thiết bị", "en": "device linking"},
    "consent": {"vi": "xác nhận đồng ý", "en": "consent"},
}


def purpose(value, locale: str) -> str:
    """An OTP purpose code as words; unknown codes are shown as they are."""
    return OTP_PURPOSES.get(str(value), {}).get(locale, str(value).replace("_", " "))


FILTERS = {"vnd": vnd, "date": as_date, "datetime": as_datetime, "purpose": purpose}


def unaccented(text: str) -> str:
    """Vietnamese without diacritics ("Hồ sơ đã nộp" -> "Ho so da nop").

    Brandname SMS in Vietnam are usually sent this way: a GSM-7 segment holds
    160 characters, a Unicode one only 70.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
