"""Does a password reset or a registration take longer when the account exists?

    .venv/bin/python bench/identity_enumeration.py [--rounds 200]
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/identity_enumeration.py

In-process (Flask test client, no network), against a fresh SQLite file or
DATABASE_URL (migrated, emptied of nothing: use a throw-away database). Each
round sends, in shuffled order, a genuine request and decoys (an unknown
personal id; for registration, an existing account), each for a fresh citizen
so no SMS limit interferes, and times the whole request. Prints the medians,
the difference of medians and the spread (p25-p75) of each kind, and writes
bench/results/identity-enumeration-<time>.json. Rate limits are off.
`--floor-ms 0` shows the raw gap the answer floor hides.
"""
import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _app():
    from app import create_app
    from app.config import TestingConfig

    environ = dict(os.environ)
    environ["TEST_DATABASE_URL"] = os.environ.get(
        "DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/enumeration.db")
    app = create_app(TestingConfig(environ))
    app.config["RATELIMIT_ENABLED"] = False
    return app


def _stats(samples: list[float]) -> dict:
    q = statistics.quantiles(samples, n=4)
    return {"median_ms": round(statistics.median(samples) * 1000, 3), "p25_ms": round(q[0] * 1000, 3),
            "p75_ms": round(q[2] * 1000, 3), "n": len(samples)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--floor-ms", type=int, default=None,
                        help="IDENTITY_ANSWER_FLOOR_MS (default: the production default; 0 shows the raw gap)")
    args = parser.parse_args()
    import flask_migrate

    from app.common.personal_id import MALE, compose_personal_id
    from app.extensions import db, limiter
    from tests.factories import RegistryCitizenFactory
    from tests.identity_fixtures import active_citizen

    app = _app()
    if args.floor_ms is None:
        app.config.pop("IDENTITY_ANSWER_FLOOR_MS", None)
    else:
        app.config["IDENTITY_ANSWER_FLOOR_MS"] = args.floor_ms
    timings: dict[str, list[float]] = {"reset_genuine": [], "reset_unknown_id": [],
                                       "register_new": [], "register_existing": []}
    with app.app_context():
        flask_migrate.upgrade()
        limiter.enabled = False
        client = app.test_client()
        for n in range(args.rounds):
            existing = active_citizen()
            fresh = RegistryCitizenFactory()
            registered = active_citizen()
            from app.registry.models import RegistryCitizen
            taken = db.session.get(RegistryCitizen, registered.personal_id)
            db.session.commit()
            calls = {
                "reset_genuine": ("/api/v1/identity/password-resets",
                                  {"personal_id": existing.personal_id, "phone": existing.phone}),
                "reset_unknown_id": ("/api/v1/identity/password-resets",
                                     {"personal_id": compose_personal_id("080", MALE, 1960, 800_000 + n),
                                      "phone": f"097{n:07d}"}),
                "register_new": ("/api/v1/identity/registrations", _details(fresh)),
                "register_existing": ("/api/v1/identity/registrations", _details(taken)),
            }
            order = list(calls)
            random.shuffle(order)
            for kind in order:
                path, body = calls[kind]
                started = time.perf_counter()
                response = client.post(path, json=body)
                elapsed = time.perf_counter() - started
                assert response.status_code in (201, 202), (kind, response.get_json())
                if n >= 10:                      # warm-up rounds are not counted
                    timings[kind].append(elapsed)
    result = {kind: _stats(samples) for kind, samples in timings.items()}
    result["reset_difference_ms"] = round(result["reset_genuine"]["median_ms"]
                                          - result["reset_unknown_id"]["median_ms"], 3)
    result["register_difference_ms"] = round(result["register_new"]["median_ms"]
                                             - result["register_existing"]["median_ms"], 3)
    result["database"] = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0]
    with app.app_context():
        from app.identity.settings import settings

        result["answer_floor_ms"] = settings().answer_floor_ms
    print(json.dumps(result, indent=2))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    (out / f"identity-enumeration-{stamp}.json").write_text(json.dumps(result, indent=2))
    return 0


def _details(citizen) -> dict:
    return {"personal_id": citizen.personal_id, "full_name": citizen.full_name,
            "date_of_birth": citizen.date_of_birth.isoformat(), "phone": citizen.phone_numbers[0]}


if __name__ == "__main__":
    sys.exit(main())
