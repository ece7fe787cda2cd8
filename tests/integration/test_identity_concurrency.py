"""Races that only a real database with real commits shows (PostgreSQL).

Each thread has its own app context, session and connection; the rows these
tests commit are deleted at the end.
"""
import threading
import uuid
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import create_engine, delete, or_, select

from app.common.auth import Principal
from app.common.clock import utcnow
from app.errors import AppError
from app.extensions import db
from app.identity import login, otp, qr_login, sessions, totp
from app.identity.models import (
    ACTIVE, Account, AuthSession, Device, OtpChallenge, PendingLogin, QrLogin, RefreshToken,
)
from app.identity.passwords import hash_password
from app.notifications.models import OutboxMessage
from tests.committed import real_sessions
from tests.identity_fixtures import PASSWORD

pytestmark = pytest.mark.postgres


@pytest.fixture
def real_db(app):
    """Swaps the test's rolled-back session for real, committing ones; cleans up after."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("needs PostgreSQL (several connections committing at once)")
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], pool_size=12)
    created: list[uuid.UUID] = []
    try:
        with real_sessions(engine):
            yield created
    finally:
        _clean(engine, created)
        engine.dispose()


def _clean(engine, account_ids):
    with engine.begin() as c:
        session_ids = select(AuthSession.id).where(AuthSession.account_id.in_(account_ids))
        c.execute(delete(QrLogin).where(or_(QrLogin.account_id.in_(account_ids),
                                            QrLogin.session_id.in_(session_ids), QrLogin.account_id.is_(None))))
        c.execute(delete(RefreshToken).where(RefreshToken.session_id.in_(session_ids)))
        c.execute(delete(PendingLogin).where(PendingLogin.account_id.in_(account_ids)))
        c.execute(delete(AuthSession).where(AuthSession.account_id.in_(account_ids)))
        c.execute(delete(Device).where(Device.account_id.in_(account_ids)))
        c.execute(delete(OtpChallenge).where(OtpChallenge.account_id.in_(account_ids)))
        c.execute(delete(OutboxMessage).where(OutboxMessage.account_id.in_(account_ids)))
        c.execute(delete(OutboxMessage).where(OutboxMessage.address.like("0987%")))
        c.execute(delete(Account).where(Account.id.in_(account_ids)))


def _account(created, *, level=1, secret=None) -> Account:
    serial = uuid.uuid4().int % 10**6
    account = Account(login=f"080090{serial:06d}", personal_id=f"080090{serial:06d}", full_name="Nguyễn Văn An",
                      phone=f"0987{serial:06d}", role="citizen", level=level, status=ACTIVE,
                      password_hash=hash_password(PASSWORD), failed_logins=0, lockouts=0,
                      totp_secret=totp.encrypt_secret(secret) if secret else None)
    db.session.add(account)
    db.session.commit()
    created.append(account.id)
    return account


def _race(app, work, count=8):
    """Runs `work()` in `count` threads at once; returns what each returned or raised."""
    barrier, results = threading.Barrier(count), []
    lock = threading.Lock()

    def run():
        with app.app_context():
            barrier.wait()
            try:
                outcome = work()
            except AppError as error:
                db.session.rollback()
                outcome = error.code
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_one_refresh_token_refreshes_once(app, real_db):
    account = _account(real_db)
    issued = sessions.start_session(account, level=1, methods=["pwd", "sms"])
    db.session.commit()
    token = issued.refresh_token
    results = _race(app, lambda: sessions.refresh_session(token).refresh_token)
    winners = [r for r in results if r not in ("refresh_token_reused", "invalid_refresh_token")]
    assert len(winners) == 1 and results.count("refresh_token_reused") == len(results) - 1


def test_concurrent_wrong_codes_never_exceed_five_tries(app, real_db):
    account = _account(real_db)
    sent = otp.start_flow(otp.LOGIN, account.phone, account_id=account.id)
    db.session.commit()
    results = _race(app, lambda: otp.verify(sent.flow_id, "not-a-code", otp.LOGIN), count=10)
    assert results.count("invalid_otp") == 5 and results.count("otp_attempts_exceeded") == 5
    db.session.expire_all()
    assert db.session.scalar(select(OtpChallenge.attempts).where(OtpChallenge.flow_id == sent.flow_id)) == 5


def test_a_totp_code_sent_twice_at_once_is_accepted_once(app, real_db):
    secret = totp.new_secret()
    account = _account(real_db, level=2, secret=secret)
    tokens = []
    for _ in range(6):
        started = login.begin_login(account.login, PASSWORD, requested_level=None, client=sessions.ClientInfo())
        tokens.append(started.login_token)
    code = pyotp.TOTP(secret).now()
    queue = list(tokens)
    lock = threading.Lock()

    def work():
        with lock:
            token = queue.pop()
        return login.complete_login(token, "totp", code).session_id

    results = _race(app, work, count=6)
    assert sum(isinstance(r, uuid.UUID) for r in results) == 1
    assert results.count("invalid_totp") == 5


def test_qr_tokens_are_handed_out_once(app, real_db):
    account = _account(real_db, level=2, secret=totp.new_secret())
    device = Device(account_id=account.id, name="Phone", bound_at=utcnow())
    db.session.add(device)
    db.session.commit()
    phone = sessions.open_session(account, level=2, methods=["pwd", "otp"], device_id=device.id)
    db.session.commit()
    created = qr_login.create_qr_login(sessions.ClientInfo(name="Web"))
    principal = Principal(account.id, "citizen", 2, ("pwd", "otp"), phone.id, device_id=device.id)
    qr_login.decide(principal, created.code, approve=True)
    results = _race(app, lambda: qr_login.poll(created.login.id, created.poll_secret).tokens.access_token)
    assert results.count("qr_login_consumed") == len(results) - 1
    real_db.append(account.id)


def test_two_approvals_at_once_make_one_session(app, real_db):
    account = _account(real_db, level=2, secret=totp.new_secret())
    device = Device(account_id=account.id, name="Phone", bound_at=utcnow())
    db.session.add(device)
    db.session.commit()
    phone = sessions.open_session(account, level=2, methods=["pwd", "otp"], device_id=device.id)
    db.session.commit()
    created = qr_login.create_qr_login(sessions.ClientInfo(name="Web"))
    principal = Principal(account.id, "citizen", 2, ("pwd", "otp"), phone.id, device_id=device.id)
    results = _race(app, lambda: qr_login.decide(principal, created.code, approve=True).session_id)
    assert results.count("qr_login_decided") == len(results) - 1
    db.session.expire_all()
    web_sessions = db.session.scalars(select(AuthSession).where(
        AuthSession.account_id == account.id, AuthSession.id != phone.id)).all()
    assert len(web_sessions) == 1 and web_sessions[0].created_at > utcnow() - timedelta(minutes=1)
