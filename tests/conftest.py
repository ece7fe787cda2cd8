"""One migrated database per test run, one rolled-back transaction per test.

TEST_DATABASE_URL picks the database (a fresh SQLite file by default; CI also
runs the suite against PostgreSQL). The schema is built by running the Alembic
migrations, so the migrations are tested by every test that uses the database:
tests/integration, tests/api and tests/browser (their conftest.py turns the
rolled-back transaction on for every test). tests/unit has its own app with no
database at all (tests/unit/conftest.py).
"""
import os

import flask_migrate
import pytest
from flask import Blueprint, jsonify, request, session
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import text
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.config import TestingConfig
from app.extensions import db

# Fixture modules, loaded as plugins: a test asks for `catalog`, `pay`, ... by name.
pytest_plugins = ["tests.dossiers_fixtures", "tests.payments_fixtures"]


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    environ = dict(os.environ)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if "TEST_DATABASE_URL" not in environ:
        environ["TEST_DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('db')}/test{worker}.db"
    elif worker and environ["TEST_DATABASE_URL"].startswith("postgresql"):
        environ["TEST_DATABASE_URL"] = _database_for_worker(environ["TEST_DATABASE_URL"], worker)
    application = create_app(TestingConfig(environ))
    application.test_client_class = IsolatedClient
    application.register_blueprint(_probe_blueprint())
    with application.app_context():
        _drop_everything()
        flask_migrate.upgrade()
    return application


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (and `g`), as in production.

    Tests run inside an app context (to call services directly); without this,
    requests would reuse it and share `g` between requests.
    """

    def open(self, *args, **kwargs):
        # a streamed body (CSV exports) is read here, while the request's own contexts are current
        kwargs.setdefault("buffered", True)
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


def _database_for_worker(url: str, worker: str) -> str:
    """Each xdist worker gets its own PostgreSQL database, created on demand."""
    from sqlalchemy import create_engine

    base, _, name = url.rpartition("/")
    worker_url = f"{base}/{name}_{worker}"
    engine = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                   {"n": f"{name}_{worker}"})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}_{worker}"'))
    engine.dispose()
    return worker_url


def _drop_everything():
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture
def db_session(app):
    """Binds the app's session to a transaction rolled back after the test."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        # A plain Session: Flask-SQLAlchemy's own ignores a session-level bind.
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


def _probe_blueprint() -> Blueprint:
    """Test-only routes that make Flask and webargs raise their own errors."""
    from marshmallow import Schema, fields

    from app.common.auth import current_principal, require_level, require_role
    from app.common.database import reads_only
    from app.common.idempotency import idempotent
    from app.common import roles
    from webargs.flaskparser import use_args

    bp = Blueprint("probe", __name__, url_prefix="/_probe")

    class EchoSchema(Schema):
        name = fields.String(required=True)
        age = fields.Integer()

    @bp.post("/echo")
    @use_args(EchoSchema(), location="json")
    def echo(args):
        return jsonify(args)

    @bp.post("/raw")
    def raw():
        return jsonify(size=len(request.get_data()))

    @bp.get("/auth/me")
    @require_role(roles.CITIZEN, roles.OFFICER)
    def me():
        p = current_principal()
        return jsonify(id=str(p.account_id), role=p.role, level=p.level)

    @bp.get("/auth/level2")
    @require_level(2)
    def level2():
        return jsonify(ok=True)

    @bp.post("/agencies")
    @idempotent("probe-agency")
    def create_agency():
        from app.catalog.models import Agency

        agency = Agency(code=request.get_json()["code"], name="Probe", kind="probe", province_code="80")
        db.session.add(agency)
        db.session.commit()
        return jsonify(id=str(agency.id)), 201

    @bp.post("/session/<value>")
    def session_put(value):
        session["probe"] = value
        return jsonify(ok=True)

    @bp.get("/session")
    def session_get():
        return jsonify(probe=session.get("probe"))

    @bp.delete("/session")
    def session_clear():
        session.clear()
        return jsonify(ok=True)

    @bp.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail 079123456789")

    @bp.get("/reads-only/<way>")
    @reads_only
    def reads_only_but_writes(way):
        """A view wrongly marked `reads_only` (tests/integration/test_reads_only.py)."""
        from sqlalchemy import insert, update

        from app.catalog.models import Agency

        code = request.args["code"]
        if way == "flush":
            db.session.add(Agency(code=code, name="Probe", kind="probe", province_code="80"))
            db.session.flush()
        elif way == "orm-update":
            db.session.execute(update(Agency).where(Agency.code == code).values(name="Changed"))
        else:   # Core, past the session's events
            db.session.connection().execute(insert(Agency.__table__).values(
                code=code, name="Probe", kind="probe", province_code="80"))
        return jsonify(written=True)

    return bp


@pytest.fixture
def app_logs(caplog):
    """Captures the records of the `app` logger tree (it does not propagate to root)."""
    import logging

    logger = logging.getLogger("app")
    logger.addHandler(caplog.handler)
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)
        logger.setLevel(previous)


@pytest.fixture
def _recount_after_committed_tests(app):
    """After a test that really committed (tests/committed.py), counters match the tables again."""
    from tests.committed import recount_if_committed

    yield
    with app.app_context():
        recount_if_committed(db.engine)
