"""Every error of the reports domain: one class per stable code."""
from app.errors import N_, AppError, Conflict, Forbidden, NotFound, TooManyRequests, ValidationFailed


class TableNotFound(NotFound):
    code = "table_not_found"
    message = N_("No figure table has this name.")


class ReportNotFound(NotFound):
    code = "report_not_found"
    message = N_("No report has this id.")


class CategoryNotFound(NotFound):
    code = "report_category_not_found"
    message = N_("No report category has this code.")


class UnknownCategory(ValidationFailed):
    code = "unknown_category"
    message = N_("No report category has this code.")


class PhotoNotFound(NotFound):
    code = "report_photo_not_found"
    message = N_("No photo has this id.")


class OutsideProvince(ValidationFailed):
    code = "outside_province"
    message = N_("The place is outside the province.")


class UnknownCommune(ValidationFailed):
    code = "unknown_commune"
    message = N_("The commune is not one of the province's communes.")


class PhotoRequired(ValidationFailed):
    code = "photo_required"
    message = N_("This category needs at least one photo.")


class TooManyPhotos(ValidationFailed):
    code = "too_many_photos"
    message = N_("Too many photos.")


class NotAnImage(ValidationFailed):
    code = "not_an_image"
    message = N_("Only JPEG and PNG photos are accepted.")


class PhotoTooLarge(ValidationFailed):
    code = "photo_too_large"
    message = N_("The photo is too large.")


class InvalidReport(ValidationFailed):
    code = "invalid_report"
    message = N_("Some fields of the report are not valid.")


class NoCompetentAgency(ValidationFailed):
    code = "no_competent_agency"
    message = N_("No agency handles this category for this commune.")


class DailyLimitReached(TooManyRequests):
    code = "report_daily_limit"
    message = N_("You have filed the most reports allowed for one day.")


class PlaceLimitReached(TooManyRequests):
    code = "report_place_limit"
    message = N_("You have already reported this place today. Join the existing report instead.")


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    message = N_("This action is not possible in the report's current state.")


class ConcurrentChange(Conflict):
    code = "concurrent_change"
    message = N_("Someone else changed this report at the same time. Reload and try again.")


class AlreadyFollowing(Conflict):
    code = "already_following"
    message = N_("You already follow this report.")


class NotMergeable(Conflict):
    code = "not_mergeable"
    message = N_("These reports cannot be merged.")


class RefusedAction(Forbidden):
    """Raised with the state machine's refusal code (forbidden_role, out_of_scope, not_reporter)."""
    code = "forbidden"


class ReasonRequired(ValidationFailed):
    code = "reason_required"
    message = N_("A reason is required for this action.")


class WindowClosed(Conflict):
    code = "window_closed"
    message = N_("The time to rate or reopen this report is over.")


class ReopenUsed(Conflict):
    code = "reopen_used"
    message = N_("This report was already reopened once.")


class ApiKeyInvalid(Forbidden):
    code = "api_key_invalid"
    message = N_("The API key is missing or not valid.")


class Open311BadRequest(AppError):
    status = 400
    code = "bad_request"


REFUSALS = {
    "forbidden_role": N_("Your role does not allow this action."),
    "out_of_scope": N_("This record is outside your agency or commune."),
    "not_reporter": N_("Only the citizen who filed this report may do this."),
}


# The report state machine's refusals (app/reports/states.py); the service maps them to the API's errors

class StateError(Exception):
    code = "state_error"


class UnknownReportAction(StateError):
    code = "unknown_action"


class NotAllowedInState(StateError):
    code = "transition_not_allowed"


class NotPermitted(StateError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code   # forbidden_role | out_of_scope | not_reporter


class ReasonMissing(StateError):
    code = "reason_required"


class GuardFailed(StateError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code   # reopen_used | window_closed
