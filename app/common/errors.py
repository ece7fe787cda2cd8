"""Errors shared by every domain: one class per stable code."""
from app.errors import N_, AppError, Conflict, Forbidden, ServiceUnavailable, ValidationFailed


class StepUpRequired(Forbidden):
    code = "step_up_required"
    message = N_("This action needs an assurance level 2 session. Confirm with TOTP or QR login.")


class RoleRequired(Forbidden):
    code = "forbidden_role"
    message = N_("Your role does not allow this action.")


class OutOfScope(Forbidden):
    code = "out_of_scope"
    message = N_("This record is outside your agency or commune.")


class InvalidCharacters(AppError):
    status = 400
    code = "invalid_characters"
    message = N_("The request contains a NUL character, which no field accepts.")


class InvalidPersonalId(ValidationFailed):
    code = "invalid_personal_id"

    def __init__(self, reason: str, field: str = "personal_id"):
        super().__init__(reason, errors={field: [reason]})
        self.reason = reason


class WriteInReadOnlyRequest(RuntimeError):
    """A view marked `reads_only` tried to write (on PostgreSQL it would have been committed
    statement by statement). A programming error: the client gets the generic 500."""


class ConfigurationError(RuntimeError):
    """The service refuses to start with this configuration."""


class MigrationsPending(ServiceUnavailable):
    code = "migrations_pending"
    message = N_("The database schema is not at the latest migration.")


class DatabaseUnreachable(ServiceUnavailable):
    code = "database_unreachable"
    message = N_("The database is not reachable.")


class IdempotencyKeyReused(ValidationFailed):
    code = "idempotency_key_reused"
    message = N_("This Idempotency-Key was used for a different request.")


class IdempotencyInProgress(Conflict):
    code = "idempotency_in_progress"
    message = N_("A request with this Idempotency-Key is still being processed.")


class InvalidIdempotencyKey(ValidationFailed):
    code = "invalid_idempotency_key"
    message = N_("The Idempotency-Key header is too long.")


class InvalidCursor(ValidationFailed):
    code = "invalid_cursor"
    message = N_("The cursor is not valid.")


class InvalidJson(AppError):
    status = 400
    code = "invalid_json"
    message = N_("The JSON body is nested too deeply.")


class Overloaded(ServiceUnavailable):
    code = "overloaded"
    message = N_("The service is busy. Try again in a moment.")


class DatabaseUnavailable(ServiceUnavailable):
    code = "database_unavailable"
    message = N_("The database is not reachable. Try again in a moment.")
