"""What a benchmark scenario is, and how scenario modules are found.

A scenario is a named list of HTTP requests that the load generator sends in a
loop, round-robin, for the whole measurement. Requests are either fixed
(`requests=`) or built by `setup(app)`, which runs once before the server
starts, inside an app context on the benchmark database, and may create data
through the app's own services (accounts, sessions, dossiers, ...). Whatever
`setup` writes is committed by the harness.

Each domain puts its scenarios in `bench/scenarios_<domain>.py` as a module
level list `SCENARIOS`; `bench/run.py` imports every such module.

    from bench.scenario import Request, Scenario

    def _tokens(app):
        ...create accounts and sessions with the app's services...
        return [Request("GET", "/api/v1/identity/me", headers={"Authorization": f"Bearer {t}"})
                for t in tokens]

    SCENARIOS = [
        Scenario("identity.me", setup=_tokens, description="profile of a logged-in citizen"),
    ]
"""
import importlib
import json
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Request:
    """One HTTP request; `json_body` is serialised with a JSON content type."""

    method: str = "GET"
    path: str = "/"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str | bytes | None = None
    json_body: object = None

    def wire_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.json_body is not None:
            headers.setdefault("Content-Type", "application/json")
        return headers

    def wire_body(self) -> bytes | None:
        if self.json_body is not None:
            return json.dumps(self.json_body, ensure_ascii=False).encode()
        if isinstance(self.body, str):
            return self.body.encode()
        return self.body


@dataclass(frozen=True)
class Scenario:
    """A named load: fixed `requests`, or `setup(app) -> requests` run before the server starts.

    `expect` lists the statuses a correct answer has. The harness sends the
    first request once before measuring and refuses a scenario whose answer is
    not expected (a broken scenario would otherwise measure error pages);
    set `preflight=False` when even one extra request would change the result.

    `single_use`: each request works once (a submission, a payment, an IPN, a
    code, a refresh token); the harness never sends one twice, and the warm-up
    and the preflight take their own requests from the list.

    `min_samples`: the measured run is lengthened until it has at least this
    many answers (a slow endpoint, such as the argon2 login, gets enough for a p99).
    """

    name: str
    requests: Sequence[Request] = ()
    setup: Callable[[object], Sequence[Request]] | None = None
    expect: Sequence[int] = (200,)
    description: str = ""
    preflight: bool = True
    single_use: bool = False
    min_samples: int = 0

    def build(self, app) -> list[Request]:
        built = list(self.setup(app)) if self.setup else list(self.requests)
        if not built:
            raise ValueError(f"scenario {self.name} has no requests")
        return built


def discover() -> list[Scenario]:
    """Every scenario of every `bench/scenarios_*.py` module, names unique."""
    found: dict[str, Scenario] = {}
    for module in sorted(pkgutil.iter_modules([str(BENCH_DIR)]), key=lambda m: m.name):
        if not module.name.startswith("scenarios_"):
            continue
        for scenario in importlib.import_module(f"bench.{module.name}").SCENARIOS:
            if scenario.name in found:
                raise ValueError(f"two scenarios are named {scenario.name}")
            found[scenario.name] = scenario
    return list(found.values())
