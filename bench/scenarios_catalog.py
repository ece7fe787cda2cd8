"""The public catalog search (no token): what the app's home screen asks first."""
from bench.scenario import Request, Scenario

SCENARIOS = [
    Scenario("catalog.search", requests=[Request("GET", "/api/v1/catalog/procedures?q=khai%20sinh")],
             description="GET /api/v1/catalog/procedures?q=khai sinh: diacritic-insensitive search, first page"),
]
