"""Provinces and communes (two-level local government since 1 July 2025).

All codes come from the `vietnam-provinces` package. Commune codes are the
5-digit GSO codes as strings; province codes as 2-digit strings.
"""
from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province, ProvinceCode, Ward


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    kind: str
    province_code: str


def _province_code(code: str | int) -> ProvinceCode:
    return ProvinceCode(int(code))


@cache
def province(code: str | int) -> Division | None:
    try:
        p = Province.from_code(_province_code(code))
    except ValueError:
        return None
    return Division(f"{int(p.code):02d}", p.name, p.division_type.value, f"{int(p.code):02d}")


@cache
def communes_of(province_code: str | int) -> tuple[Division, ...]:
    try:
        code = _province_code(province_code)
    except ValueError:
        return ()
    wards = sorted(Ward.iter_by_province(code), key=lambda w: int(w.code))
    return tuple(
        Division(f"{int(w.code):05d}", w.name, w.division_type.value, f"{int(code):02d}")
        for w in wards
    )


@cache
def commune(code: str) -> Division | None:
    """The commune with this 5-digit code, or None."""
    if not (isinstance(code, str) and code.isdigit()):
        return None
    for ward in Ward.iter_all():
        if int(ward.code) == int(code):
            return Division(f"{int(ward.code):05d}", ward.name, ward.division_type.value,
                            f"{int(ward.province_code):02d}")
    return None


def all_provinces() -> list[Division]:
    return sorted((province(int(p.code)) for p in Province.iter_all()), key=lambda d: d.code)
