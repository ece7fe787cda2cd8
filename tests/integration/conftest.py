"""Every test here runs in a transaction rolled back afterwards (tests/conftest.py)."""
import pytest


@pytest.fixture(autouse=True)
def _database(db_session, _recount_after_committed_tests):
    yield db_session
