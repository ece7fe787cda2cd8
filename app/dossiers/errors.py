"""The dossiers domain's errors: one class per stable code, and the workflow's own refusals."""
from app.errors import N_, AppError, Conflict, NotFound, ServiceUnavailable, ValidationFailed


class DossierNotFound(NotFound):
    code = "dossier_not_found"
    message = N_("No dossier has this id.")


class BundleNotFound(NotFound):
    code = "bundle_not_found"
    message = N_("No linked-procedure bundle has this id.")


class CitizenNotFound(NotFound):
    code = "citizen_not_found"
    message = N_("No living resident has this personal id in the population registry.")


class CitizenAccountRequired(ValidationFailed):
    code = "citizen_account_required"
    message = N_("This citizen has no active e-ID account. Help them register one before taking the dossier.")


class FileTooLarge(AppError):
    status = 413
    code = "file_too_large"
    message = N_("The file is larger than the upload limit.")


class ResultNotFound(NotFound):
    code = "result_not_found"
    message = N_("No result in your documents has this id.")


class StaleVersion(Conflict):
    code = "stale_version"
    message = N_("The dossier was changed by someone else. Reload it and try again.")


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    message = N_("This action is not possible in the dossier's current state.")


class WorkflowError(Exception):
    code = "workflow_error"


class UnknownAction(WorkflowError):
    code = "unknown_action"


class NotAllowedInState(WorkflowError):
    code = "transition_not_allowed"


class NotPermitted(WorkflowError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code   # forbidden_role | out_of_scope | not_assignee | not_owner


class ReasonRequired(WorkflowError):
    code = "reason_required"


class ReasonCodeRequired(WorkflowError):
    code = "reason_code_required"


class GuardFailed(WorkflowError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code   # fee_unpaid


class LinkedProcedureUnavailable(Conflict):
    code = "linked_procedure_unavailable"
    message = N_("These linked procedures are not available.")


class AlreadySubmitted(Conflict):
    code = "already_submitted"
    message = N_("This bundle has already been submitted.")


class BundleEnded(Conflict):
    code = "bundle_ended"
    message = N_("This bundle has already ended.")


class DocumentsMissing(ValidationFailed):
    code = "documents_missing"
    message = N_("Required documents are missing.")


class DocumentNotFound(NotFound):
    code = "document_not_found"
    message = N_("This dossier has no document with this id.")


class UnsupportedFileType(ValidationFailed):
    code = "unsupported_file_type"


class UnknownDocumentCode(ValidationFailed):
    code = "unknown_document_code"


class DossierNotEditable(Conflict):
    code = "dossier_not_editable"
    message = N_("Documents can be changed only in a draft or when a supplement is requested.")


class FileUnavailable(ServiceUnavailable):
    code = "file_unavailable"
    message = N_("The file is temporarily unavailable.")


class InvalidResultData(ValidationFailed):
    code = "invalid_result_data"


class NotGenuine(NotFound):
    code = "not_genuine"
    message = N_("No document with this verification code was issued.")


class SubmitTheBundle(Conflict):
    code = "submit_the_bundle"
    message = N_("This dossier belongs to linked procedures; submit the bundle.")


class InvalidAssignee(ValidationFailed):
    code = "invalid_assignee"


class FeeAlreadyPaid(Conflict):
    code = "fee_already_paid"
    message = N_("The fee of this dossier has already been paid.")


class NoFeeDue(Conflict):
    code = "no_fee_due"
    message = N_("This dossier has no fee to pay.")


class DossierNotPayable(Conflict):
    code = "dossier_not_payable"
    message = N_("The fee can be paid once the dossier is submitted and before it is received.")


class DossierClosed(Conflict):
    code = "dossier_closed"
    message = N_("This dossier is closed; the fee will be refunded.")


class FeeNotPaid(Conflict):
    code = "fee_not_paid"
    message = N_("The fee of this dossier was not paid.")


class ProcedureRetired(Conflict):
    code = "procedure_retired"
    message = N_("This procedure has been retired and accepts no new dossiers.")


class NoCompetentAgency(ValidationFailed):
    code = "no_competent_agency"


class ReasonMissing(ValidationFailed):
    code = "reason_required"


class ReasonCodeMissing(ValidationFailed):
    code = "reason_code_required"


class NewDateNotValid(ValidationFailed):
    code = "new_date_not_valid"
    message = N_("The new date must be after the due date and after today.")
