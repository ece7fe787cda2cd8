"""Where a report is: inside the province, in which commune, how far from another.

The province's outline is a coarse polygon of the demo province (Tây Ninh
after the 2025 merger with Long An), enough to refuse a point in another
province or in the sea. The `vietnam-provinces` package has no coordinates,
so each commune's reference point is synthetic: a point inside the outline,
derived from the commune's code (the same on every run). A report whose
commune is not given is placed in the commune with the nearest reference
point. A real deployment replaces `commune_points` with the communes'
surveyed centroids; nothing else changes.
"""
import hashlib
import math
from functools import cache

from app.registry import divisions

# (longitude, latitude), clockwise from the north
PROVINCE_OUTLINES = {
    "80": (
        (106.00, 11.80), (106.45, 11.70), (106.55, 11.25), (106.50, 11.00), (106.75, 10.70),
        (106.80, 10.45), (106.55, 10.35), (106.10, 10.40), (105.80, 10.60), (105.50, 10.85),
        (105.80, 11.00), (106.05, 11.10), (105.85, 11.35), (105.85, 11.60),
    ),
}
EARTH_RADIUS_M = 6_371_000.0


def outline(province_code: str) -> tuple[tuple[float, float], ...]:
    return PROVINCE_OUTLINES.get(province_code, ())


def bbox(province_code: str) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of the outline."""
    points = outline(province_code)
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def inside_province(province_code: str, lat: float, lon: float) -> bool:
    """Ray casting against the outline (points on an edge count as inside enough)."""
    polygon = outline(province_code)
    if not polygon or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return False
    inside = False
    j = len(polygon) - 1
    for i, (xi, yi) in enumerate(polygon):
        xj, yj = polygon[j]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def degree_box(lat: float, lon: float, metres: float) -> tuple[float, float, float, float]:
    """A lat/lon box around a point that holds every point within `metres` (for an indexed pre-filter)."""
    dlat = metres / 111_320.0
    dlon = metres / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


@cache
def commune_points(province_code: str) -> dict[str, tuple[float, float]]:
    """{commune code: (lat, lon)}: a reference point per commune (synthetic, see the module)."""
    min_lon, min_lat, max_lon, max_lat = bbox(province_code)
    points = {}
    for commune in divisions.communes_of(province_code):
        seed = hashlib.sha256(commune.code.encode()).digest()
        for i in range(0, 64, 2):
            fraction_lon = int.from_bytes(seed[i % 32:i % 32 + 1] + seed[(i + 7) % 32:(i + 7) % 32 + 1]) / 65535
            fraction_lat = int.from_bytes(seed[(i + 3) % 32:(i + 3) % 32 + 1] + seed[(i + 11) % 32:(i + 11) % 32 + 1]) / 65535
            lon = round(min_lon + fraction_lon * (max_lon - min_lon), 5)
            lat = round(min_lat + fraction_lat * (max_lat - min_lat), 5)
            if inside_province(province_code, lat, lon):
                points[commune.code] = (lat, lon)
                break
            seed = hashlib.sha256(seed).digest()
    return points


def nearest_commune(province_code: str, lat: float, lon: float) -> str | None:
    points = commune_points(province_code)
    if not points:
        return None
    return min(points, key=lambda code: distance_m(lat, lon, *points[code]))


def is_commune_of(province_code: str, commune_code: str) -> bool:
    return any(c.code == commune_code for c in divisions.communes_of(province_code))
