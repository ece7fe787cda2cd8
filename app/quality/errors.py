"""The service-quality domain's refusals: one class per stable code."""
from app.errors import N_, Conflict, Forbidden, NotFound, ValidationFailed


class DossierNotKnown(NotFound):
    code = "dossier_not_found"
    message = N_("No dossier has this id.")


class NotFinished(Conflict):
    code = "dossier_not_finished"
    message = N_("A dossier can be rated once it is finished.")


class RatingWindowClosed(Conflict):
    code = "rating_window_closed"
    message = N_("The time to rate this dossier has passed.")


class AlreadyRated(Conflict):
    code = "already_rated"
    message = N_("This dossier has already been rated.")


class ComplaintNotFound(NotFound):
    code = "complaint_not_found"
    message = N_("No complaint has this id.")


class ComplaintTarget(ValidationFailed):
    code = "complaint_target"
    message = N_("A complaint is about one of your dossiers or about a procedure.")


class ProcedureUnknown(ValidationFailed):
    code = "unknown_procedure"
    message = N_("No procedure has this code.")


class ComplaintTransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    message = N_("This action is not possible in the complaint's current state.")


class NoteRequired(ValidationFailed):
    code = "note_required"
    message = N_("A text is required for this action.")


class NotYourComplaint(Forbidden):
    code = "forbidden_role"
    message = N_("Your role does not allow this action.")


class ConsentRequired(Forbidden):
    code = "delegation_scope"
    message = N_("The resident's consent does not cover this action.")


class ApologyNotFound(NotFound):
    code = "apology_not_found"
    message = N_("No apology has this id.")


class IndicatorUnknown(NotFound):
    code = "indicator_not_found"
    message = N_("No indicator has this code.")


class PeriodNotValid(ValidationFailed):
    code = "period_not_valid"
    message = N_("The period must start before it ends and span at most 24 months.")


class ScopeRequired(ValidationFailed):
    code = "scope_id_required"
    message = N_("Give the agency, commune or procedure the figures are for.")


# The complaint state machine's refusals (app/quality/states.py); the service maps them to the API's errors

class ComplaintStateError(Exception):
    code = "complaint_error"


class UnknownAction(ComplaintStateError):
    code = "unknown_action"


class NotAllowedInState(ComplaintStateError):
    code = "transition_not_allowed"


class NotPermitted(ComplaintStateError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code   # forbidden_role | not_owner | out_of_scope


class NoteMissing(ComplaintStateError):
    code = "note_required"
