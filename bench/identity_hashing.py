"""The cost of password hashing alone (argon2id), stated apart from the HTTP figures.

    .venv/bin/python bench/identity_hashing.py [--seconds 5]

Measures, at the configured cost (production defaults: time 3, memory 64 MiB,
parallelism 4, or ARGON2_* from the environment) and at the test suite's cost:
one verification's latency on one process, and verifications per second with
one process per CPU (what gunicorn's sync workers can do at most for logins).
Results go to bench/results/identity-hashing-<time>.json.
"""
import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from argon2 import PasswordHasher, Type  # noqa: E402

from bench import harness  # noqa: E402

PASSWORD = "bench-password-not-in-any-list-2025"


def _costs() -> dict[str, tuple[int, int, int]]:
    from app.config import Config, TestingConfig

    production, testing = Config(os.environ), TestingConfig({})
    return {
        "configured": (production.ARGON2_TIME_COST, production.ARGON2_MEMORY_COST, production.ARGON2_PARALLELISM),
        "tests": (testing.ARGON2_TIME_COST, testing.ARGON2_MEMORY_COST, testing.ARGON2_PARALLELISM),
    }


def _verify_for(cost, seconds: float) -> int:
    hasher = PasswordHasher(*cost, type=Type.ID)
    digest, done, deadline = hasher.hash(PASSWORD), 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        hasher.verify(digest, PASSWORD)
        done += 1
    return done


def measure(cost, seconds: float) -> dict:
    hasher = PasswordHasher(*cost, type=Type.ID)
    digest = hasher.hash(PASSWORD)
    hashing = [_timed(lambda: hasher.hash(PASSWORD)) for _ in range(5)]
    verifying = [_timed(lambda: hasher.verify(digest, PASSWORD)) for _ in range(10)]
    cpus = os.cpu_count() or 1
    with ProcessPoolExecutor(cpus) as pool:
        counts = list(pool.map(_verify_for, [cost] * cpus, [seconds] * cpus))
    return {
        "time_cost": cost[0], "memory_kib": cost[1], "parallelism": cost[2],
        "hash_ms_median": round(statistics.median(hashing) * 1000, 1),
        "verify_ms_median": round(statistics.median(verifying) * 1000, 1),
        "verifications_per_second_all_cpus": round(sum(counts) / seconds, 1),
        "processes": cpus,
    }


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    results = {name: measure(cost, args.seconds) for name, cost in _costs().items()}
    for name, figures in results.items():
        print(f"{name}: argon2id t={figures['time_cost']} m={figures['memory_kib']} KiB "
              f"p={figures['parallelism']}: hash {figures['hash_ms_median']} ms, verify "
              f"{figures['verify_ms_median']} ms, {figures['verifications_per_second_all_cpus']} "
              f"verifications/s on {figures['processes']} processes")
    path = harness.write_result("identity-hashing", {"machine": harness.machine(), "commit": harness.git_commit(),
                                                     "argon2id": results})
    print(f"written to {path.relative_to(harness.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
