"""E-ID accounts and login: the HTTP side (thin; the rules live in the services)."""
from flask import g, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.common.api import refusals_for
from app.common.auth import current_principal, require_auth, require_level, require_role
from app.common.idempotency import idempotent
from app.common.pagination import PageArgsSchema
from app.common.present import View
from app.extensions import db, limiter
from app.identity import accounts, device_change, devices, login, lost_device, otp, qr, qr_login, sessions, staff
from app.identity.audit import audit
from app.identity.errors import DelegationNotAllowed
from app.identity.models import Account, AuthSession
from app.common.roles import ADMIN, CITIZEN
from app.identity.schemas import (
    EidAccountSchema, BindingArgs, EidDeviceSchema, BindingCompletedSchema, BindingStartedSchema, OtpChallengeArgs,
    OtpCodeArgs, ChangePasswordArgs, BindingCodeArgs, FirstPasswordArgs, LoginArgs, LoginStartedSchema,
    LoginTokenArgs, LoginVerifyArgs, LogoutArgs, EidMeSchema, PasswordResetArgs, PollSecretHeaders,
    QrCodeSchema, QrCreateArgs, QrLoginCreatedSchema, QrPollArgs, QrPollSchema, QrRequestSchema,
    QrScanArgs, TokenRefreshArgs, RegistrationArgs, ResetPasswordArgs, ResetTokenSchema, SentCodeSchema,
    AuthSessionPageSchema, SetupTokenSchema, StaffArgs, StaffCreatedSchema, StepUpArgs, AuthTokensSchema,
    TotpEnrolmentSchema, DeviceApprovalArgs, DeviceChangeSchema, DeviceLoginArgs, LostDeviceArgs, UnfreezeArgs,
)
from app.identity.settings import settings
from app.identity.totp import DIGITS, PERIOD

blp = Blueprint("identity", __name__, description="E-ID accounts, login, sessions and devices")


# --- rate limits per client address (Flask-Limiter; storage from RATELIMIT_STORAGE_URI) ---

def _limit(name: str, scope: str):
    return limiter.shared_limit(lambda: getattr(settings(), name), scope=scope)


login_limit = _limit("login_rate_limit", "identity-login")
refresh_limit = _limit("refresh_rate_limit", "identity-refresh")
otp_send_limit = _limit("otp_send_rate_limit", "identity-otp-send")
otp_verify_limit = _limit("otp_verify_rate_limit", "identity-otp-verify")
qr_limit = _limit("qr_rate_limit", "identity-qr")
qr_poll_limit = _limit("qr_poll_rate_limit", "identity-qr-poll")


refusals = refusals_for(blp)


TOO_MANY = (429, "Too many requests from this address, or codes to this phone (Retry-After says when)")
BAD_INPUT = (422, "A field is missing or not valid")


@blp.after_request
def _no_store(response):
    """Tokens and codes must not be cached by browsers or proxies."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@blp.after_app_request
def _log_refusals(response):
    """Every authentication or authorisation refusal, in any domain, goes to the security log."""
    if response.status_code in (401, 403):
        body = response.get_json(silent=True)
        body = body if isinstance(body, dict) else {}   # Open311 errors are a list
        principal = g.get("principal")
        audit("authorization.refused", ok=False, status=response.status_code, code=body.get("code"),
              method=request.method, path=request.path,
              account_id=principal.account_id if principal else None, ip=request.remote_addr)
    return response


def _client(name: str | None = None) -> sessions.ClientInfo:
    return sessions.ClientInfo(name=name, ip_address=request.remote_addr,
                               user_agent=request.user_agent.string or None)


def _own_account() -> Account:
    """The caller's account; a helper acting for a citizen may not touch sign-in settings."""
    principal = current_principal()
    if principal.is_delegated:
        raise DelegationNotAllowed()
    return db.session.get(Account, principal.account_id)


def _account_owner() -> str:
    return str(current_principal().account_id)


# --- registration ------------------------------------------------------------------

@blp.route("/registrations")
class Registrations(MethodView):
    @otp_send_limit
    @idempotent("identity-registration")
    @blp.arguments(RegistrationArgs)
    @blp.response(201, SentCodeSchema)
    @refusals((409, "Two registrations for one personal id at the same instant (retry)"),
              (422, "The details do not match the registry (one answer whatever the field), or a field is not valid"),
              TOO_MANY)
    def post(self, args):
        """Register an e-ID account (level 1)

        Personal id, full name, date of birth and phone must match the population
        registry, and the phone must be registered to this citizen. An SMS code
        goes to the phone; verify it at `/registrations/verify`. When an active
        account already exists the answer is the same, but no code is sent and
        the holder is told in the app.
        """
        return accounts.register(**args)


@blp.route("/registrations/verify")
class RegistrationPhone(MethodView):
    @otp_verify_limit
    @blp.arguments(OtpCodeArgs)
    @blp.response(200, SetupTokenSchema)
    @refusals((404, "No code was sent for this challenge"),
              (410, "The code expired, was used, or had 5 wrong tries: ask for a new one"),
              (422, "The code is wrong"), TOO_MANY)
    def post(self, args):
        """Verify the phone with the SMS code

        Returns a single-use setup token for choosing the password.
        """
        grant = accounts.verify_registration_phone(args["challenge_id"], args["code"])
        return {"setup_token": grant.token, "expires_at": grant.expires_at}


@blp.route("/registrations/password")
class RegistrationPassword(MethodView):
    @blp.arguments(FirstPasswordArgs)
    @blp.response(200, EidAccountSchema)
    @refusals((410, "The setup token is not valid, expired or was used"),
              (422, "The password is refused (too short, common, or built from personal data)"))
    def post(self, args):
        """Choose the password: the account becomes active at level 1"""
        return accounts.set_first_password(args["setup_token"], args["password"])


@blp.route("/otp/resend")
class OtpResend(MethodView):
    @otp_send_limit
    @blp.arguments(OtpChallengeArgs)
    @blp.response(201, SentCodeSchema)
    @refusals((404, "No code was sent for this challenge, or it was used"), TOO_MANY, BAD_INPUT)
    def post(self, args):
        """Send a new SMS code for a challenge (registration, reset, login or device binding)

        At most one code per minute per phone and purpose, and 5 per phone per
        hour. The previous code stops working.
        """
        sent = otp.resend(args["challenge_id"])
        db.session.commit()
        return sent


# --- login -------------------------------------------------------------------------

@blp.route("/login")
class Login(MethodView):
    @login_limit
    @blp.arguments(LoginArgs)
    @blp.response(200, LoginStartedSchema)
    @refusals((401, "Wrong login or password (the same answer for an unknown login)"),
              (403, "Account disabled, TOTP required, or the requested level is out of reach"),
              (423, "Locked after 5 failures (Retry-After says for how long)"), TOO_MANY, BAD_INPUT)
    def post(self, args):
        """Log in, step 1: personal id (or staff login) and password

        Returns a login token and the second factors on offer. Accounts without
        TOTP receive an SMS code at once. Ask for `level: 2` to require a
        level-2 session (TOTP only).
        """
        return login.begin_login(args["login"], args["password"], requested_level=args["level"],
                                 client=_client(args["client_name"]), device_id=args["device_id"],
                                 device_secret=args["device_secret"])


@blp.route("/login/sms")
class LoginSms(MethodView):
    @otp_send_limit
    @blp.arguments(LoginTokenArgs)
    @blp.response(201, SentCodeSchema)
    @refusals((403, "SMS is not allowed here (staff, or level 2 requested)"),
              (404, "No code to resend"), (410, "The login token expired or was used"),
              TOO_MANY, BAD_INPUT)
    def post(self, args):
        """Log in: send (or send again) the SMS code"""
        return login.send_login_sms(args["login_token"])


@blp.route("/login/verify")
class LoginVerify(MethodView):
    @otp_verify_limit
    @blp.arguments(LoginVerifyArgs)
    @blp.response(200, AuthTokensSchema)
    @refusals((403, "This method is not allowed for this account or level"),
              (404, "No SMS code was sent"),
              (410, "The login token or the SMS code expired, was used, or had too many wrong tries"),
              (422, "The code is wrong"), (423, "Locked after 5 failures"), TOO_MANY)
    def post(self, args):
        """Log in, step 2: TOTP or SMS code; returns the tokens

        Level 2 for a level-2 account that used TOTP; level 1 otherwise (SMS
        proves the phone number, not the bound device).
        """
        return login.complete_login(args["login_token"], args["method"], args["code"])


@blp.route("/step-up")
class StepUp(MethodView):
    @otp_verify_limit
    @require_auth
    @blp.arguments(StepUpArgs)
    @blp.response(200, AuthTokensSchema)
    @refusals((403, "The account cannot reach level 2 (no level 2 or no TOTP)"),
              (422, "The code is wrong"), (423, "Locked after 5 failures"), TOO_MANY)
    def post(self, args):
        """Raise this session to level 2 with a TOTP code

        The new access token carries `acr` 2; the refresh token stays the same.
        For a QR step-up, create a QR login with this session's bearer token.
        """
        _own_account()
        return login.step_up_with_totp(current_principal(), args["code"])


@blp.route("/tokens/refresh")
class TokenRefresh(MethodView):
    @refresh_limit
    @blp.arguments(TokenRefreshArgs)
    @blp.response(200, AuthTokensSchema)
    @refusals((401, "Unknown, expired or reused refresh token (reuse ends the session)"), TOO_MANY, BAD_INPUT)
    def post(self, args):
        """Exchange a refresh token for a new access token and refresh token"""
        return sessions.refresh_session(args["refresh_token"])


@blp.route("/logout")
class Logout(MethodView):
    @require_auth
    @blp.arguments(LogoutArgs)
    @blp.response(204)
    @refusals(BAD_INPUT)
    def post(self, args):
        """Log out this session, or everywhere"""
        principal = current_principal()
        sessions.log_out(_own_account(), principal.session_id, everywhere=args["everywhere"])


# --- account -------------------------------------------------------------------------

@blp.route("/me")
class Me(MethodView):
    @require_auth
    @blp.response(200, EidMeSchema)
    def get(self):
        """The logged-in account"""
        account = db.session.get(Account, current_principal().account_id)
        return View(account, bound_device=devices.current_device(account.id))


@blp.route("/password")
class Password(MethodView):
    @login_limit
    @require_auth
    @blp.arguments(ChangePasswordArgs)
    @blp.response(200, AuthTokensSchema)
    @refusals((401, "The current password is wrong (counts toward the lockout)"),
              (422, "The new password is refused"), (423, "Locked after 5 failures (Retry-After says for how long)"),
              TOO_MANY)
    def post(self, args):
        """Change the password

        Every other session ends and every earlier access token stops working;
        this session continues with the access token returned.
        """
        account = _own_account()
        return accounts.change_password(account, current_principal().session_id,
                                        args["current_password"], args["new_password"])


@blp.route("/password-resets")
class PasswordResets(MethodView):
    @otp_send_limit
    @idempotent("identity-password-reset")
    @blp.arguments(PasswordResetArgs)
    @blp.response(202, SentCodeSchema)
    @refusals(TOO_MANY, BAD_INPUT)
    def post(self, args):
        """Forgot the password: send an SMS code to the account's phone

        The answer is the same whether or not the details fit an account.
        """
        return accounts.start_password_reset(args["personal_id"], args["phone"])


@blp.route("/password-resets/verify")
class PasswordResetVerify(MethodView):
    @otp_verify_limit
    @blp.arguments(OtpCodeArgs)
    @blp.response(200, ResetTokenSchema)
    @refusals((404, "No code was sent for this challenge"),
              (410, "The code expired, was used, or had 5 wrong tries"),
              (422, "The code is wrong"), TOO_MANY)
    def post(self, args):
        """Verify the password-reset SMS code; returns a single-use reset token"""
        grant = accounts.verify_password_reset(args["challenge_id"], args["code"])
        return {"reset_token": grant.token, "expires_at": grant.expires_at}


@blp.route("/password-resets/password")
class PasswordResetPassword(MethodView):
    @blp.arguments(ResetPasswordArgs)
    @blp.response(200, EidAccountSchema)
    @refusals((410, "The reset token is not valid, expired or was used"),
              (422, "The password is refused"))
    def post(self, args):
        """Set the new password; every session of the account ends"""
        return accounts.reset_password(args["reset_token"], args["password"])


# --- sessions and devices ----------------------------------------------------------------

@blp.route("/sessions")
class Sessions(MethodView):
    @require_auth
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, AuthSessionPageSchema)
    @refusals(BAD_INPUT)
    def get(self, args):
        """The account's live sessions (including web sessions opened by QR), newest first"""
        principal = current_principal()
        page = sessions.live_sessions(principal.account_id, cursor=args["cursor"], limit=args["limit"])
        for item in page["items"]:
            item.is_current = item.id == principal.session_id
        return page


@blp.route("/sessions/<uuid:session_id>")
class SessionById(MethodView):
    @require_auth
    @blp.response(204)
    @refusals((404, "No such session of this account"))
    def delete(self, session_id):
        """End one of the account's sessions"""
        account = _own_account()
        sessions.end_session(account.id, session_id)


@blp.route("/devices")
class Devices(MethodView):
    @require_auth
    @blp.response(200, EidDeviceSchema(many=True))
    def get(self):
        """The account's devices, the bound one and earlier ones"""
        return devices.list_devices(current_principal().account_id)


@blp.route("/devices/<uuid:device_id>")
class DeviceById(MethodView):
    @require_level(2)
    @blp.response(204)
    @refusals((404, "No such bound device of this account"))
    def delete(self, device_id):
        """Unbind a device (level 2): its sessions end, other level-2 sessions drop to level 1

        TOTP stops until a new binding, which then needs an in-person code.
        """
        devices.unbind_device(_own_account(), device_id)


@blp.route("/devices/<uuid:device_id>/lost")
class DeviceLost(MethodView):
    @login_limit
    @require_auth
    @blp.arguments(LostDeviceArgs)
    @blp.response(200, EidDeviceSchema)
    @refusals((401, "The password is wrong (counts toward the lockout)"),
              (403, "The session did not use SMS or level 2"), (404, "Not this account's bound device"),
              (423, "Locked after 5 failures"), TOO_MANY, BAD_INPUT)
    def post(self, args, device_id):
        """Report the bound phone lost (password again): it is frozen at once

        Every session on it ends, other level-2 sessions drop to level 1, level
        2 is suspended. A new phone needs re-proofing at a desk.
        """
        _own_account()
        return lost_device.report_by_citizen(current_principal(), device_id, args["password"])


@blp.route("/devices/unfreeze")
class DeviceUnfreeze(MethodView):
    @login_limit
    @blp.arguments(UnfreezeArgs)
    @blp.response(200, EidDeviceSchema)
    @refusals((401, "The device, its secret, the password or the code is wrong"),
              (409, "The device is not frozen"), (422, "The authenticator code is wrong"),
              (423, "Locked after 5 failures"), TOO_MANY)
    def post(self, args):
        """Unfreeze a found phone: its device secret, a TOTP code and the password"""
        return lost_device.unfreeze(args["login"], args["password"], args["device_id"],
                                    args["device_secret"], args["code"])


@blp.route("/login/device")
class LoginDevice(MethodView):
    @login_limit
    @blp.arguments(DeviceLoginArgs)
    @blp.response(200, AuthTokensSchema)
    @refusals((401, "The device or its secret is wrong"),
              (403, "Account disabled, device frozen, or no level 2"),
              (422, "The authenticator code is wrong"), (423, "Locked after 5 wrong codes"), TOO_MANY)
    def post(self, args):
        """Log in on the bound phone: device secret + TOTP (level 2)

        Works while the password path is locked, so a stranger's wrong
        passwords cannot lock the citizen out of their own phone.
        """
        return login.login_with_device(args["login"], args["device_id"], args["device_secret"], args["code"],
                                       _client(args["client_name"]))


@blp.route("/device-bindings")
class DeviceBindings(MethodView):
    @otp_send_limit
    @require_role(CITIZEN)
    @idempotent("identity-device-binding", owner=_account_owner)
    @blp.arguments(BindingArgs)
    @blp.response(201, BindingStartedSchema)
    @refusals((403, "No biometric enrolment, the phone is no longer yours, no in-person code for a first "
                    "binding (`in_person_activation_required`), or the bound phone is frozen (`reproofing_required`)"),
              (410, "The in-person code expired or was used"), (422, "The in-person code is wrong or not yours"),
              TOO_MANY, BAD_INPUT)
    def post(self, args):
        """Bind this phone (level 2), step 1: SMS code to the registry phone

        A first binding needs the activation code handed over at the in-person
        enrolment. With a phone already bound, the answer carries an
        `approval_code` for the bound phone to approve (or give a re-proofing
        code from a desk). SMS alone never suffices.
        """
        account = _own_account()
        session = db.session.get(AuthSession, current_principal().session_id)
        started = device_change.start_binding(account, session, device_name=args["device_name"],
                                              platform=args["platform"], in_person_code=args["in_person_code"])
        return {"id": started.binding.id, "expires_at": started.binding.expires_at, "sms": started.sms,
                "authorisation": started.authorisation, "approval_code": started.approval_code}


@blp.route("/device-bindings/<uuid:binding_id>/sms")
class DeviceBindingSms(MethodView):
    @otp_verify_limit
    @require_role(CITIZEN)
    @blp.arguments(BindingCodeArgs)
    @blp.response(200, TotpEnrolmentSchema)
    @refusals((404, "No such binding of this account, or no code sent"),
              (410, "The binding or the code expired, was used, or had 5 wrong tries"),
              (422, "The code is wrong"), TOO_MANY)
    def post(self, args, binding_id):
        """Bind this phone, step 2: SMS code; returns the TOTP secret for the authenticator"""
        enrolment = device_change.verify_binding_phone(_own_account(), binding_id, args["code"])
        return _enrolment(enrolment.secret, enrolment.provisioning_uri)


@blp.route("/device-bindings/<uuid:binding_id>/totp")
class DeviceBindingTotp(MethodView):
    @otp_verify_limit
    @require_role(CITIZEN)
    @blp.arguments(BindingCodeArgs)
    @blp.response(200, BindingCompletedSchema)
    @refusals((403, "The bound phone has not approved this phone (`device_approval_required`)"),
              (404, "No such binding of this account"), (409, "Verify the SMS code first"),
              (410, "The binding expired or was completed, or the in-person code expired or was used"),
              (422, "The code is wrong"), TOO_MANY)
    def post(self, args, binding_id):
        """Bind this phone, step 3: the first TOTP code confirms

        `status: bound`: the device secret (shown once) and new level-2 tokens;
        every earlier access token of the account stops working. `status:
        pending` (cooling-off policy): the change takes effect at
        `effective_at` unless a level-2 session cancels it; this session stays
        level 1 meanwhile.
        """
        outcome = device_change.confirm_binding(_own_account(), current_principal().session_id, binding_id,
                                                args["code"])
        tokens = None
        if outcome.status == device_change.BOUND:
            tokens = sessions.access_token_only(outcome.session)
        return {"status": outcome.status, "effective_at": outcome.effective_at, "device": outcome.device,
                "device_secret": outcome.device_secret, "tokens": tokens}


@blp.route("/device-bindings/approve")
class DeviceBindingApprove(MethodView):
    @otp_verify_limit
    @require_role(CITIZEN)
    @blp.arguments(DeviceApprovalArgs)
    @blp.response(200, DeviceChangeSchema)
    @refusals((401, "The device secret is wrong"),
              (403, "Needs a level-2 session on the bound, not frozen, phone"),
              (404, "No open binding of this account has this approval code"),
              (422, "The authenticator code is wrong"), (423, "Locked after 5 wrong codes"), TOO_MANY)
    def post(self, args):
        """Approve a new phone from the bound phone (device secret + TOTP)

        The new phone then confirms with its TOTP code and the old phone is
        unbound. A change waiting out a cooling-off period takes effect at once.
        """
        _own_account()
        return device_change.approve_binding(current_principal(), args["approval_code"], args["device_secret"],
                                             args["code"])


@blp.route("/device-changes")
class DeviceChanges(MethodView):
    @require_role(CITIZEN)
    @blp.response(200, DeviceChangeSchema(many=True))
    def get(self):
        """Device changes waiting out the cooling-off period"""
        return device_change.pending_changes(current_principal().account_id)


@blp.route("/device-changes/<uuid:binding_id>/cancel")
class DeviceChangeCancel(MethodView):
    @require_role(CITIZEN)
    @blp.response(200, DeviceChangeSchema)
    @refusals((403, "Needs a level-2 session"), (404, "No pending change with this id"))
    def post(self, binding_id):
        """Cancel a pending device change (any level-2 session of the account)"""
        _own_account()
        return device_change.cancel_change(current_principal(), binding_id)


def _enrolment(secret: str, uri: str) -> dict:
    return {"secret": secret, "provisioning_uri": uri, "qr_png": qr.png_data_uri(uri),
            "qr_svg": qr.svg(uri), "algorithm": "SHA1", "digits": DIGITS, "period": PERIOD}


# --- QR login -------------------------------------------------------------------------

def _qr_body(created: qr_login.QrLoginCreated) -> dict:
    login_ = created.login
    body = {"id": login_.id, "code": created.code, "qr_png": qr.png_data_uri(created.code),
            "qr_svg": qr.svg(created.code), "expires_at": login_.expires_at, "interval": 2,
            "poll_url": url_for("identity.QrLoginPoll", login_id=login_.id)}
    if created.poll_secret:
        body["poll_secret"] = created.poll_secret
    return body


@blp.route("/qr-logins")
class QrLogins(MethodView):
    @qr_limit
    @blp.arguments(QrCreateArgs)
    @blp.response(201, QrLoginCreatedSchema)
    @refusals((403, "Step-up asked by a session whose account cannot reach level 2"), TOO_MANY, BAD_INPUT)
    def post(self, args):
        """QR login, web side: get a code to show as a QR image

        No login needed. With a level-1 bearer token, the request is a step-up
        of that session instead of a new login. Poll `poll_url` with the
        `X-Poll-Secret` header.
        """
        principal = g.get("principal")
        step_up = principal if principal is not None and principal.level < 2 else None
        return _qr_body(qr_login.create_qr_login(_client(args["client_name"]), step_up))


@blp.route("/qr-logins/<uuid:login_id>")
class QrLoginPoll(MethodView):
    @qr_poll_limit
    @blp.arguments(PollSecretHeaders, location="headers")
    @blp.arguments(QrPollArgs, location="query")
    @blp.response(200, QrPollSchema)
    @refusals((404, "Unknown request, or not the client that created it"),
              (410, "The code expired (refresh it) or the tokens were already handed out"),
              TOO_MANY, BAD_INPUT)
    def get(self, headers, args, login_id):
        """QR login, web side: poll for the decision; the tokens come once

        `wait` holds the answer up to that many seconds until something changes.
        """
        result = qr_login.poll(login_id, headers["poll_secret"], wait=args["wait"])
        return {"id": result.login.id, "status": "approved" if result.tokens else result.login.status,
                "expires_at": result.login.expires_at, "tokens": result.tokens}


@blp.route("/qr-logins/<uuid:login_id>/refresh")
class QrLoginRefresh(MethodView):
    @qr_limit
    @blp.arguments(PollSecretHeaders, location="headers")
    @blp.response(200, QrCodeSchema)
    @refusals((404, "Unknown request, or not the client that created it"),
              (409, "Already approved or denied"), (410, "Too old to refresh: start again"), TOO_MANY)
    def post(self, headers, login_id):
        """QR login, web side: a new code (the old one stops working)"""
        return _qr_body(qr_login.refresh_code(login_id, headers["poll_secret"]))


QR_PHONE_REFUSALS = (
    (403, "Needs a level-2 session on the bound device (`step_up_required`, `bound_device_required`), "
          "or the code asks for another account's step-up"),
    (404, "No request has this code"),
    (409, "Already approved or denied"),
    (410, "The code expired"),
    BAD_INPUT,
)


@blp.route("/qr-logins/scan")
class QrLoginScan(MethodView):
    @require_auth
    @blp.arguments(QrScanArgs)
    @blp.response(200, QrRequestSchema)
    @refusals(*QR_PHONE_REFUSALS)
    def post(self, args):
        """QR login, phone side: who is asking (client, address, browser, time)"""
        _own_account()
        return qr_login.scan(current_principal(), args["code"])


@blp.route("/qr-logins/approve")
class QrLoginApprove(MethodView):
    @require_auth
    @idempotent("identity-qr-approve", owner=_account_owner)
    @blp.arguments(QrScanArgs)
    @blp.response(200, QrRequestSchema)
    @refusals(*QR_PHONE_REFUSALS)
    def post(self, args):
        """QR login, phone side: approve; the web session appears in your session list"""
        _own_account()
        return qr_login.decide(current_principal(), args["code"], approve=True)


@blp.route("/qr-logins/deny")
class QrLoginDeny(MethodView):
    @require_auth
    @idempotent("identity-qr-deny", owner=_account_owner)
    @blp.arguments(QrScanArgs)
    @blp.response(200, QrRequestSchema)
    @refusals(*QR_PHONE_REFUSALS)
    def post(self, args):
        """QR login, phone side: deny"""
        _own_account()
        return qr_login.decide(current_principal(), args["code"], approve=False)


# --- administration -------------------------------------------------------------------

@blp.route("/staff")
class Staff(MethodView):
    @require_role(ADMIN)
    @require_level(2)
    @blp.arguments(StaffArgs)
    @blp.response(201, StaffCreatedSchema)
    @refusals((409, "The login name is taken"), (422, "A field is not valid, the agency is unknown, "
                                                       "or the password is refused"))
    def post(self, args):
        """Create a staff account (admin); returns its TOTP enrolment once"""
        created = staff.create_staff(**args)
        db.session.commit()
        return {"account": created.account, "password": created.password,
                "totp": _enrolment(created.totp_secret, created.provisioning_uri)}


@blp.route("/accounts/<uuid:account_id>/disable")
class AccountDisable(MethodView):
    @require_role(ADMIN)
    @require_level(2)
    @blp.response(200, EidAccountSchema)
    @refusals((404, "No such account"))
    def post(self, account_id):
        """Disable an account (admin): every session and access token ends at once"""
        return staff.set_account_disabled(account_id, True, by=current_principal().account_id)


@blp.route("/accounts/<uuid:account_id>/enable")
class AccountEnable(MethodView):
    @require_role(ADMIN)
    @require_level(2)
    @blp.response(200, EidAccountSchema)
    @refusals((404, "No such account"))
    def post(self, account_id):
        """Enable a disabled account again (admin)"""
        return staff.set_account_disabled(account_id, False, by=current_principal().account_id)
