"""Community digital-tech teams: teams, consent, acting for a resident, the resident's side, figures."""
from datetime import timedelta

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from app.assistance import acts, assisted, figures, present, service, teams
from app.assistance.errors import DelegatedTokenRequired, InvalidPeriod, OwnTokenRequired
from app.assistance.models import Delegation, Team
from app.assistance.schemas import (
    ActPageSchema, AssistanceConsentRequestSchema, AssistanceSessionListArgsSchema, AssistanceSessionSchema,
    AssistanceSessionStartSchema, AssistanceTeamCreateSchema, AssistanceTeamListArgsSchema,
    AssistanceTeamSchema, AssistanceTeamUpdateSchema, AssistedPaymentSchema, AssistedPaymentStartSchema,
    AssistedRegistrationSchema, AssistedSentCodeSchema, DelegatedTokenSchema, MyDelegationPageSchema,
    MyDelegationSchema, MyDelegationsArgsSchema, ReadAloudCodeSchema, RevokedDelegationsSchema,
    SessionPageSchema, StartedPaymentSchema, TeamFiguresArgsSchema, TeamFiguresSchema, TeamMemberAddSchema,
    TeamMemberSchema, TeamPageSchema,
)
from app.common.api import refusals_for
from app.common.auth import OutOfScope, current_principal, require_auth, require_level, require_role
from app.common.clock import local_today
from app.common.delegable import PAY_FEE, REGISTER_ACCOUNT, SCOPES, delegable
from app.common.idempotency import idempotent
from app.common.pagination import PageArgsSchema
from app.extensions import db
from app.common.roles import ADMIN, ASSISTANT, CITIZEN, LEADER, OFFICER

blp = Blueprint("assistance", __name__, description="Community digital-tech teams: consent, delegation, figures")


_errors = refusals_for(blp)


def _own_principal():
    principal = current_principal()
    if principal.is_delegated:
        raise OwnTokenRequired()
    return principal


def _delegation() -> Delegation:
    """The delegation behind the request's delegated token (checked by the token resolver)."""
    principal = current_principal()
    if not principal.is_delegated or g.get("assistance_delegation") is None:
        raise DelegatedTokenRequired()
    return db.session.get(Delegation, g.assistance_delegation)


def _account_owner():
    return str(current_principal().account_id)


def _delegation_owner():
    return f"delegation:{g.get('assistance_delegation')}"


def _locale() -> str:
    return request.accept_languages.best_match(current_app.config["LANGUAGES"], default="vi")


INVALID = (422, "A field is missing or not valid")
NO_TEAM = (404, "No such team")
SCOPE = (403, "Your role or commune does not allow this (`forbidden_role`, `out_of_scope`)")
NO_SESSION = (404, "No such assistance session (or not yours)")
DELEGATED = (403, "Needs the delegated token of an active session (`delegated_token_required`), "
                  "within the resident's consent (`delegation_scope`)")
ENDED = (401, "The delegation expired, was revoked or ended (`delegation_expired`, `delegation_revoked`, "
              "`delegation_ended`)")


# --- teams -------------------------------------------------------------------------------

@blp.route("/teams")
class TeamList(MethodView):
    @require_role(OFFICER, ADMIN, LEADER)
    @blp.arguments(AssistanceTeamListArgsSchema, location="query")
    @blp.response(200, TeamPageSchema)
    @_errors(SCOPE, INVALID)
    def get(self, args):
        """List teams (an officer sees their commune's), newest first"""
        return teams.list_teams(current_principal(), **args)

    @require_role(OFFICER, ADMIN)
    @require_level(2)
    @blp.arguments(AssistanceTeamCreateSchema)
    @blp.response(201, AssistanceTeamSchema)
    @_errors(SCOPE, (422, "Unknown commune (`unknown_commune`), or a field is not valid"))
    def post(self, args):
        """Create a team in a commune (officers of that commune, admins)"""
        return teams.create_team(current_principal(), args["commune_code"], args["name"])


@blp.route("/teams/<uuid:team_id>")
class TeamById(MethodView):
    @require_role(OFFICER, ADMIN, LEADER)
    @blp.response(200, AssistanceTeamSchema)
    @_errors(NO_TEAM, SCOPE)
    def get(self, team_id):
        """Read a team"""
        return teams.get_team(current_principal(), team_id)

    @require_role(OFFICER, ADMIN)
    @require_level(2)
    @blp.arguments(AssistanceTeamUpdateSchema)
    @blp.response(200, AssistanceTeamSchema)
    @_errors(NO_TEAM, SCOPE, INVALID)
    def patch(self, args, team_id):
        """Rename, deactivate or reactivate a team (deactivating ends its members' delegations)"""
        return teams.update_team(current_principal(), team_id, **args)


@blp.route("/teams/<uuid:team_id>/members")
class TeamMembers(MethodView):
    @require_role(OFFICER, ADMIN, LEADER)
    @blp.response(200, TeamMemberSchema(many=True))
    @_errors(NO_TEAM, SCOPE)
    def get(self, team_id):
        """The team's current members"""
        return present.members(teams.current_members(current_principal(), team_id))

    @require_role(OFFICER, ADMIN)
    @require_level(2)
    @blp.arguments(TeamMemberAddSchema)
    @blp.response(201, TeamMemberSchema)
    @_errors(NO_TEAM, SCOPE, (409, "Already a member of a team (`already_in_team`)"),
             (422, "Not an active assistant (`not_an_assistant`) or of another commune"))
    def post(self, args, team_id):
        """Add an assistant to the team (one team at a time)"""
        return present.member(teams.add_member(current_principal(), team_id, args["account_id"]))


@blp.route("/teams/<uuid:team_id>/members/<uuid:account_id>")
class TeamMemberById(MethodView):
    @require_role(OFFICER, ADMIN)
    @require_level(2)
    @blp.response(204)
    @_errors((404, "No such team, or not a current member"), SCOPE)
    def delete(self, team_id, account_id):
        """Remove a member: their delegations end at once"""
        teams.remove_member(current_principal(), team_id, account_id)


# --- sessions: the member ------------------------------------------------------------------

@blp.route("/sessions")
class Sessions(MethodView):
    @require_role(ASSISTANT, OFFICER, ADMIN)
    @blp.arguments(AssistanceSessionListArgsSchema, location="query")
    @blp.response(200, SessionPageSchema)
    @_errors(SCOPE, INVALID)
    def get(self, args):
        """List assistance sessions: a member's own, a commune's for its officers, newest first"""
        return present.session_page(service.list_sessions(_own_principal(), **args))

    @require_role(ASSISTANT)
    @idempotent("assistance-session", owner=_account_owner)
    @blp.arguments(AssistanceSessionStartSchema)
    @blp.response(201, AssistanceSessionSchema)
    @_errors((403, "Not in an active team (`not_in_team`), or the resident lives in another commune "
                   "(`resident_outside_commune`)"),
             (404, "No living resident with this personal id (`resident_not_found`)"),
             (409, "Account state does not fit the scopes (`resident_has_account`, `resident_has_no_account`, "
                   "`resident_account_disabled`), or an active delegation exists (`delegation_exists`)"),
             (422, "A field is not valid; the procedure is unknown or needs level 2 (`procedure_needs_level2`)"),
             (429, "Too many sessions started in the last hour (`too_many_lookups`)"))
    def post(self, args):
        """Start an assistance session for a resident of your commune

        Nothing is sent and nothing of the resident's is reachable yet: the
        answer shows the name and masked ids to confirm who you are with.
        Then ask for consent.
        """
        return present.session(service.start_session(
            _own_principal(), personal_id=args["personal_id"], scopes_asked=args["scopes"],
            procedure_code=args["procedure_code"], dossier_id=args["dossier_id"],
            duration_minutes=args["duration_minutes"]))


@blp.route("/sessions/<uuid:session_id>")
class SessionById(MethodView):
    @require_role(ASSISTANT, OFFICER, ADMIN)
    @blp.response(200, AssistanceSessionSchema)
    @_errors(NO_SESSION, SCOPE)
    def get(self, session_id):
        """Read a session: status, consent, expiry"""
        return present.session(service.visible_session(_own_principal(), session_id))


@blp.route("/sessions/<uuid:session_id>/consent")
class SessionConsent(MethodView):
    @require_role(ASSISTANT)
    @blp.arguments(AssistanceConsentRequestSchema)
    @blp.response(200, AssistanceSessionSchema)
    @_errors(NO_SESSION, (409, "Not waiting for consent (`consent_not_pending`), no active account for "
                               "approval in the app (`app_consent_unavailable`), or the phone is the helper's "
                               "own (`phone_is_helpers`)"),
             (422, "No registry phone with this index (`no_such_phone`)"),
             (429, "A code was sent less than a minute ago, or 5 were sent (`consent_resend_too_soon`, "
                   "`consent_send_limit`)"))
    def post(self, args, session_id):
        """Ask the resident's consent: a code by SMS to their registry phone, or a request in their app

        The code is never in an answer: the resident reads it aloud from their own phone.
        """
        return present.session(service.request_consent(_own_principal(), session_id, method=args["method"],
                                                       phone_index=args["phone_index"]))


def _token_body(issued: service.Issued) -> dict:
    return {"access_token": issued.access_token, "expires_in": issued.expires_in,
            "scope": " ".join(issued.delegation.scopes), "session": present.session(issued.delegation)}


@blp.route("/sessions/<uuid:session_id>/consent/verify")
class SessionConsentVerify(MethodView):
    @require_role(ASSISTANT)
    @blp.arguments(ReadAloudCodeSchema)
    @blp.response(200, DelegatedTokenSchema)
    @_errors(NO_SESSION, (409, "Not waiting for consent, or no code was sent by SMS"),
             (410, "The code expired or had 5 wrong tries (`consent_code_expired`, `consent_attempts_exceeded`)"),
             (422, "The code is wrong (`invalid_consent_code`)"))
    def post(self, args, session_id):
        """Type the code the resident read aloud: the delegation starts; returns the delegated token"""
        return _token_body(service.verify_consent(_own_principal(), session_id, args["code"]))


@blp.route("/sessions/<uuid:session_id>/token")
class SessionToken(MethodView):
    @require_role(ASSISTANT)
    @blp.response(200, DelegatedTokenSchema)
    @_errors(NO_SESSION, ENDED, (409, "Not active (no consent yet, or ended) (`delegation_not_active`)"))
    def post(self, session_id):
        """A fresh delegated token (up to 15 minutes, never past the delegation's end)"""
        return _token_body(service.issue_token(_own_principal(), session_id))


@blp.route("/sessions/<uuid:session_id>/end")
class SessionEnd(MethodView):
    @require_role(ASSISTANT, OFFICER, ADMIN)
    @blp.response(200, AssistanceSessionSchema)
    @_errors(NO_SESSION, SCOPE)
    def post(self, session_id):
        """End a session (the member), or revoke it (an officer of the commune, an admin)"""
        return present.session(service.end_session(_own_principal(), session_id))


@blp.route("/sessions/<uuid:session_id>/acts")
class SessionActs(MethodView):
    @require_role(ASSISTANT, OFFICER, ADMIN)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, ActPageSchema)
    @_errors(NO_SESSION, SCOPE, INVALID)
    def get(self, args, session_id):
        """What was done (and refused) in a session, newest first"""
        delegation = service.visible_session(_own_principal(), session_id)
        return present.act_page(acts.of_delegation(delegation.id, **args))


# --- acting with the delegated token --------------------------------------------------------

@blp.route("/delegation")
class CurrentDelegation(MethodView):
    @delegable(*SCOPES, needs_account=False)
    @require_auth
    @blp.response(200, AssistanceSessionSchema)
    @_errors(DELEGATED, ENDED)
    def get(self):
        """The delegation this delegated token acts under: resident (masked), scopes, expiry"""
        return present.session(_delegation())


@blp.route("/delegation/registration")
class DelegatedRegistration(MethodView):
    @delegable(REGISTER_ACCOUNT, needs_account=False)
    @require_auth
    @idempotent("assistance-registration", owner=_delegation_owner)
    @blp.response(201, AssistedSentCodeSchema)
    @_errors(DELEGATED, ENDED, (409, "An active account exists (`account_exists`), or consent was not by SMS"),
             (422, "The registry details no longer match (`registry_mismatch`)"),
             (429, "Too many codes to this phone"))
    def post(self):
        """Assisted registration, step 1: the SMS code goes to the resident's own registry phone"""
        return assisted.start_registration(_delegation())


@blp.route("/delegation/registration/resend")
class DelegatedRegistrationResend(MethodView):
    @delegable(REGISTER_ACCOUNT, needs_account=False)
    @require_auth
    @blp.response(201, AssistedSentCodeSchema)
    @_errors(DELEGATED, ENDED, (404, "No code to resend"), (409, "Registration not started"),
             (429, "Too many codes to this phone"))
    def post(self):
        """Assisted registration: send the resident a new SMS code"""
        return assisted.resend_registration_code(_delegation())


@blp.route("/delegation/registration/verify")
class DelegatedRegistrationVerify(MethodView):
    @delegable(REGISTER_ACCOUNT, needs_account=False)
    @require_auth
    @blp.arguments(ReadAloudCodeSchema)
    @blp.response(200, AssistedRegistrationSchema)
    @_errors(DELEGATED, ENDED, (409, "Registration not started (`registration_not_started`)"),
             (410, "The code expired, was used or had 5 wrong tries"), (422, "The code is wrong (`invalid_otp`)"))
    def post(self, args):
        """Assisted registration, step 2: the code the resident read aloud; the account exists

        The resident activates it by choosing their own password (the SMS
        tells them how); no password or setup token ever reaches the helper.
        """
        return assisted.verify_registration(_delegation(), args["code"])


@blp.route("/delegation/payments")
class DelegatedPayments(MethodView):
    @delegable(PAY_FEE)
    @require_auth
    @idempotent("assistance-payment", owner=_delegation_owner)
    @blp.arguments(AssistedPaymentStartSchema)
    @blp.response(201, StartedPaymentSchema)
    @_errors(DELEGATED, ENDED, (404, "No such dossier of the resident"),
             (409, "Fee already paid, or none due, or the resident's phone is the helper's own "
                   "(`phone_is_helpers`)"), (422, "A field is not valid, or the gateway is unavailable"),
             (502, "The gateway refused the payment"), (503, "The gateway did not answer"))
    def post(self, args):
        """Start paying the fee of a dossier in the consent; the payment link goes to the resident's phone

        The answer never carries the link: the resident pays on their own phone,
        and the helper never handles money.
        """
        return assisted.start_payment(current_principal(), _delegation(), args["dossier_id"], args["gateway"],
                                      client_ip=request.remote_addr, locale=_locale())


@blp.route("/delegation/payments/<uuid:payment_id>")
class DelegatedPaymentById(MethodView):
    @delegable(PAY_FEE)
    @require_auth
    @blp.response(200, AssistedPaymentSchema)
    @_errors(DELEGATED, ENDED, (404, "No such payment started by you for this resident"))
    def get(self, payment_id):
        """Follow a payment you started for the resident (status only)"""
        return assisted.get_payment(current_principal(), _delegation(), payment_id)


# --- the resident ----------------------------------------------------------------------------

@blp.route("/me/delegations")
class MyDelegations(MethodView):
    @require_role(CITIZEN)
    @blp.arguments(MyDelegationsArgsSchema, location="query")
    @blp.response(200, MyDelegationPageSchema)
    @_errors(INVALID)
    def get(self, args):
        """Who may act for me: pending requests and active delegations (or all), newest first"""
        return present.my_delegation_page(service.my_delegations(
            _own_principal(), current_only=args["current"], cursor=args["cursor"], limit=args["limit"]))


@blp.route("/me/delegations/revoke-all")
class MyDelegationsRevokeAll(MethodView):
    @require_role(CITIZEN)
    @blp.response(200, RevokedDelegationsSchema)
    def post(self):
        """Revoke every pending and active delegation at once"""
        return {"revoked": service.revoke_all(_own_principal())}


@blp.route("/me/delegations/<uuid:session_id>/approve")
class MyDelegationApprove(MethodView):
    @require_role(CITIZEN)
    @blp.response(200, MyDelegationSchema)
    @_errors((404, "No such request for me"), (409, "Not waiting for my approval in the app"))
    def post(self, session_id):
        """Approve a helper's request in the app: they may act for me within it until it expires"""
        return present.my_delegation(service.approve(_own_principal(), session_id))


@blp.route("/me/delegations/<uuid:session_id>/decline")
class MyDelegationDecline(MethodView):
    @require_role(CITIZEN)
    @blp.response(200, MyDelegationSchema)
    @_errors((404, "No such request for me"), (409, "Not waiting for consent"))
    def post(self, session_id):
        """Decline a helper's request"""
        return present.my_delegation(service.decline(_own_principal(), session_id))


@blp.route("/me/delegations/<uuid:session_id>/revoke")
class MyDelegationRevoke(MethodView):
    @require_role(CITIZEN)
    @blp.response(200, MyDelegationSchema)
    @_errors((404, "No such delegation of mine"))
    def post(self, session_id):
        """Revoke a delegation: the helper is refused from their next request on"""
        return present.my_delegation(service.revoke(_own_principal(), session_id))


@blp.route("/me/history")
class MyHistory(MethodView):
    @require_role(CITIZEN)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, ActPageSchema)
    @_errors(INVALID)
    def get(self, args):
        """Everything helpers did (or were refused) for me, in my name and theirs, newest first"""
        return present.act_page(service.history(_own_principal(), **args))


# --- figures -----------------------------------------------------------------------------------

@blp.route("/figures")
class Figures(MethodView):
    @require_role(OFFICER, LEADER, ADMIN)
    @blp.arguments(TeamFiguresArgsSchema, location="query")
    @blp.response(200, TeamFiguresSchema)
    @_errors(SCOPE, (404, "No such team"), (422, "Not a valid period (`invalid_period`)"))
    def get(self, args):
        """Team figures by day or month: residents helped, accounts registered and activated with help,
        dossiers submitted and payments completed with help

        Per member, per team or per commune. Officers see their own commune's teams.
        """
        principal = _own_principal()
        end = args["end"] or local_today()
        start = args["start"] or end.replace(day=1)
        if start > end or end - start > timedelta(days=366):
            raise InvalidPeriod(errors={"start": [InvalidPeriod.message]})
        query = figures.Query(period=args["period"], start=start, end=end, by=args["by"],
                              team_ids=_visible_team_ids(principal, args["commune_code"], args["team_id"]),
                              member_id=args["member_id"])
        return {"period": args["period"], "start": start, "end": end, "rows": figures.report(query)}


def _visible_team_ids(principal, commune_code, team_id):
    """The teams a figures request may cover (None: every team)."""
    if principal.role == OFFICER:
        if principal.commune_code is None or commune_code not in (None, principal.commune_code):
            raise OutOfScope()
        commune_code = principal.commune_code
    if team_id is not None:
        team = teams.get_team(principal, team_id)
        return [team.id] if commune_code in (None, team.commune_code) else []
    if commune_code is None:
        return None
    return list(db.session.scalars(select(Team.id).where(Team.commune_code == commune_code)))
