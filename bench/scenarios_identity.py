"""Identity scenarios: the password step of login, SMS-code verification, QR-login polling.

Each `setup` runs once before the server starts, on the bench database, with the
server's secrets and its password-hashing cost (argon2id, time 3, memory 64 MiB,
parallelism 4 unless ARGON2_* say otherwise):

- `identity.login`: POST /api/v1/identity/login with the right password for 200
  level-2 accounts in turn (TOTP accounts: no SMS is sent). Dominated by one
  argon2id verification; `bench/identity_hashing.py` measures that cost alone.
- `identity.otp-verify`: POST /api/v1/identity/login/verify with a valid SMS code,
  a different pending login per request (BENCH_IDENTITY_OTPS, default 6,000):
  the code check (keyed hash, attempt counter, single use), the session, a
  signed access token and a hashed refresh token, one commit. Each code works
  once: the harness sends each request once at most (warm-up included).
- `identity.refresh`: POST /api/v1/identity/tokens/refresh, a different live
  session's refresh token per request (BENCH_IDENTITY_REFRESHES, default 16,000).
- `identity.qr-poll`: GET /api/v1/identity/qr-logins/{id} with the poll secret,
  200 pending QR logins (what web clients do every 2 s while the QR is shown).

`scenarios(base_url)` gives the same requests as absolute URLs, for other tools.
"""
import os
import secrets
import uuid
from datetime import timedelta

from bench.scenario import Request, Scenario

API = "/api/v1/identity"
PASSWORD = "bench-password-not-in-any-list-2025"


def _accounts(count: int, prefix: str, *, totp_secret: str | None = None) -> list[dict]:
    """`count` active citizen accounts sharing one password hash (bulk insert)."""
    from sqlalchemy import insert

    from app.common.clock import utcnow
    from app.extensions import db
    from app.identity import totp
    from app.identity.models import Account
    from app.identity.passwords import hash_password

    now, run = utcnow(), secrets.token_hex(3)
    password_hash = hash_password(PASSWORD)
    encrypted = totp.encrypt_secret(totp_secret) if totp_secret else None
    rows = [{"id": uuid.uuid4(), "login": f"{prefix}{run}{n:06d}", "full_name": "Bench Citizen",
             "phone": f"0990{n:06d}",
             "role": "citizen", "level": 2 if totp_secret else 1, "status": "active",
             "password_hash": password_hash, "failed_logins": 0, "lockouts": 0, "totp_secret": encrypted,
             "totp_confirmed_at": now if totp_secret else None, "activated_at": now,
             "created_at": now, "updated_at": now} for n in range(count)]
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(Account.__table__), rows[start:start + 2000])
    return rows


def setup_login(app) -> list[Request]:
    from app.extensions import db
    from app.identity import totp

    accounts = _accounts(200, "benchlogin", totp_secret=totp.new_secret())
    db.session.commit()
    return [Request("POST", f"{API}/login", json_body={"login": a["login"], "password": PASSWORD})
            for a in accounts]


def setup_otp_verify(app) -> list[Request]:
    """Pending logins whose SMS code is known (built directly: no argon2 per row in setup)."""
    from sqlalchemy import insert

    from app.common.clock import utcnow
    from app.extensions import db
    from app.identity.models import OtpChallenge, PendingLogin
    from app.identity.otp import _keyed_hash, new_code
    from app.identity.sessions import hash_token

    count = int(os.environ.get("BENCH_IDENTITY_OTPS", 6000))
    accounts = _accounts(count, "benchotp")
    now, later = utcnow(), utcnow() + timedelta(days=1)   # the bench outlives the 5-minute validity
    pending, challenges, requests = [], [], []
    for account in accounts:
        token, code, flow, challenge_id = secrets.token_urlsafe(32), new_code(), uuid.uuid4(), uuid.uuid4()
        pending.append({"id": uuid.uuid4(), "account_id": account["id"], "token_hash": hash_token(token),
                        "sms_flow_id": flow, "expires_at": later, "created_at": now, "updated_at": now})
        challenges.append({"id": challenge_id, "flow_id": flow, "purpose": "login", "phone": account["phone"],
                           "account_id": account["id"], "code_hash": _keyed_hash(str(challenge_id), code),
                           "expires_at": later, "attempts": 0, "created_at": now, "updated_at": now})
        requests.append(Request("POST", f"{API}/login/verify",
                                json_body={"login_token": token, "method": "sms", "code": code}))
    for start in range(0, count, 2000):
        db.session.execute(insert(PendingLogin.__table__), pending[start:start + 2000])
        db.session.execute(insert(OtpChallenge.__table__), challenges[start:start + 2000])
    db.session.commit()
    return requests


def setup_qr_poll(app) -> list[Request]:
    from sqlalchemy import update

    from app.common.clock import utcnow
    from app.extensions import db
    from app.identity.models import QrLogin
    from app.identity.qr_login import create_qr_login
    from app.identity.sessions import ClientInfo

    created = [create_qr_login(ClientInfo(name="Bench web", ip_address="127.0.0.1")) for _ in range(200)]
    # codes live 120 s; the bench may start minutes later
    db.session.execute(update(QrLogin).where(QrLogin.id.in_([c.login.id for c in created]))
                       .values(expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    return [Request("GET", f"{API}/qr-logins/{c.login.id}", headers={"X-Poll-Secret": c.poll_secret})
            for c in created]


def setup_refresh(app) -> list[Request]:
    """Live sessions whose refresh token is known; each token works once."""
    from sqlalchemy import select

    from app.extensions import db
    from app.identity.models import Account
    from app.identity.sessions import start_session

    count = int(os.environ.get("BENCH_IDENTITY_REFRESHES", 16000))   # 16 connections spent 8,000 in 12 s
    rows = _accounts(min(count, 200), "benchrefresh")
    accounts = db.session.scalars(select(Account).where(Account.id.in_([r["id"] for r in rows]))).all()
    requests = [Request("POST", f"{API}/tokens/refresh", json_body={
        "refresh_token": start_session(accounts[n % len(accounts)], level=1, methods=["pwd"]).refresh_token})
        for n in range(count)]
    db.session.commit()
    return requests


SCENARIOS = [
    Scenario("identity.refresh", setup=setup_refresh, preflight=False, single_use=True,
             description="POST /identity/tokens/refresh: a refresh token spent, a new pair issued"),
    Scenario("identity.login", setup=setup_login, min_samples=100,
             description="POST /identity/login, right password (argon2id verify), level-2 accounts: "
                         "login token, TOTP offered"),
    # each code works once (single_use: the warm-up takes its own codes); no preflight
    Scenario("identity.otp-verify", setup=setup_otp_verify, preflight=False, single_use=True,
             description="POST /identity/login/verify with a valid SMS code, a new pending login per "
                         "request: session, access and refresh tokens"),
    Scenario("identity.qr-poll", setup=setup_qr_poll,
             description="GET /identity/qr-logins/{id} with the poll secret, QR still pending (wait=0)"),
]


def scenarios(base_url: str) -> list[dict]:
    """The requests of every identity scenario as absolute URLs (needs an app context)."""
    from flask import current_app

    app = current_app._get_current_object()
    return [{"scenario": s.name, "method": r.method, "url": base_url.rstrip("/") + r.path,
             "headers": r.wire_headers(), "body": r.wire_body()}
            for s in SCENARIOS for r in s.build(app)]
