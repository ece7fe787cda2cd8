"""Search text that ignores Vietnamese diacritics and case, the same on every database.

`normalise("Đăng ký khai sinh") == "dang ky khai sinh"`: lower case, đ -> d, every
combining mark removed (NFD), runs of spaces collapsed. Procedures store the
normalised name in a column, and queries are normalised the same way, so search
needs no database extension (unaccent) and behaves alike on SQLite and PostgreSQL.
"""
import unicodedata


def normalise(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text.casefold())
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(stripped.split())
