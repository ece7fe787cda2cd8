"""Fixtures and helpers for the catalog, dossier and storage tests.

Import the fixtures a module needs: `from tests.dossiers_fixtures import catalog, storage  # noqa: F401`.
"""
from datetime import date

import pytest
from sqlalchemy import select

from app.catalog.models import Agency, LinkedProcedure, Procedure
from app.catalog.seed import seed_agencies, seed_procedures
from app.extensions import db
from app.common import roles
from app.storage import LocalStorage
from tests.factories import COMMUNE, AccountFactory, RegistryCitizenFactory, bearer
from tests.storage_samples import JPEG_BYTES, PDF_BYTES, PNG_BYTES

PROVINCE = "80"
OTHER_COMMUNE = "27736"
BIRTH, DEATH, RESIDENCE, HEALTH_INSURANCE, FUNERAL = "1.001193", "1.000656", "1.004222", "1.002716", "1.002745"
MARITAL_STATUS, JUDICIAL_RECORD, DEREGISTRATION = "1.004873", "2.000488", "1.004227"


@pytest.fixture
def storage(app, tmp_path):
    """A fresh local storage folder for the test (the app's own is put back after)."""
    saved = app.extensions.get("storage")
    app.extensions["storage"] = LocalStorage(tmp_path / "files")
    yield app.extensions["storage"]
    if saved is None:
        app.extensions.pop("storage", None)
    else:
        app.extensions["storage"] = saved


@pytest.fixture
def catalog(storage):
    """The province's agencies and the seeded catalog: {code: Procedure}."""
    seed_agencies(PROVINCE)
    seed_procedures()
    return {p.code: p for p in db.session.scalars(select(Procedure))}


def linked(code: str) -> LinkedProcedure:
    return db.session.scalar(select(LinkedProcedure).where(LinkedProcedure.code == code))


def agency(code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


def citizen_account(level=2, **registry):
    """A level-2 citizen, married, living in COMMUNE."""
    spouse = RegistryCitizenFactory(gender="female", full_name="Trần Thị Bình", date_of_birth=date(1992, 6, 1))
    person = RegistryCitizenFactory(spouse_name=spouse.full_name, spouse_personal_id=spouse.personal_id,
                                    marital_status="married", **registry)
    return AccountFactory(citizen=person, level=level)


def staff(role=roles.OFFICER, agency_code=f"UBND-{COMMUNE}", commune_code=COMMUNE, **kwargs):
    return AccountFactory(role=role, agency_id=agency(agency_code).id, commune_code=commune_code, **kwargs)


class Api:
    """Short hands for the dossier endpoints, for one client."""

    def __init__(self, client):
        self.client = client

    def start(self, headers, procedure: Procedure, **kwargs):
        return self.client.post("/api/v1/dossiers", json={"procedure_id": str(procedure.id)}, headers=headers, **kwargs)

    def fill(self, headers, dossier_id, values, **extra):
        return self.client.patch(f"/api/v1/dossiers/{dossier_id}/form", json={"values": values, **extra},
                                 headers=headers)

    def upload(self, headers, dossier_id, code, data=PDF_BYTES, filename="giay-to.pdf", mimetype="application/pdf"):
        import io
        return self.client.post(f"/api/v1/dossiers/{dossier_id}/documents", headers=headers,
                                data={"code": code, "file": (io.BytesIO(data), filename, mimetype)},
                                content_type="multipart/form-data")

    def submit(self, headers, dossier_id, **kwargs):
        return self.client.post(f"/api/v1/dossiers/{dossier_id}/submit", headers=headers, **kwargs)

    def act(self, headers, dossier_id, action, **body):
        return self.client.post(f"/api/v1/dossiers/{dossier_id}/transitions", json={"action": action, **body},
                                headers=headers)

    def get(self, headers, dossier_id):
        return self.client.get(f"/api/v1/dossiers/{dossier_id}", headers=headers)

    def issue(self, headers, dossier_id, data: dict, file=PDF_BYTES, filename="ket-qua.pdf"):
        import io
        import json
        return self.client.post(f"/api/v1/dossiers/{dossier_id}/result", headers=headers,
                                data={"data": json.dumps(data), "file": (io.BytesIO(file), filename)},
                                content_type="multipart/form-data")


BIRTH_VALUES = {
    "declarant_relationship": "father", "child_full_name": "Nguyễn Minh Khang",
    "child_date_of_birth": "2026-11-18", "child_gender": "male",
    "child_birth_place": "Bệnh viện Đa khoa tỉnh Tây Ninh",
}

__all__ = ["storage", "catalog", "linked", "agency", "citizen_account", "staff", "Api", "bearer", "AccountFactory",
           "PDF_BYTES", "JPEG_BYTES", "PNG_BYTES", "BIRTH_VALUES", "COMMUNE", "OTHER_COMMUNE", "PROVINCE"]


@pytest.fixture
def published():
    """The domain events published during the test: [(event, payload)]."""
    from app.common import events

    seen = []
    handlers = {}
    for name in ("dossier.submitted", "dossier.received", "dossier.rejected", "dossier.withdrawn",
                 "dossier.result_issued"):
        handlers[name] = lambda _name=name, **payload: seen.append((_name, payload))
        events.subscribe(name, handlers[name])
    yield seen
    for name, handler in handlers.items():
        events._handlers[name].remove(handler)


def outbox(account, event=None):
    """The in-app outbox rows queued for an account (optionally of one event), oldest first."""
    from app.notifications.models import IN_APP, OutboxMessage

    statement = select(OutboxMessage).where(OutboxMessage.account_id == account.id, OutboxMessage.channel == IN_APP)
    if event:
        statement = statement.where(OutboxMessage.event == event)
    return list(db.session.scalars(statement.order_by(OutboxMessage.created_at)))


def birth_dossier(api, headers, procedure, *, submit=True):
    """A complete birth registration, submitted unless told otherwise; returns its id."""
    dossier_id = api.start(headers, procedure).get_json()["id"]
    assert api.fill(headers, dossier_id, BIRTH_VALUES).status_code == 200
    assert api.upload(headers, dossier_id, "medical_birth_certificate").status_code == 201
    if submit:
        response = api.submit(headers, dossier_id)
        assert response.status_code == 200, response.get_json()
    return dossier_id


BIRTH_RESULT = {"child_full_name": "Nguyễn Minh Khang", "child_date_of_birth": "2026-11-18",
                "child_gender": "male", "child_personal_id": "080226000123", "registration_number": "125/2026"}


class Desk:
    """The staff of the commune's People's Committee: one-stop-shop officer, processing officer, approver."""

    def __init__(self, agency_code=f"UBND-{COMMUNE}", commune_code=COMMUNE):
        self.reception = staff(roles.OFFICER, agency_code, commune_code)
        self.processor = staff(roles.OFFICER, agency_code, commune_code)
        self.approver = staff(roles.APPROVER, agency_code, commune_code)
        self.login()

    def login(self):
        """Fresh tokens (after moving the clock, the old ones have expired)."""
        self.reception_h = bearer(self.reception)
        self.processor_h = bearer(self.processor)
        self.approver_h = bearer(self.approver)
        return self

    def take_to(self, api, dossier_id, state, result=None):
        """Moves a submitted dossier along the happy path up to `state` (asserting each step)."""
        steps = [("received", self.reception_h, "receive", {}),
                 ("in_processing", self.reception_h, "assign", {"assignee_id": str(self.processor.id)}),
                 ("pending_approval", self.processor_h, "propose", {}),
                 ("approved", self.approver_h, "approve", {})]
        order = [target for target, *_ in steps]
        current = api.get(self.reception_h, dossier_id).get_json()["status"]
        if current in order:
            steps = steps[order.index(current) + 1:]
        for target, headers, action, body in steps:
            response = api.act(headers, dossier_id, action, **body)
            assert response.status_code == 200, response.get_json()
            if target == state:
                return response
        response = api.issue(self.approver_h, dossier_id, result or BIRTH_RESULT)
        assert response.status_code == 201, response.get_json()
        return response


__all__ += ["published", "outbox", "birth_dossier", "BIRTH_RESULT", "Desk", "BIRTH", "DEATH", "RESIDENCE",
            "HEALTH_INSURANCE", "FUNERAL", "MARITAL_STATUS", "JUDICIAL_RECORD", "DEREGISTRATION", "roles"]
