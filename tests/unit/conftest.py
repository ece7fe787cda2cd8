"""Unit tests run with no database at all.

`app` here is an application whose database URL points at nothing, and every
test runs with SQLAlchemy engines, sqlite3 and psycopg refusing to connect: a
unit test that touches a database fails (tests/unit/test_no_database.py).
"""
import sqlite3

import psycopg
import pytest
from sqlalchemy.engine import Engine

from app import create_app
from app.config import TestingConfig

NOWHERE = "postgresql+psycopg://nobody@database.invalid:1/none"


class DatabaseRefused(AssertionError):
    """A unit test tried to reach a database."""


def _refuse(*_args, **_kwargs):
    raise DatabaseRefused("unit tests run without a database: move this test to tests/integration")


@pytest.fixture(scope="session")
def app():
    """An app for code that needs an app context (settings, keys), with no database behind it."""
    return create_app(TestingConfig({"TEST_DATABASE_URL": NOWHERE, "MOCK_GATEWAYS": "false"}))


@pytest.fixture(autouse=True)
def _no_database(monkeypatch):
    for target, name in ((Engine, "connect"), (Engine, "raw_connection"), (sqlite3, "connect"),
                         (sqlite3.dbapi2, "connect"), (psycopg, "connect"), (psycopg.Connection, "connect")):
        monkeypatch.setattr(target, name, _refuse)
