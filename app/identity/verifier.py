"""In-person identity verification at a desk: the `IdentityVerifier` adapter, chosen by config.

In real life the officer reads the chip of the citizen id card (CCCD gắn chip)
or runs a face match against the registry's photo; the adapter answers
whether the person in front of the desk is the citizen with this personal id,
and a reference the audit log keeps. `MockVerifier` stands in for both: the
chip read or the face match "returns" the personal id given as evidence.
"""
import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass

from flask import current_app

from app.identity.settings import settings

CHIP_CARD, FACE_MATCH = "chip_card", "face_match"
METHODS = (CHIP_CARD, FACE_MATCH)


@dataclass(frozen=True)
class Verification:
    ok: bool
    verifier: str        # which adapter answered
    method: str          # chip_card | face_match
    reference: str       # what the audit log keeps to trace the check (never the evidence itself)


class IdentityVerifier(ABC):
    name: str

    @abstractmethod
    def verify(self, personal_id: str, method: str, evidence: str) -> Verification:
        """Whether the person at the desk is the citizen `personal_id`."""


class MockVerifier(IdentityVerifier):
    """Development and tests: the evidence is what a chip read would give, the personal id."""

    name = "mock"

    def verify(self, personal_id: str, method: str, evidence: str) -> Verification:
        ok = method in METHODS and evidence.strip() == personal_id
        reference = "mock-" + hashlib.sha256(f"{method}|{evidence}".encode()).hexdigest()[:16]
        return Verification(ok, self.name, method, reference)


ADAPTERS: dict[str, type[IdentityVerifier]] = {"mock": MockVerifier}


def get_verifier() -> IdentityVerifier:
    verifier = current_app.extensions.get("identity_verifier")
    if verifier is None:
        verifier = ADAPTERS[settings().verifier]()
        current_app.extensions["identity_verifier"] = verifier
    return verifier
