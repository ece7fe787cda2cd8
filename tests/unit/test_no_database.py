"""tests/unit proves it needs no database: its app points at nothing and connections are refused."""
import sqlite3

import psycopg
import pytest
from sqlalchemy import create_engine, text

from app.extensions import db
from tests.unit.conftest import NOWHERE, DatabaseRefused


def test_the_unit_app_points_at_no_database(app):
    assert app.config["SQLALCHEMY_DATABASE_URI"] == NOWHERE


def test_the_session_cannot_reach_a_database(app):
    with app.app_context(), pytest.raises(DatabaseRefused):
        db.session.execute(text("SELECT 1"))


@pytest.mark.parametrize("connect", [
    lambda: create_engine("sqlite://").connect(),
    lambda: sqlite3.connect(":memory:"),
    lambda: psycopg.connect("postgresql://nobody@database.invalid/none"),
])
def test_sqlalchemy_sqlite_and_psycopg_are_refused(connect):
    with pytest.raises(DatabaseRefused):
        connect()
