"""Fixtures for the payment tests: a payable dossier, the mock gateways wired to the app.

`network` routes every HTTP call between the merchant and the in-app mock
gateways (create, querydr, refund; IPNs) through the Flask test client, so
they exchange real HTTP requests without sockets. `Pay` drives the flow as
a citizen and a browser would.
"""
import uuid
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from app.common.clock import utcnow
from app.dossiers import states
from app.dossiers.models import FEE_UNPAID, Dossier
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.payments.gateways.base import GatewayUnavailable
from app.payments.http import HttpResponse, urllib_transport
from app.payments.models import Payment, PaymentEvent
from tests.dossiers_fixtures import agency, catalog, storage  # noqa: F401
from tests.factories import COMMUNE, AccountFactory, RegistryCitizenFactory, bearer

FEE_PROCEDURE = "1.004873"        # a procedure of the seeded catalog that has a fee


class Network:
    """The merchant <-> mock gateway HTTP, through the test client."""

    def __init__(self, app):
        self.app = app
        self.calls: list[tuple[str, str]] = []
        self.unreachable: set[str] = set()      # path prefixes that time out

    def __call__(self, method, url, *, json_body=None, params=None, timeout=30):
        public = self.app.config["PAYMENT_PUBLIC_URL"]
        parts = urlsplit(url)
        self.calls.append((method, parts.path))
        if not url.startswith(public) or any(parts.path.startswith(p) for p in self.unreachable):
            raise GatewayUnavailable(f"{url}: timed out")
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        query.update(params or {})
        response = self.app.test_client().open(parts.path, method=method, query_string=query, json=json_body,
                                               base_url=f"{parts.scheme}://{parts.netloc}")
        return HttpResponse(response.status_code, response.get_data(), dict(response.headers))

    def count(self, path_part: str) -> int:
        return sum(1 for _method, path in self.calls if path_part in path)


@pytest.fixture
def network(app):
    hub = app.extensions["mockgateway"]
    net = Network(app)
    app.extensions["payments.http"] = net
    hub.send = net
    hub.store.reset()
    yield net
    app.extensions.pop("payments.http", None)
    hub.send = urllib_transport
    hub.store.reset()


@pytest.fixture
def hub(app):
    return app.extensions["mockgateway"]


def make_dossier(procedure, account, *, fee: int | None = None, status=states.SUBMITTED) -> Dossier:
    """A submitted dossier waiting for its fee (written directly, as the dossiers domain would)."""
    dossier = Dossier(
        procedure_id=procedure.id, citizen_account_id=account.id, applicant_name=account.full_name,
        agency_id=agency(f"UBND-{COMMUNE}").id, commune_code=COMMUNE, status=status,
        receipt_code=f"H80.{COMMUNE}-251121-{uuid.uuid4().hex[:6].upper()}",
        fee_amount=procedure.fee if fee is None else fee, fee_status=FEE_UNPAID, submitted_at=utcnow())
    db.session.add(dossier)
    db.session.flush()
    return dossier


@pytest.fixture
def citizen(db_session):
    return AccountFactory(citizen=RegistryCitizenFactory(), level=2)


@pytest.fixture
def citizen_headers(citizen):
    return bearer(citizen, level=2, methods=("pwd", "totp"))


@pytest.fixture
def dossier(catalog, citizen):  # noqa: F811
    return make_dossier(catalog[FEE_PROCEDURE], citizen)


class Pay:
    """The citizen's app, the browser and the gateway's control API, for one test client."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def start(self, dossier_id, gateway="vnpay", key=None, headers=None):
        extra = {"Idempotency-Key": key} if key else {}
        return self.client.post("/api/v1/payments", json={"dossier_id": str(dossier_id), "gateway": gateway},
                                headers={**(headers or self.headers), **extra})

    def started(self, dossier_id, gateway="vnpay") -> dict:
        response = self.start(dossier_id, gateway)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def at_gateway(self, payment: dict, action="pay", faults=()) -> dict:
        """The payer opens the redirect URL and pays (or cancels) on the gateway's page."""
        response = self.client.post(f"/mock/{payment['gateway']}/_control/pay", json={
            "payment_url": payment["redirect_url"], "action": action, "faults": list(faults)})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def back(self, gateway_answer: dict):
        """The browser follows the gateway's redirect to our return URL."""
        parts = urlsplit(gateway_answer["redirect_url"])
        return self.client.get(parts.path, query_string=dict(parse_qsl(parts.query, keep_blank_values=True)))

    def deliver(self) -> dict:
        return self.client.post("/mock/_control/deliver").get_json()

    def get(self, payment_id, headers=None):
        return self.client.get(f"/api/v1/payments/{payment_id}", headers=headers or self.headers)

    def status(self, payment_id) -> str:
        return self.get(payment_id).get_json()["status"]


@pytest.fixture
def pay(client, citizen_headers):
    return Pay(client, citizen_headers)


def payment_row(payment_id) -> Payment:
    db.session.flush()
    db.session.expire_all()
    return db.session.get(Payment, uuid.UUID(str(payment_id)))


def events_of(payment_id) -> list[str]:
    return list(db.session.scalars(select(PaymentEvent.kind).where(
        PaymentEvent.payment_id == uuid.UUID(str(payment_id))).order_by(PaymentEvent.created_at, PaymentEvent.id)))


def outbox(account_id, event: str) -> int:
    """How many notifications of `event` were queued for the account (one per event, whatever the channels)."""
    return db.session.scalar(select(func.count(func.distinct(OutboxMessage.notification_id))).where(
        OutboxMessage.account_id == account_id, OutboxMessage.event == event))


def after(minutes: float):
    return utcnow() + timedelta(minutes=minutes)


__all__ = ["network", "hub", "citizen", "citizen_headers", "dossier", "pay", "catalog", "storage", "Pay",
           "make_dossier", "payment_row", "events_of", "outbox", "after", "FEE_PROCEDURE", "Network"]
