"""A second app on the test database with its own connection pool, as a production node has.

For tests that must see what the rollback-per-test session hides (autocommit,
a dropped connection). A module using it also turns that session off by
importing `_database` (it replaces the package's autouse fixture):

    from tests.integration.own_pool import _database, postgres_node  # noqa: F401
"""
import os

import pytest

from app import create_app
from app.config import TestingConfig


def postgres_node(app):
    """A fresh app on the suite's PostgreSQL database; skips the test on SQLite."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    return create_app(TestingConfig(dict(os.environ, TEST_DATABASE_URL=url))), url


@pytest.fixture(autouse=True)
def _database():
    """No rollback-per-test session: the node under test uses its own pool, as in production."""
    yield
