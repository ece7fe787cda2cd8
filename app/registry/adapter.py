"""The population-registry adapter: a small read-only interface, chosen by config.

`get_registry()` returns the configured implementation. The only one shipped is
the synthetic registry, backed by the local `registry_citizens` table; a client
for the national registry would implement the same two look-ups.
"""
from typing import Protocol

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.registry.models import RegistryCitizen
from app.registry.records import CitizenRecord


class PopulationRegistry(Protocol):
    def find_citizen(self, personal_id: str) -> CitizenRecord | None:
        """The citizen with this personal id, or None."""

    def household_members(self, household_no: str) -> list[CitizenRecord]:
        """Every citizen of the household, head first."""


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


ADAPTERS = {"synthetic": SyntheticRegistry}


def get_registry() -> PopulationRegistry:
    name = current_app.config["REGISTRY_ADAPTER"]
    registry = current_app.extensions.get("population_registry")
    if registry is None:
        registry = ADAPTERS[name]()
        current_app.extensions["population_registry"] = registry
    return registry
