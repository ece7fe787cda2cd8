"""The assistance domain's refusals: one class per stable code."""
from app.errors import (
    N_, Conflict, Forbidden, Gone, NotFound, TooManyRequests, Unauthorized, ValidationFailed,
)


# --- teams ---------------------------------------------------------------------------

class TeamNotFound(NotFound):
    code = "team_not_found"
    message = N_("No team has this id.")


class NotAnAssistant(ValidationFailed):
    code = "not_an_assistant"
    message = N_("Only active staff accounts with the assistant role can join a team.")


class AlreadyInTeam(Conflict):
    code = "already_in_team"
    message = N_("This assistant is already a member of a team. Remove them from it first.")


class MemberNotFound(NotFound):
    code = "member_not_found"
    message = N_("This account is not a current member of the team.")


class NotInTeam(Forbidden):
    code = "not_in_team"
    message = N_("You are not a member of an active community digital-tech team.")


class UnknownCommune(ValidationFailed):
    code = "unknown_commune"
    message = N_("No commune has this code.")


# --- starting a session ----------------------------------------------------------------

class ResidentNotFound(NotFound):
    code = "resident_not_found"
    message = N_("No living resident has this personal id in the population registry.")


class ResidentOutsideCommune(Forbidden):
    code = "resident_outside_commune"
    message = N_("This resident does not live in your team's commune. Only the team of their commune can help.")


class ResidentHasAccount(Conflict):
    code = "resident_has_account"
    message = N_("This resident already has an active e-ID account; registration is not needed.")


class ResidentHasNoAccount(Conflict):
    code = "resident_has_no_account"
    message = N_("This resident has no e-ID account yet. Ask for the register_account scope too.")


class ResidentAccountDisabled(Conflict):
    code = "resident_account_disabled"
    message = N_("This resident's e-ID account is disabled. Send them to the one-stop-shop desk.")


class ProcedureNeedsLevel2(ValidationFailed):
    code = "procedure_needs_level2"
    message = N_("This procedure needs the resident's own level-2 e-ID; a helper cannot submit it.")


class ProcedureNotFound(ValidationFailed):
    code = "unknown_procedure"
    message = N_("No open procedure has this code.")


class DossierNotOfResident(ValidationFailed):
    code = "dossier_not_of_resident"
    message = N_("This is not a dossier of this resident.")


class DelegationExists(Conflict):
    code = "delegation_exists"
    message = N_("You already hold an active delegation for this resident. Use it, or end it first.")


class TooManyLookups(TooManyRequests):
    code = "too_many_lookups"
    message = N_("You started too many assistance sessions in the last hour. Try again later.")


# --- consent ---------------------------------------------------------------------------

class SessionNotFound(NotFound):
    code = "assistance_session_not_found"
    message = N_("No assistance session has this id.")


class NotPending(Conflict):
    code = "consent_not_pending"
    message = N_("This session is not waiting for consent (it was given, declined, ended or has lapsed).")


class AppConsentUnavailable(Conflict):
    code = "app_consent_unavailable"
    message = N_("The resident has no active e-ID account, so they cannot approve in the app. Use SMS.")


class NoSuchPhone(ValidationFailed):
    code = "no_such_phone"
    message = N_("The registry lists no phone with this index for the resident.")


class ConsentResendTooSoon(TooManyRequests):
    code = "consent_resend_too_soon"
    message = N_("Wait a minute before sending another consent code.")


class ConsentSendLimit(TooManyRequests):
    code = "consent_send_limit"
    message = N_("Too many consent codes were sent for this session. Start a new session later.")


class ConsentCodeNotSent(Conflict):
    code = "consent_code_not_sent"
    message = N_("No consent code was sent by SMS for this session.")


class ConsentCodeExpired(Gone):
    code = "consent_code_expired"
    message = N_("The consent code has expired. Send a new one.")


class ConsentAttemptsExceeded(Gone):
    code = "consent_attempts_exceeded"
    message = N_("Too many wrong consent codes. Send a new one.")


class InvalidConsentCode(ValidationFailed):
    code = "invalid_consent_code"
    message = N_("The consent code is wrong.")


class DelegationNotActive(Conflict):
    code = "delegation_not_active"
    message = N_("This delegation is not active (no consent yet, or it has ended).")


# --- acting with a delegated token -------------------------------------------------------

class DelegationEnded(Unauthorized):
    code = "delegation_ended"
    message = N_("This delegation has ended; the helper can no longer act for the resident.")


class DelegationExpired(Unauthorized):
    code = "delegation_expired"
    message = N_("This delegation has expired; ask the resident for consent again.")


class DelegationRevoked(Unauthorized):
    code = "delegation_revoked"
    message = N_("This delegation was revoked; the helper can no longer act for the resident.")


class OutsideConsent(Forbidden):
    code = "delegation_scope"
    message = N_("The resident's consent does not cover this action.")


class DelegatedTokenRequired(Forbidden):
    code = "delegated_token_required"
    message = N_("Use the delegated token of an assistance session for this action.")


class OwnTokenRequired(Forbidden):
    code = "own_token_required"
    message = N_("A delegated token cannot do this; use your own session.")


class ResidentAccountRequired(Forbidden):
    code = "resident_account_required"
    message = N_("The resident has no e-ID account yet; register it first.")


class RegistrationNotStarted(Conflict):
    code = "registration_not_started"
    message = N_("Start the registration before verifying its code.")


class ConsentPhoneRequired(Conflict):
    code = "consent_phone_required"
    message = N_("Assisted registration needs the resident's consent by SMS to their registry phone.")


class DossierOutsideConsent(Forbidden):
    code = "dossier_outside_consent"
    message = N_("The resident's consent does not cover this dossier.")


class InvalidPeriod(ValidationFailed):
    code = "invalid_period"
    message = N_("The period is not valid: the start must not be after the end, and at most 366 days apart.")


class MemberOfOtherCommune(ValidationFailed):
    code = "member_of_other_commune"
    message = N_("This assistant's account belongs to another commune.")


class PhoneIsHelpers(Conflict):
    code = "phone_is_helpers"
    message = N_("This phone number is the helper's own: codes and payment links must reach the resident, not you.")
