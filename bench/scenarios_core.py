"""The baseline: the bare endpoint every other scenario is compared with, and /readyz."""
from bench.scenario import Request, Scenario

BARE = "bare"

SCENARIOS = [
    Scenario(BARE, requests=[Request("GET", "/healthz")],
             description="GET /healthz: the full middleware stack (request id, logging, "
                         "token check, error handling) and no I/O"),
    Scenario("readyz", requests=[Request("GET", "/readyz")],
             description="GET /readyz: one database round trip and the migration heads check"),
]
