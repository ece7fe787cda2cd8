"""The words on the login, consent and logout pages (English here, Vietnamese in the catalog).

Templates call `t("key")`: the text translated for the request's locale
(Vietnamese by default, English with `Accept-Language: en`).
"""
from flask_babel import gettext

from app.errors import N_

TEXTS = {
    "brand": N_("Province e-ID login"),
    "signing_in_to": N_("You are signing in to"),
    "level_1": N_("Assurance level 1"),
    "level_2": N_("Assurance level 2 (with your bound phone)"),
    "login_title": N_("Log in"),
    "login_label": N_("Personal id number or login"),
    "password_label": N_("Password"),
    "continue": N_("Continue"),
    "or_qr": N_("Or log in with the QR code from your phone app"),
    "factor_title": N_("Confirm it is you"),
    "totp_label": N_("6-digit code from your authenticator app (TOTP)"),
    "sms_label": N_("6-digit code sent by SMS"),
    "send_sms": N_("Send me a code by SMS"),
    "sms_sent": N_("A code was sent to your phone."),
    "sms_not_level_2": N_("An SMS code is not enough for level 2: use the authenticator on your bound phone or the QR code."),
    "confirm": N_("Confirm"),
    "qr_title": N_("Log in with your phone"),
    "qr_help": N_("Open the province app on your bound phone, choose Scan QR, check the request and approve it. Then press Continue."),
    "qr_pending": N_("Not approved yet. Approve on your phone, then press Continue."),
    "qr_denied": N_("The request was denied on the phone."),
    "qr_new": N_("Show a new QR code"),
    "step_up_title": N_("This service asks for assurance level 2"),
    "step_up_help": N_("Confirm with the authenticator code of your bound phone, or approve the QR code with the phone app."),
    "consent_title": N_("Share your information?"),
    "consent_help": N_("The service asks to receive the following information from the population registry:"),
    "consent_remember": N_("Your answer is remembered for this service; you can withdraw it in the app at any time."),
    "allow": N_("Allow"),
    "deny": N_("Deny"),
    "logout_title": N_("Log out of the province login?"),
    "logout_button": N_("Log out"),
    "logged_out": N_("You are logged out."),
    "error_title": N_("Something is wrong with this request"),
    "claim_sub": N_("An identifier for you at this service (not your personal id)"),
    "claim_profile": N_("Full name, date of birth and gender"),
    "claim_phone": N_("Phone number"),
    "claim_address": N_("Permanent and current residence addresses"),
    "claim_vn_personal_id": N_("Personal identification number (CCCD)"),
    "claim_offline_access": N_("Access while you are not using the service (until you withdraw it)"),
}


def t(key: str) -> str:
    return gettext(TEXTS[key])
