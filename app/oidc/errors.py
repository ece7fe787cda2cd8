"""The OpenID provider's refusals: one class per stable code.

The OAuth/OIDC protocol endpoints answer with the protocol's own error shape
(RFC 6749 §5.2, built by Authlib); these are the JSON API's and the pages' errors.
"""
from authlib.oauth2.rfc6749.errors import OAuth2Error

from app.errors import N_, Conflict, Forbidden, Gone, NotFound, ValidationFailed


class ClientNotFound(NotFound):
    code = "oidc_client_not_found"
    message = N_("No relying party has this client id.")


class ClientInvalid(ValidationFailed):
    code = "oidc_client_invalid"
    message = N_("The relying party's registration is not valid.")


class ClientIdTaken(Conflict):
    code = "oidc_client_id_taken"
    message = N_("Another relying party already uses this client id.")


class ConsentNotFound(NotFound):
    code = "oidc_consent_not_found"
    message = N_("No consent was given to this relying party.")


# --- the login and consent pages (rendered as HTML, never redirected) -----------

class UnknownClient(ValidationFailed):
    status = 400
    code = "oidc_unknown_client"
    message = N_("The service that sent you here is not registered with the province login.")


class InvalidRedirectUri(ValidationFailed):
    status = 400
    code = "oidc_invalid_redirect_uri"
    message = N_("The return address is not registered for this service, so you are not sent back to it.")


class RequestExpired(Gone):
    code = "oidc_request_expired"
    message = N_("This login request has expired. Go back to the service and start again.")


class CsrfRefused(Forbidden):
    code = "oidc_csrf_refused"
    message = N_("The form has expired. Load the page again and retry.")


# Protocol errors answered to the relying party in OAuth 2.0's own form (Authlib), not our envelope

class UnmetAuthenticationRequirements(OAuth2Error):
    """OpenID Connect Core errata: the account cannot reach the level asked for."""

    error = "unmet_authentication_requirements"


class InteractionRequired(OAuth2Error):
    error = "interaction_required"


class ConsentRequired(OAuth2Error):
    error = "consent_required"
