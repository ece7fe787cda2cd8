import pytest

from tests.docs.demo_server import DemoServer


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """One freshly seeded demo for every page's examples (started by scripts/run.sh on a free port)."""
    server = DemoServer(tmp_path_factory.mktemp("demo")).start()
    yield server
    server.stop()
