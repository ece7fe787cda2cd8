"""The events the identity domain publishes (inside the service's transaction)."""
import uuid
from dataclasses import dataclass
from datetime import datetime

ACCOUNT_ACTIVATED = "account.activated"   # the citizen chose their first password (accounts.set_first_password)


@dataclass(frozen=True)
class AccountActivated:
    account_id: uuid.UUID
    role: str
    level: int

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
