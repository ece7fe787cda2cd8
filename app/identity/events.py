"""The events the identity domain publishes (inside the service's transaction)."""
import uuid
from dataclasses import dataclass

ACCOUNT_ACTIVATED = "account.activated"   # the citizen chose their first password (accounts.set_first_password)


@dataclass(frozen=True)
class AccountActivated:
    account_id: uuid.UUID
    role: str
    level: int
