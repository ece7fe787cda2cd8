"""The notifications domain's errors: API refusals and delivery outcomes of the channels."""
from app.errors import N_, NotFound, Unauthorized, ValidationFailed


class DeliveryError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason[:255]


class TemporaryFailure(DeliveryError):
    """Worth another attempt later (optionally not before `retry_after` seconds)."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentFailure(DeliveryError):
    """Another attempt would fail the same way."""

    def __init__(self, reason: str, unregistered: bool = False):
        super().__init__(reason)
        # The address no longer exists (a push token): stop using it
        self.unregistered = unregistered


class PreferenceLocked(ValidationFailed):
    code = "preference_locked"
    message = N_("Security messages, OTP codes and the in-app inbox cannot be switched off.")


class InvalidSignature(Unauthorized):
    code = "invalid_callback_signature"
    message = N_("The signature of this callback is not valid.")


class MissingPlaceholders(ValueError):
    """A template was rendered without a value it requires."""

    def __init__(self, event: str, missing: list[str]):
        super().__init__(f"{event}: missing template values: {', '.join(missing)}")
        self.event = event
        self.missing = missing


class UnknownEvent(ValueError):
    """notify() was called with an event that has no template."""


class MessageNotFound(NotFound):
    code = "message_not_found"
    message = N_("No message in your inbox has this id.")


class DeviceNotFound(NotFound):
    code = "device_not_found"
    message = N_("No device of yours has this id.")


class UnknownProvider(NotFound):
    code = "unknown_provider"
    message = N_("This provider does not send delivery receipts.")


class UnknownReceiptStatus(ValidationFailed):
    code = "unknown_receipt_status"
    message = N_("This delivery status is not known.")


class UnknownMessage(NotFound):
    code = "unknown_message"
    message = N_("No message has this reference.")
