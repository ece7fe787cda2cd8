"""The identity domain's refusals: one class per stable code."""
from app.errors import (
    N_, Conflict, Forbidden, Gone, Locked, NotFound, TooManyRequests, Unauthorized, ValidationFailed,
)


class RegistryMismatch(ValidationFailed):
    # One message whatever did not match, so nobody learns who is in the registry
    code = "registry_mismatch"
    message = N_("These details do not match the population registry.")


class AccountExists(Conflict):
    code = "account_exists"
    message = N_("An e-ID account already exists for this personal id. Log in or reset the password.")


class WeakPassword(ValidationFailed):
    code = "weak_password"
    message = N_("Choose another password.")


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    message = N_("The personal id or the password is wrong.")


class AccountLocked(Locked):
    code = "account_locked"
    message = N_("Too many failed attempts. Try again later.")


class AccountDisabled(Forbidden):
    code = "account_disabled"
    message = N_("This account is disabled. Contact the support desk.")


class LevelUnavailable(Forbidden):
    code = "level_unavailable"
    message = N_("This account cannot reach the requested assurance level.")


class MethodInsufficient(Forbidden):
    code = "method_not_sufficient"
    message = N_("This sign-in method is not allowed for this account or level.")


class TotpRequired(Forbidden):
    code = "totp_required"
    message = N_("This account must sign in with an authenticator app (TOTP).")


class LoginExpired(Gone):
    code = "login_expired"
    message = N_("This sign-in has expired or was completed. Start again.")


class OtpNotFound(NotFound):
    code = "otp_not_found"
    message = N_("No verification code was sent for this request.")


class InvalidOtp(ValidationFailed):
    code = "invalid_otp"
    message = N_("The verification code is wrong.")


class OtpExpired(Gone):
    code = "otp_expired"
    message = N_("The verification code has expired. Ask for a new one.")


class OtpUsed(Gone):
    code = "otp_used"
    message = N_("The verification code was already used. Ask for a new one.")


class OtpAttemptsExceeded(Gone):
    code = "otp_attempts_exceeded"
    message = N_("Too many wrong codes. Ask for a new one.")


class OtpResendTooSoon(TooManyRequests):
    code = "otp_resend_too_soon"
    message = N_("Wait a minute before asking for another code.")


class OtpQuotaExceeded(TooManyRequests):
    code = "otp_quota_exceeded"
    message = N_("Too many codes were sent to this phone. Try again later.")


class InvalidGrant(Gone):
    code = "invalid_grant"
    message = N_("This token is not valid, has expired or was already used. Verify the phone again.")


class InvalidTotp(ValidationFailed):
    code = "invalid_totp"
    message = N_("The authenticator code is wrong.")


class InvalidRefreshToken(Unauthorized):
    code = "invalid_refresh_token"
    message = N_("The refresh token is not valid or has expired. Log in again.")


class RefreshTokenReused(Unauthorized):
    code = "refresh_token_reused"
    message = N_("This refresh token was already used; the session has been ended. Log in again.")


class BiometricEnrolmentRequired(Forbidden):
    code = "biometric_enrolment_required"
    message = N_("Level 2 needs in-person biometric enrolment at the police.")


class PhoneNotInRegistry(Forbidden):
    code = "phone_not_in_registry"
    message = N_("The account's phone number is no longer registered to you in the population registry.")


class BindingNotFound(NotFound):
    code = "device_binding_not_found"
    message = N_("No device binding with this id is in progress.")


class BindingExpired(Gone):
    code = "device_binding_expired"
    message = N_("This device binding has expired or was completed. Start again.")


class BindingPhoneNotVerified(Conflict):
    code = "device_binding_phone_not_verified"
    message = N_("Verify the SMS code before enrolling the authenticator.")


class BoundDeviceRequired(Forbidden):
    code = "bound_device_required"
    message = N_("Only the app on your bound device can do this.")


class SessionNotFound(NotFound):
    code = "session_not_found"
    message = N_("No session with this id.")


class DeviceNotFound(NotFound):
    code = "device_not_found"
    message = N_("No device with this id.")


class AccountNotFound(NotFound):
    code = "account_not_found"
    message = N_("No account with this id.")


class QrLoginNotFound(NotFound):
    code = "qr_login_not_found"
    message = N_("No QR login matches this code.")


class QrLoginExpired(Gone):
    code = "qr_login_expired"
    message = N_("This QR code has expired. Refresh it for a new one.")


class QrLoginConsumed(Gone):
    code = "qr_login_consumed"
    message = N_("The tokens of this QR login were already handed out.")


class QrLoginDecided(Conflict):
    code = "qr_login_decided"
    message = N_("This QR login was already approved or denied.")


class QrWrongAccount(Forbidden):
    code = "qr_wrong_account"
    message = N_("This QR code asks to confirm another account's session.")


class LoginTaken(Conflict):
    code = "login_taken"
    message = N_("This login name is already in use.")


class AgencyNotFound(ValidationFailed):
    code = "agency_not_found"
    message = N_("No agency has this code.")


class DelegationNotAllowed(Forbidden):
    code = "delegation_not_allowed"
    message = N_("A helper acting for a citizen cannot change the citizen's sign-in settings.")


# --- level 2 and device changes ---------------------------------------------------

class InPersonActivationRequired(Forbidden):
    code = "in_person_activation_required"
    message = N_("Level 2 starts at a desk: bring your citizen id card to the police or the one-stop desk "
                 "for an activation code.")


class ReproofingRequired(Forbidden):
    code = "reproofing_required"
    message = N_("Your bound phone is reported lost: a new phone needs a re-proofing code from a desk.")


class InvalidInPersonCode(ValidationFailed):
    code = "invalid_in_person_code"
    message = N_("This activation or re-proofing code is wrong or is not yours.")


class InPersonCodeExpired(Gone):
    code = "in_person_code_expired"
    message = N_("This activation or re-proofing code has expired. Ask the desk for a new one.")


class InPersonCodeUsed(Gone):
    code = "in_person_code_used"
    message = N_("This activation or re-proofing code was already used.")


class DeviceApprovalRequired(Forbidden):
    code = "device_approval_required"
    message = N_("Approve this new phone from your bound phone, or get a re-proofing code at a desk.")


class DeviceApprovalNotFound(NotFound):
    code = "device_approval_not_found"
    message = N_("No device change of your account waits for this approval code.")


class DeviceChangeNotFound(NotFound):
    code = "device_change_not_found"
    message = N_("No pending device change with this id.")


class DeviceFrozen(Forbidden):
    code = "device_frozen"
    message = N_("Your bound phone is reported lost: level 2 is suspended.")


class DeviceNotFrozen(Conflict):
    code = "device_not_frozen"
    message = N_("This device is not reported lost.")


class InvalidDeviceProof(Unauthorized):
    code = "invalid_device_proof"
    message = N_("The device, its secret or the authenticator code is wrong.")


class IdentityVerificationFailed(ValidationFailed):
    code = "identity_verification_failed"
    message = N_("The in-person identity check failed.")


class CitizenNotFound(NotFound):
    code = "citizen_not_found"
    message = N_("No e-ID account for this personal id.")


class ResidentConsentRequired(ValidationFailed):
    code = "resident_consent_required"
    message = N_("The resident must be present and consent.")


class ReproofingRequestNotFound(NotFound):
    code = "reproofing_request_not_found"
    message = N_("No open re-proofing request with this id for this citizen.")


class InvalidToken(Unauthorized):
    code = "invalid_token"
    message = N_("The access token is not valid or has expired.")
