"""Payment scenarios: starting a payment, and the gateway's IPN (settle, repeat, refuse).

Each `setup` runs once before the server starts, on the bench database:

- `payments.create`: BENCH_PAYMENT_DOSSIERS (default 8,000) submitted dossiers
  waiting for a 15,000 VND fee, spread over 100 level-2 citizens; each request
  starts the VNPay payment of a different dossier (its own Idempotency-Key):
  the dossier check, the payment row and its events, the signed payment URL,
  one commit. VNPay is chosen because its payment URL is built locally; MoMo's
  create is an HTTP call to the gateway, which would measure the mock.
- `payments.ipn`: BENCH_PAYMENT_IPNS (default 8,000) pending payments; each
  request is VNPay's signed IPN for a different one (RspCode 00): checksum,
  row lock, settlement, dossier marked paid, e-receipt, notification queued,
  in one transaction. Requests beyond the list are repeats (RspCode 02).
- `payments.ipn-repeat`: the same IPN for one settled payment again and again
  (the idempotent "already confirmed" answer, 02).
- `payments.ipn-bad-signature`: IPNs whose checksum fails (97), the cheapest
  refusal.
`create` and `ipn` are single use: the harness sends each request at most once
(the warm-up takes its own) and marks the run invalid when a list runs out.
"""
import os
import uuid
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

from bench.scenario import Request, Scenario

FEE_PROCEDURE = "1.004873"      # a seeded procedure with a 15,000 VND fee


def _procedure_and_agency():
    from sqlalchemy import select

    from app.catalog.models import Agency
    from app.catalog.seed import seed_procedures
    from app.catalog.service import procedure_by_code
    from app.extensions import db

    seed_procedures()
    agency = db.session.scalars(select(Agency).where(Agency.commune_code.is_not(None)).limit(1)).one()
    return procedure_by_code(FEE_PROCEDURE), agency


def _citizens(count: int):
    """`count` new level-2 citizen accounts (registry citizens without one) and their access tokens."""
    from sqlalchemy import select

    from app.common.clock import utcnow
    from app.extensions import db
    from app.identity.models import ACTIVE, Account
    from app.identity.sessions import start_session
    from app.registry.models import RegistryCitizen

    taken = select(Account.personal_id).where(Account.personal_id.is_not(None))
    rows = db.session.scalars(select(RegistryCitizen).where(
        RegistryCitizen.is_alive.is_(True), RegistryCitizen.personal_id.not_in(taken))
        .order_by(RegistryCitizen.personal_id.desc()).limit(count)).all()
    if len(rows) < count:
        raise RuntimeError(f"only {len(rows)} registry citizens without an account; seed more (--citizens)")
    accounts = [Account(login=r.personal_id, personal_id=r.personal_id, full_name=r.full_name, role="citizen",
                        level=2, status=ACTIVE, activated_at=utcnow()) for r in rows]
    db.session.add_all(accounts)
    db.session.flush()
    return [(a, start_session(a, level=2, methods=["pwd", "totp"]).access_token) for a in accounts]


def _dossiers(count: int, citizens, procedure, agency) -> list[dict]:
    """`count` submitted dossiers waiting for their fee (bulk insert)."""
    from sqlalchemy import insert

    from app.common.clock import utcnow
    from app.dossiers.models import Dossier
    from app.extensions import db

    now, rows = utcnow(), []
    for i in range(count):
        account, _token = citizens[i % len(citizens)]
        rows.append({"id": uuid.uuid4(), "procedure_id": procedure.id, "citizen_account_id": account.id,
                     "applicant_name": account.full_name, "agency_id": agency.id,
                     "commune_code": agency.commune_code, "status": "submitted",
                     "receipt_code": f"BENCH-{uuid.uuid4().hex[:16].upper()}", "form_data": {}, "prefill": {},
                     "fee_amount": procedure.fee, "fee_status": "unpaid", "submitted_at": now,
                     "paused_days": 0, "version": 1, "created_at": now, "updated_at": now})
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(Dossier.__table__), rows[start:start + 2000])
    return rows


def setup_create(app) -> list[Request]:
    from app.extensions import db

    procedure, agency = _procedure_and_agency()
    citizens = _citizens(100)
    tokens = {account.id: token for account, token in citizens}
    rows = _dossiers(int(os.environ.get("BENCH_PAYMENT_DOSSIERS", 8000)), citizens, procedure, agency)
    db.session.commit()
    return [Request("POST", "/api/v1/payments", json_body={"dossier_id": str(row["id"]), "gateway": "vnpay"},
                    headers={"Authorization": f"Bearer {tokens[row['citizen_account_id']]}",
                             "Idempotency-Key": f"bench-pay-{row['id']}"})
            for row in rows]


def _pending_payments(count: int) -> list[dict]:
    from sqlalchemy import insert

    from app.common.clock import utcnow
    from app.extensions import db
    from app.payments.models import Payment
    from app.payments.service import new_txn_ref

    procedure, agency = _procedure_and_agency()
    citizens = _citizens(50)
    dossiers = _dossiers(count, citizens, procedure, agency)
    now, rows = utcnow(), []
    for dossier in dossiers:
        rows.append({"id": uuid.uuid4(), "dossier_id": dossier["id"], "account_id": dossier["citizen_account_id"],
                     "gateway": "vnpay", "txn_ref": new_txn_ref(), "amount": procedure.fee, "currency": "VND",
                     "status": "pending", "duplicate": False, "order_info": "Thanh toan le phi",
                     "procedure_code": procedure.code, "procedure_name": procedure.name,
                     "dossier_receipt_code": dossier["receipt_code"], "locale": "vi",
                     "expires_at": now + timedelta(days=1), "created_at": now, "updated_at": now})
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(Payment.__table__), rows[start:start + 2000])
    db.session.commit()
    return rows


def _ipn(app, payment: dict, secret: str | None = None) -> Request:
    from app.mockgateway import protocol

    config = app.config
    params = {"vnp_Amount": str(payment["amount"] * 100), "vnp_BankCode": "NCB", "vnp_BankTranNo": "VNP1",
              "vnp_CardType": "ATM", "vnp_OrderInfo": "Thanh toan le phi", "vnp_PayDate": "20251121100500",
              "vnp_ResponseCode": "00", "vnp_TmnCode": config["VNPAY_TMN_CODE"],
              "vnp_TransactionNo": str(int(payment["txn_ref"][6:], 16) % 10**8),
              "vnp_TransactionStatus": "00", "vnp_TxnRef": payment["txn_ref"]}
    params["vnp_SecureHash"] = protocol.vnpay_sign(params, secret or config["VNPAY_HASH_SECRET"])
    return Request("GET", f"/api/v1/payments/vnpay/ipn?{urlencode(params)}")


def setup_ipn(app) -> list[Request]:
    return [_ipn(app, p) for p in _pending_payments(int(os.environ.get("BENCH_PAYMENT_IPNS", 8000)))]


def setup_ipn_repeat(app) -> list[Request]:
    from app.payments.service import handle_ipn

    (payment,) = _pending_payments(1)
    request = _ipn(app, payment)
    handle_ipn("vnpay", dict(parse_qsl(urlsplit(request.path).query)))     # settled once, before the load
    return [request]


def setup_ipn_bad_signature(app) -> list[Request]:
    return [_ipn(app, p, secret="not-the-secret") for p in _pending_payments(100)]


SCENARIOS = [
    Scenario("payments.create", setup=setup_create, single_use=True, expect=(201,),
             description="POST /api/v1/payments (VNPay): a new payment per request, amount from the procedure"),
    Scenario("payments.ipn", setup=setup_ipn, single_use=True,
             description="VNPay IPN settling a different payment per request (RspCode 00)"),
    Scenario("payments.ipn-repeat", setup=setup_ipn_repeat,
             description="VNPay IPN for an already settled payment (RspCode 02)"),
    Scenario("payments.ipn-bad-signature", setup=setup_ipn_bad_signature,
             description="VNPay IPN with a bad checksum (RspCode 97)"),
]
