"""The events the identity domain publishes (inside the service's transaction)."""
import uuid
from dataclasses import dataclass
from datetime import datetime

from app.identity.models import ACTIVE  # noqa: F401 - the `status` of an account in use, for subscribers

ACCOUNT_ACTIVATED = "account.activated"   # the citizen chose their first password (accounts.set_first_password)


@dataclass(frozen=True)
class AccountActivated:
    account_id: uuid.UUID
    role: str
    level: int
    # the account as it is now, for counting it (same fields as AccountChanged below)
    status: str | None = None
    previous_status: str | None = None
    previous_level: int | None = None
    commune_code: str | None = None
    created_at: datetime | None = None
    activated_at: datetime | None = None
    level2_at: datetime | None = None
    at: datetime | None = None


# -- e-ID accounts' lifecycle, as the operations centre counts it ---------------------------------
ACCOUNT_REGISTERED = "account.registered"        # a citizen account was created (accounts._register, seeds)
ACCOUNT_LEVEL_CHANGED = "account.level_changed"  # the assurance level changed (device_change._bind)
ACCOUNT_DISABLED, ACCOUNT_ENABLED = "account.disabled", "account.enabled"   # staff.set_account_disabled
ACCOUNT_CHANGES = (ACCOUNT_REGISTERED, ACCOUNT_LEVEL_CHANGED, ACCOUNT_DISABLED, ACCOUNT_ENABLED)


@dataclass(frozen=True)
class AccountChanged:
    """An account as it is after the change, and its status and level before (None: it is new).

    Plain values only: a subscriber keeps its own record (by commune, by day)
    without reading the accounts' or the registry's tables.
    """

    account_id: uuid.UUID
    role: str
    level: int                          # the assurance level now
    status: str | None = None           # the status now
    previous_status: str | None = None  # before this change (None: the account was just created)
    previous_level: int | None = None
    commune_code: str | None = None     # where the population registry says the citizen lives
    created_at: datetime | None = None
    activated_at: datetime | None = None
    level2_at: datetime | None = None
    at: datetime | None = None          # when the change happened


# -- devices ---------------------------------------------------------------------------------------
# A phone bound to an account, or no longer bound (app/identity/devices.py, device_change.py)
DEVICE_BOUND = "device.bound"
DEVICE_UNBOUND = "device.unbound"
# How a device came to be bound (or unbound)
ENROLMENT = "enrolment"                         # the first phone, with the in-person activation code
DEVICE_CHANGE = "device_change"                 # a new phone approved by the bound one, or after a cooling-off
DESK_RECOVERY = "desk_recovery"                 # a new phone with a desk re-proofing code, the old one not lost
LOST_DEVICE_RECOVERY = "lost_device_recovery"   # a new phone with a re-proofing code after the old one was lost
BY_HOLDER = "unbound_by_holder"                 # device.unbound only: the holder unbound it, no phone replaces it


@dataclass(frozen=True)
class DeviceBound:
    account_id: uuid.UUID
    device_id: uuid.UUID
    how: str                                    # ENROLMENT, DEVICE_CHANGE, DESK_RECOVERY, LOST_DEVICE_RECOVERY
    authorised_by: str                          # activation, reproofing, device_approval or cooling_off
    replaced_device_id: uuid.UUID | None        # the phone it replaces (unbound in the same transaction)
    at: datetime


@dataclass(frozen=True)
class DeviceUnbound:
    account_id: uuid.UUID
    device_id: uuid.UUID
    how: str                                    # BY_HOLDER, or the `how` of the binding that replaced it
    replaced_by_device_id: uuid.UUID | None
    at: datetime
