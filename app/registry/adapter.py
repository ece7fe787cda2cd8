"""The population-registry adapter: a small read-only interface, chosen by config.

`get_registry()` returns the configured implementation. The only one shipped is
the synthetic registry, backed by the local `registry_citizens` table; a client
for the national registry would implement the same calls.

Enrolment events: the national registry records each in-person biometric
enrolment (date, place) and would push it to us as it happens; the adapter
exposes the latest one per citizen (`enrolment_event`). The synthetic registry
also plays the enrolment itself (`record_enrolment`), standing in for the
police desk's biometric capture.
"""
from datetime import date
from typing import Protocol

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.registry.models import RegistryCitizen, RegistryEnrolmentEvent
from app.registry.records import CitizenRecord, EnrolmentEvent


class PopulationRegistry(Protocol):
    def find_citizen(self, personal_id: str) -> CitizenRecord | None:
        """The citizen with this personal id, or None."""

    def household_members(self, household_no: str) -> list[CitizenRecord]:
        """Every citizen of the household, head first."""

    def enrolment_event(self, personal_id: str) -> EnrolmentEvent | None:
        """The citizen's latest in-person biometric enrolment, or None."""


class SyntheticRegistry:
    """Reads the locally generated province (see `app.registry.synthetic`)."""

    def find_citizen(self, personal_id: str) -> CitizenRecord | None:
        row = db.session.get(RegistryCitizen, personal_id)
        return row.to_record() if row else None

    def household_members(self, household_no: str) -> list[CitizenRecord]:
        rows = db.session.scalars(
            select(RegistryCitizen)
            .where(RegistryCitizen.household_no == household_no)
            .order_by(RegistryCitizen.relation_to_head != "head", RegistryCitizen.date_of_birth)
        )
        return [row.to_record() for row in rows]

    def enrolment_event(self, personal_id: str) -> EnrolmentEvent | None:
        row = db.session.scalar(select(RegistryEnrolmentEvent)
                                .where(RegistryEnrolmentEvent.personal_id == personal_id)
                                .order_by(RegistryEnrolmentEvent.enrolled_on.desc(),
                                          RegistryEnrolmentEvent.id.desc()).limit(1))
        return EnrolmentEvent(row.personal_id, row.enrolled_on, row.place) if row else None

    def record_enrolment(self, personal_id: str, enrolled_on: date, place: str) -> EnrolmentEvent | None:
        """Enrols a living citizen in person (the caller commits); None when there is no such citizen."""
        citizen = db.session.get(RegistryCitizen, personal_id)
        if citizen is None or not citizen.is_alive:
            return None
        citizen.biometric_enrolled = True
        db.session.add(RegistryEnrolmentEvent(personal_id=personal_id, enrolled_on=enrolled_on, place=place))
        db.session.flush()
        return EnrolmentEvent(personal_id, enrolled_on, place)


ADAPTERS = {"synthetic": SyntheticRegistry}


def get_registry() -> PopulationRegistry:
    name = current_app.config["REGISTRY_ADAPTER"]
    registry = current_app.extensions.get("population_registry")
    if registry is None:
        registry = ADAPTERS[name]()
        current_app.extensions["population_registry"] = registry
    return registry
