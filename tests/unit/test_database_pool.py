"""The pool pings a connection only after it sat idle; a failed ping makes the pool reconnect."""
import time

import pytest
from sqlalchemy import exc

from app.common.database import PING_AFTER_IDLE_SECONDS, _note_use, _ping_if_idle
from app.config import load_config


class Record:
    def __init__(self):
        self.info = {}


class Dialect:
    def __init__(self, fails=False):
        self.pings, self.fails = 0, fails

    def do_ping(self, _connection):
        self.pings += 1
        if self.fails:
            raise OSError("server closed the connection unexpectedly")
        return True


def test_a_connection_in_use_recently_is_not_pinged():
    dialect, record = Dialect(), Record()
    _note_use(None, record)
    _ping_if_idle(dialect)(object(), record, None)
    assert dialect.pings == 0


def test_an_idle_connection_is_pinged_and_counts_as_used():
    dialect, record = Dialect(), Record()
    record.info["last_used"] = time.monotonic() - PING_AFTER_IDLE_SECONDS - 1
    _ping_if_idle(dialect)(object(), record, None)
    assert dialect.pings == 1
    _ping_if_idle(dialect)(object(), record, None)
    assert dialect.pings == 1


def test_a_dead_idle_connection_makes_the_pool_take_a_fresh_one():
    record = Record()
    record.info["last_used"] = 0.0
    with pytest.raises(exc.DisconnectionError):
        _ping_if_idle(Dialect(fails=True))(object(), record, None)


def test_no_ping_per_checkout_but_connections_are_recycled():
    options = load_config("development", {}).SQLALCHEMY_ENGINE_OPTIONS
    assert "pool_pre_ping" not in options and options["pool_recycle"] == 1800


@pytest.mark.parametrize("url", ["sqlite:///pool.db", "postgresql+psycopg://smart:smart@127.0.0.1:5432/pool"])
def test_one_setting_recycles_the_connections_on_every_database(url):
    options = load_config("development", {"DATABASE_URL": url, "DB_POOL_RECYCLE": "600"}).SQLALCHEMY_ENGINE_OPTIONS
    assert options["pool_recycle"] == 600
