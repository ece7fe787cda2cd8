"""Query budgets: how many SQL statements and commits each hot endpoint may cost.

Like Django's assertNumQueries: the counts are exact and deterministic
(`bench/sqlcount.py`: statements and savepoints, not BEGIN/COMMIT; top-level
commits), so a change that adds a round trip to a hot path fails here, not in
production. When an endpoint gets cheaper, lower its budget in BUDGETS.

Reads count authentication too (the bearer token's session and account).
Single-use requests (submit, payment start, IPN, refresh) are measured on a
fresh input after an unmeasured one of the same kind (caches warm, as in a
running server).
"""
import uuid

import pytest
from flask import current_app

from app.extensions import db
from app.mockgateway import protocol
from app.notifications.service import notify
from bench.sqlcount import count_sql
from tests.dossiers_fixtures import BIRTH, Api, birth_dossier, citizen_account, staff
from tests.factories import AccountFactory, bearer
from tests.payments_fixtures import FEE_PROCEDURE, make_dossier, payment_row

# endpoint: (SQL statements, commits)
BUDGETS = {
    "healthz": (0, 0),
    "catalog search": (1, 0),
    "my dossiers": (2, 0),
    "officer inbox": (2, 0),
    "one dossier": (2, 0),
    "notifications inbox": (2, 0),
    "unread count": (2, 0),
    "token refresh": (4, 1),
    "submit a dossier": (12, 1),
    "start a payment": (7, 1),
    "VNPay IPN": (10, 1),
}


def measured(endpoint, send):
    """Sends the request; asserts the endpoint's budget; returns the response."""
    with count_sql(db.engine) as counted:
        response = send()
    statements, commits = BUDGETS[endpoint]
    assert (counted.statements, counted.commits) == (statements, commits), f"{endpoint}: {counted}"
    return response


def twice(endpoint, send):
    """A read: once to warm up, then measured."""
    send()
    return measured(endpoint, send)


def test_bare_healthz(client):
    assert twice("healthz", lambda: client.get("/healthz")).status_code == 200


def test_catalog_search(client, catalog):
    response = twice("catalog search", lambda: client.get("/api/v1/catalog/procedures",
                                                           query_string={"q": "khai sinh"}))
    assert response.status_code == 200 and response.get_json()["items"]


def test_my_dossiers(client, catalog):
    api, me = Api(client), bearer(citizen_account())
    for _ in range(3):
        birth_dossier(api, me, catalog[BIRTH])
    response = twice("my dossiers", lambda: client.get("/api/v1/dossiers", headers=me))
    assert response.status_code == 200 and len(response.get_json()["items"]) == 3


def test_officer_inbox(client, catalog):
    api = Api(client)
    for _ in range(3):
        birth_dossier(api, bearer(citizen_account()), catalog[BIRTH])
    officer = bearer(staff())
    response = twice("officer inbox", lambda: client.get("/api/v1/dossiers/inbox", headers=officer))
    assert response.status_code == 200 and len(response.get_json()["items"]) == 3


def test_one_dossier(client, catalog):
    api, me = Api(client), bearer(citizen_account())
    dossier_id = birth_dossier(api, me, catalog[BIRTH])
    response = twice("one dossier", lambda: api.get(me, dossier_id))
    assert response.status_code == 200 and response.get_json()["documents"]


def test_notifications_inbox_and_unread_count(client):
    account = AccountFactory()
    headers = bearer(account)
    for n in range(25):
        notify("dossier_received", account_id=account.id, params={"receipt_code": f"H80-{n:04d}"})
    db.session.commit()
    inbox = twice("notifications inbox", lambda: client.get("/api/v1/notifications/inbox?limit=20", headers=headers))
    assert inbox.status_code == 200 and len(inbox.get_json()["items"]) == 20
    unread = twice("unread count", lambda: client.get("/api/v1/notifications/inbox/unread-count", headers=headers))
    assert unread.get_json() == {"unread": 25}


def test_token_refresh(client):
    from app.identity.sessions import start_session

    account = AccountFactory()
    first, second = (start_session(account, level=1, methods=["pwd"]).refresh_token for _ in range(2))
    db.session.flush()
    refresh = "/api/v1/identity/tokens/refresh"
    assert client.post(refresh, json={"refresh_token": first}).status_code == 200
    response = measured("token refresh", lambda: client.post(refresh, json={"refresh_token": second}))
    assert response.status_code == 200 and response.get_json()["refresh_token"] != second


def test_submit_a_dossier(client, catalog):
    api, me = Api(client), bearer(citizen_account())
    warm, dossier_id = (birth_dossier(api, me, catalog[BIRTH], submit=False) for _ in range(2))
    assert api.submit({**me, "Idempotency-Key": f"k-{warm}"}, warm).status_code == 200
    response = measured("submit a dossier",
                        lambda: api.submit({**me, "Idempotency-Key": f"k-{dossier_id}"}, dossier_id))
    assert response.status_code == 200 and response.get_json()["status"] == "submitted"


def _citizen_with_payable_dossiers(catalog, count):
    account = citizen_account()
    headers = bearer(account, level=2, methods=("pwd", "totp"))
    return headers, [make_dossier(catalog[FEE_PROCEDURE], account) for _ in range(count)]


def _start(client, headers, dossier):
    return client.post("/api/v1/payments", json={"dossier_id": str(dossier.id), "gateway": "vnpay"},
                       headers={**headers, "Idempotency-Key": f"pay-{dossier.id}"})


def test_start_a_payment(client, catalog, network):
    headers, (warm, dossier) = _citizen_with_payable_dossiers(catalog, 2)
    assert _start(client, headers, warm).status_code == 201
    response = measured("start a payment", lambda: _start(client, headers, dossier))
    assert response.status_code == 201 and response.get_json()["status"] == "pending"


def _vnpay_ipn(payment: dict) -> dict:
    config = current_app.config
    params = {"vnp_Amount": str(payment["amount"] * 100), "vnp_BankCode": "NCB", "vnp_BankTranNo": "VNP1",
              "vnp_CardType": "ATM", "vnp_OrderInfo": "Thanh toan le phi", "vnp_PayDate": "20251121100500",
              "vnp_ResponseCode": "00", "vnp_TmnCode": config["VNPAY_TMN_CODE"],
              "vnp_TransactionNo": str(uuid.uuid4().int % 10**8), "vnp_TransactionStatus": "00",
              "vnp_TxnRef": payment_row(payment["id"]).txn_ref}
    params["vnp_SecureHash"] = protocol.vnpay_sign(params, config["VNPAY_HASH_SECRET"])
    return params


def test_vnpay_ipn(client, catalog, network):
    headers, dossiers = _citizen_with_payable_dossiers(catalog, 2)
    warm, payment = (_start(client, headers, d).get_json() for d in dossiers)
    ipn = "/api/v1/payments/vnpay/ipn"
    assert client.get(ipn, query_string=_vnpay_ipn(warm)).get_json()["RspCode"] == "00"
    params = _vnpay_ipn(payment)
    response = measured("VNPay IPN", lambda: client.get(ipn, query_string=params))
    assert response.get_json() == {"RspCode": "00", "Message": "Confirm Success"}


TARGETS = {"healthz": (0, 0), "token refresh": (4, 1), "submit a dossier": (12, 1), "start a payment": (10, 1),
           "VNPay IPN": (10, 1)}   # reads: 3 statements including authentication, no commit
# Every hot path is at or below its target.
ABOVE_TARGET: set[str] = set()


@pytest.mark.parametrize("endpoint", sorted(BUDGETS))
def test_budgets_are_at_or_below_the_targets(endpoint):
    """The targets the hot paths were brought down to; a budget may only go lower."""
    statements, commits = TARGETS.get(endpoint, (3, 0))
    within = BUDGETS[endpoint][0] <= statements and BUDGETS[endpoint][1] <= commits
    assert within != (endpoint in ABOVE_TARGET), f"{endpoint}: {BUDGETS[endpoint]} against {(statements, commits)}"
