import os

import pytest

from tests.docs.demo_server import DemoServer


def skip_on_postgres_runs():
    """The demo these tests start is the newcomer's: SQLite, whatever the suite's database.
    CI's SQLite run covers them; the PostgreSQL run does not start it a second time."""
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("the docs' demo runs on SQLite; covered by the SQLite run")


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """One freshly seeded demo for every page's examples (started by scripts/run.sh on a free port)."""
    skip_on_postgres_runs()
    server = DemoServer(tmp_path_factory.mktemp("demo")).start()
    yield server
    server.stop()
