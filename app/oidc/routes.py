"""The provider's JSON API: discovery and keys, the staff client registry, the citizen's consents."""
from flask.views import MethodView
from flask_smorest import Blueprint

from app.common.api import ErrorSchema
from app.common.auth import current_principal, require_role
from app.common.pagination import PageArgsSchema
from app.common.roles import ADMIN, CITIZEN
from app.oidc import clients, discovery, interaction, keys
from app.oidc.authorization import issuer
from app.oidc.schemas import (
    ClientArgs, ClientAuditSchema, ClientCreatedSchema, ClientPageSchema, ClientSchema, ClientUpdateArgs,
    ConsentPageSchema, DiscoverySchema, JwksSchema,
)

blp = Blueprint("oidc", __name__, description="OpenID Connect provider: discovery, keys, relying parties, consents")
wellknown = Blueprint("oidc_wellknown", __name__, description="OpenID Connect discovery and keys")

NOT_FOUND = (404, "No relying party (or consent) with this client id")
BAD_INPUT = (422, "A field is missing or not valid")


def refusals(*pairs):
    def decorator(view):
        for status, description in reversed(pairs):
            view = blp.alt_response(status, schema=ErrorSchema, description=description)(view)
        return view
    return decorator


@wellknown.route("/.well-known/openid-configuration")
class Configuration(MethodView):
    @wellknown.response(200, DiscoverySchema)
    def get(self):
        """Provider metadata (issuer, endpoints, acr values, scopes, claims)"""
        return discovery.metadata(issuer())


@wellknown.route("/oidc/jwks")
class Jwks(MethodView):
    @wellknown.response(200, JwksSchema)
    def get(self):
        """The public signing keys (ES256, by kid; retired keys until their tokens expired)"""
        return keys.jwks()


@blp.route("/clients")
class Clients(MethodView):
    @require_role(ADMIN)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, ClientPageSchema)
    def get(self, args):
        """Registered relying parties, newest first (admin)"""
        return clients.list_clients(cursor=args["cursor"], limit=args["limit"])

    @require_role(ADMIN)
    @blp.arguments(ClientArgs)
    @refusals(BAD_INPUT)
    @blp.response(201, ClientCreatedSchema)
    def post(self, args):
        """Register a relying party; a client_secret_basic secret is shown once (admin)"""
        client, secret = clients.register_client(current_principal().account_id, args)
        return {"client": client, "client_secret": secret}


@blp.route("/clients/<client_id>")
class OneClient(MethodView):
    @require_role(ADMIN)
    @refusals(NOT_FOUND)
    @blp.response(200, ClientSchema)
    def get(self, client_id):
        """One relying party (admin)"""
        return clients.get_client(client_id)

    @require_role(ADMIN)
    @blp.arguments(ClientUpdateArgs(partial=True))
    @refusals(NOT_FOUND, BAD_INPUT)
    @blp.response(200, ClientSchema)
    def patch(self, args, client_id):
        """Change a relying party (redirect URIs, scopes, levels, keys, deactivate) (admin)"""
        return clients.update_client(current_principal().account_id, client_id, args)


@blp.route("/clients/<client_id>/secret")
class ClientSecret(MethodView):
    @require_role(ADMIN)
    @refusals(NOT_FOUND, BAD_INPUT)
    @blp.response(201, ClientCreatedSchema)
    def post(self, client_id):
        """A new client secret (client_secret_basic); the old one stops working (admin)"""
        client, secret = clients.new_client_secret(current_principal().account_id, client_id)
        return {"client": client, "client_secret": secret}


@blp.route("/clients/<client_id>/history")
class ClientHistory(MethodView):
    @require_role(ADMIN)
    @refusals(NOT_FOUND)
    @blp.response(200, ClientAuditSchema(many=True))
    def get(self, client_id):
        """Who registered and changed this relying party, and how (admin)"""
        return clients.client_history(client_id)


@blp.route("/consents")
class Consents(MethodView):
    @require_role(CITIZEN)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, ConsentPageSchema)
    def get(self, args):
        """The services the citizen agreed to share information with"""
        return interaction.list_consents(current_principal().account_id, cursor=args["cursor"], limit=args["limit"])


@blp.route("/consents/<client_id>")
class OneConsent(MethodView):
    @require_role(CITIZEN)
    @refusals(NOT_FOUND)
    @blp.response(204)
    def delete(self, client_id):
        """Withdraw consent: the service's tokens stop working, it must ask again"""
        interaction.revoke_consent(current_principal().account_id, client_id)
