"""The mock gateways' own records: a small SQLite file, separate from the merchant's database.

A real gateway keeps its own books; so does the mock. A file (not memory)
lets several server processes share one mock; tests use ":memory:".
"""
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

SCHEMA = """
CREATE TABLE IF NOT EXISTS transactions (
    gateway TEXT NOT NULL, order_id TEXT NOT NULL, status TEXT NOT NULL, amount INTEGER NOT NULL,
    data TEXT NOT NULL, faults TEXT NOT NULL DEFAULT '[]', created REAL NOT NULL, paid REAL,
    refunded_amount INTEGER NOT NULL DEFAULT 0, refunded REAL,
    PRIMARY KEY (gateway, order_id));
CREATE TABLE IF NOT EXISTS ipn_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT, gateway TEXT NOT NULL, order_id TEXT NOT NULL,
    method TEXT NOT NULL, url TEXT NOT NULL, payload TEXT NOT NULL, due REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0, gave_up INTEGER NOT NULL DEFAULT 0,
    lease REAL NOT NULL DEFAULT 0, answers TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS preset_faults (
    gateway TEXT NOT NULL, order_id TEXT NOT NULL, faults TEXT NOT NULL, PRIMARY KEY (gateway, order_id));
CREATE TABLE IF NOT EXISTS api_requests (
    gateway TEXT NOT NULL, request_id TEXT NOT NULL, response TEXT NOT NULL, PRIMARY KEY (gateway, request_id));
"""


class MockStore:
    def __init__(self, path: str):
        self.path = path
        self._lock = threading.RLock()
        self._connection = sqlite3.connect(path, check_same_thread=False, timeout=10, isolation_level=None)
        self._connection.row_factory = sqlite3.Row
        with self._lock:
            self._connection.execute("PRAGMA busy_timeout=10000")
            if path != ":memory:":
                self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.executescript(SCHEMA)

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: several processes may share the file)."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
                self._connection.execute("COMMIT")
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise

    def query(self, sql: str, params=()) -> list[sqlite3.Row]:
        with self._lock:
            return self._connection.execute(sql, params).fetchall()

    # transactions
    def get(self, gateway: str, order_id: str) -> dict | None:
        rows = self.query("SELECT * FROM transactions WHERE gateway = ? AND order_id = ?", (gateway, order_id))
        return _transaction(rows[0]) if rows else None

    def insert(self, gateway: str, order_id: str, amount: int, data: dict, faults: list[str], now: float) -> None:
        with self.tx() as c:
            c.execute("INSERT OR IGNORE INTO transactions (gateway, order_id, status, amount, data, faults, created) "
                      "VALUES (?, ?, 'open', ?, ?, ?, ?)",
                      (gateway, order_id, amount, json.dumps(data), json.dumps(faults), now))

    def update(self, gateway: str, order_id: str, **values) -> None:
        if "data" in values:
            values["data"] = json.dumps(values["data"])
        if "faults" in values:
            values["faults"] = json.dumps(values["faults"])
        columns = ", ".join(f"{name} = ?" for name in values)
        with self.tx() as c:
            c.execute(f"UPDATE transactions SET {columns} WHERE gateway = ? AND order_id = ?",
                      (*values.values(), gateway, order_id))

    def transactions(self, gateway: str) -> list[dict]:
        rows = self.query("SELECT * FROM transactions WHERE gateway = ? ORDER BY created DESC LIMIT 200", (gateway,))
        return [_transaction(row) for row in rows]

    def paid_between(self, gateway: str, start: float, end: float) -> list[dict]:
        rows = self.query("SELECT * FROM transactions WHERE gateway = ? AND paid >= ? AND paid < ?",
                          (gateway, start, end))
        return [_transaction(row) for row in rows]

    def refunded_between(self, gateway: str, start: float, end: float) -> list[dict]:
        rows = self.query("SELECT * FROM transactions WHERE gateway = ? AND refunded >= ? AND refunded < ?",
                          (gateway, start, end))
        return [_transaction(row) for row in rows]

    # faults chosen before the payment reaches the gateway
    def preset_faults(self, gateway: str, order_id: str, faults: list[str]) -> None:
        with self.tx() as c:
            c.execute("INSERT OR REPLACE INTO preset_faults VALUES (?, ?, ?)", (gateway, order_id, json.dumps(faults)))

    def take_preset_faults(self, gateway: str, order_id: str) -> list[str]:
        """Faults preset for this order, else those preset for the next order (consumed)."""
        with self.tx() as c:
            for key in (order_id, "*next*"):
                row = c.execute("SELECT faults FROM preset_faults WHERE gateway = ? AND order_id = ?",
                                (gateway, key)).fetchone()
                if row:
                    c.execute("DELETE FROM preset_faults WHERE gateway = ? AND order_id = ?", (gateway, key))
                    return json.loads(row["faults"])
        return []

    # idempotent API requests (the same request id gets the same answer)
    def answered(self, gateway: str, request_id: str) -> dict | None:
        rows = self.query("SELECT response FROM api_requests WHERE gateway = ? AND request_id = ?",
                          (gateway, request_id))
        return json.loads(rows[0]["response"]) if rows else None

    def remember_answer(self, gateway: str, request_id: str, response: dict) -> None:
        with self.tx() as c:
            c.execute("INSERT OR REPLACE INTO api_requests VALUES (?, ?, ?)", (gateway, request_id, json.dumps(response)))

    # IPN queue
    def enqueue(self, gateway: str, order_id: str, method: str, url: str, payload: dict, due: float) -> int:
        with self.tx() as c:
            cursor = c.execute("INSERT INTO ipn_queue (gateway, order_id, method, url, payload, due) "
                               "VALUES (?, ?, ?, ?, ?, ?)", (gateway, order_id, method, url, json.dumps(payload), due))
            return cursor.lastrowid

    def claim_due(self, now: float, lease_seconds: float = 60, only: int | None = None) -> list[dict]:
        """Due deliveries, leased so another process does not send them at the same time."""
        with self.tx() as c:
            sql = "SELECT * FROM ipn_queue WHERE done = 0 AND gave_up = 0 AND due <= ? AND lease <= ?"
            params: tuple = (now, time.time())
            if only is not None:
                sql, params = sql + " AND id = ?", (*params, only)
            rows = c.execute(sql + " ORDER BY due, id", params).fetchall()
            for row in rows:
                c.execute("UPDATE ipn_queue SET lease = ? WHERE id = ?", (time.time() + lease_seconds, row["id"]))
        return [_delivery(row) for row in rows]

    def delivered(self, delivery_id: int, answer: str, done: bool, next_due: float | None) -> None:
        with self.tx() as c:
            row = c.execute("SELECT attempts, answers FROM ipn_queue WHERE id = ?", (delivery_id,)).fetchone()
            answers = json.loads(row["answers"]) + [answer]
            c.execute("UPDATE ipn_queue SET attempts = ?, answers = ?, done = ?, gave_up = ?, due = ?, lease = 0 "
                      "WHERE id = ?",
                      (row["attempts"] + 1, json.dumps(answers), int(done), int(not done and next_due is None),
                       next_due if next_due is not None else 0, delivery_id))

    def deliveries(self, gateway: str, order_id: str) -> list[dict]:
        rows = self.query("SELECT * FROM ipn_queue WHERE gateway = ? AND order_id = ? ORDER BY id", (gateway, order_id))
        return [_delivery(row) for row in rows]

    def reset(self) -> None:
        with self.tx() as c:
            for table in ("transactions", "ipn_queue", "preset_faults", "api_requests"):
                c.execute(f"DELETE FROM {table}")


def _transaction(row: sqlite3.Row) -> dict:
    record = dict(row)
    record["data"] = json.loads(record["data"])
    record["faults"] = json.loads(record["faults"])
    return record


def _delivery(row: sqlite3.Row) -> dict:
    record = dict(row)
    record["payload"] = json.loads(record["payload"])
    record["answers"] = json.loads(record["answers"])
    record["done"], record["gave_up"] = bool(record["done"]), bool(record["gave_up"])
    return record
