"""The provider's browser pages and protocol endpoints (form-encoded, outside the JSON API).

Pages are plain HTML forms (no JavaScript), Vietnamese unless the browser asks
for English, each POST checked against a CSRF token kept in the signed session
cookie. The cookie also holds the identity session the browser logged in with.
Errors about the request itself (unknown client, unregistered redirect URI,
expired request) are shown here and never redirected.
"""
import functools
import hmac
import secrets
import uuid

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749.errors import OAuth2Error
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext

from app.errors import AppError
from app.extensions import limiter
from app.identity import qr as qr_images
from app.identity import qr_login
from app.identity.login import begin_login, complete_login, send_login_sms, step_up_with_totp
from app.identity.sessions import ClientInfo
from app.oidc import interaction, logout as logouts
from app.oidc.assurance import SCOPE_CLAIMS
from app.oidc.authorization import AUTH_METHODS, server
from app.oidc.clients import find_client
from app.oidc.errors import CsrfRefused, RequestExpired
from app.oidc.people import live_user
from app.oidc.rate_limits import client_key, client_limit
from app.oidc.texts import t

blp = Blueprint("oidc_pages", __name__, template_folder="templates")

SID, CSRF, RID, LOGIN_TOKEN, FRESH, QR = ("oidc_sid", "oidc_csrf", "oidc_rid", "oidc_login", "oidc_fresh", "oidc_qr")


def _csrf() -> str:
    if CSRF not in session:
        session[CSRF] = secrets.token_urlsafe(24)
    return session[CSRF]


def _check_csrf() -> None:
    sent = request.form.get("csrf_token", "")
    if not hmac.compare_digest(sent, session.get(CSRF, "") or "-"):
        raise CsrfRefused()


def _render(template: str, status: int = 200, **context):
    context.setdefault("client", None)
    context.setdefault("level", None)
    body = render_template(f"oidc/{template}.html", t=t, csrf=_csrf(), locale=str(get_locale()), **context)
    return body, status, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
                          "X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'",
                          "Referrer-Policy": "no-referrer"}


def page(view):
    """Shows an AppError on our page (in the request's language) instead of the JSON envelope."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            if request.method == "POST":
                _check_csrf()
            return view(*args, **kwargs)
        except AppError as error:
            return _render("error", error.status, error=gettext(error.message), code=error.code)
    return wrapper


def _user():
    user = live_user(session.get(SID))
    if user is None:
        session.pop(SID, None)
    return user


def _client_info(client) -> ClientInfo:
    return ClientInfo(name=client.name, ip_address=request.remote_addr, user_agent=request.user_agent.string)


def _pending(rid):
    if session.get(RID) != str(rid):      # a request belongs to the browser that brought it
        raise RequestExpired()
    return interaction.pending(rid)


# --- the authorization endpoint ------------------------------------------------------

@blp.route("/oidc/authorize", methods=["GET", "POST"])
@page
def authorize():
    params = request.values
    try:
        stored = interaction.open_request(params, _user())
    except OAuth2Error as error:
        if error.redirect_uri:
            return interaction.protocol_error_response(dict(params.items()), error)
        return _render("error", 400, error=error.description or error.error, code=error.error)
    session[RID] = str(stored.id)
    session.pop(FRESH, None)
    return redirect(url_for("oidc_pages.resume", rid=stored.id))


@blp.get("/oidc/continue/<rid>")
@page
def resume(rid):
    pending = _pending(rid)
    user = _user()
    try:
        step = interaction.next_step(pending, user, fresh_login=session.get(FRESH) == str(rid))
    except OAuth2Error as error:
        return interaction.protocol_error_response(pending.params, error)
    if step == interaction.LOGIN:
        return redirect(url_for("oidc_pages.login", rid=rid))
    if step == interaction.STEP_UP:
        return redirect(url_for("oidc_pages.step_up", rid=rid))
    if step == interaction.CONSENT:
        return redirect(url_for("oidc_pages.consent", rid=rid))
    session.pop(RID, None)
    return interaction.finish(pending, user)


def _logged_in(rid, session_id):
    session[SID] = str(session_id)
    session[FRESH] = str(rid)
    session.pop(LOGIN_TOKEN, None)
    session.pop(QR, None)
    return redirect(url_for("oidc_pages.resume", rid=rid))


@blp.route("/oidc/login/<rid>", methods=["GET", "POST"])
@page
def login(rid):
    pending = _pending(rid)
    shown = {"client": pending.client, "level": pending.level, "rid": rid}
    if request.method == "GET":
        return _render("login", **shown)
    try:
        started = begin_login(request.form.get("login", ""), request.form.get("password", ""),
                              requested_level=2 if pending.level >= 2 else None,
                              client=_client_info(pending.client))
    except AppError as error:
        return _render("login", error.status, error=gettext(error.message), login=request.form.get("login"), **shown)
    session[LOGIN_TOKEN] = {"token": started.login_token, "factors": started.second_factors}
    return redirect(url_for("oidc_pages.factor", rid=rid))


@blp.route("/oidc/login/<rid>/factor", methods=["GET", "POST"])
@page
def factor(rid):
    pending = _pending(rid)
    started = session.get(LOGIN_TOKEN)
    if not started:
        return redirect(url_for("oidc_pages.login", rid=rid))
    shown = {"client": pending.client, "level": pending.level, "rid": rid, "factors": started["factors"]}
    if request.method == "GET":
        return _render("factor", **shown)
    method = request.form.get("method")
    try:
        if method == "send_sms":
            send_login_sms(started["token"])
            return _render("factor", info=t("sms_sent"), **shown)
        issued = complete_login(started["token"], "totp" if method == "totp" else "sms",
                                request.form.get("code", ""))
    except AppError as error:
        return _render("factor", error.status, error=gettext(error.message), **shown)
    return _logged_in(rid, issued.session_id)


@blp.route("/oidc/login/<rid>/qr", methods=["GET", "POST"])
@page
def qr(rid):
    pending = _pending(rid)
    user = _user()
    step_up = user is not None and user.level < pending.level
    held = session.get(QR)
    if request.method == "GET" and (held is None or held.get("rid") != str(rid) or request.args.get("new")):
        created = qr_login.create_qr_login(_client_info(pending.client), step_up=user.principal() if step_up else None)
        held = {"rid": str(rid), "id": str(created.login.id), "secret": created.poll_secret, "code": created.code}
        session[QR] = held
    shown = {"client": pending.client, "level": pending.level, "rid": rid, "step_up": step_up,
             "code": held and held["code"], "svg": held and qr_images.svg(held["code"])}
    if request.method == "GET":
        return _render("qr", **shown)
    if held is None:
        return redirect(url_for("oidc_pages.qr", rid=rid))
    try:
        result = qr_login.poll(uuid.UUID(held["id"]), held["secret"], wait=0)
    except AppError as error:
        session.pop(QR, None)
        return _render("qr", error.status, error=gettext(error.message), **shown)
    if result.tokens is None:
        message = t("qr_denied") if result.login.status == "denied" else t("qr_pending")
        return _render("qr", 200, error=message, **shown)
    return _logged_in(rid, result.tokens.session_id)


@blp.route("/oidc/step-up/<rid>", methods=["GET", "POST"])
@page
def step_up(rid):
    pending = _pending(rid)
    user = _user()
    if user is None:
        return redirect(url_for("oidc_pages.login", rid=rid))
    shown = {"client": pending.client, "level": pending.level, "rid": rid}
    if request.method == "GET":
        return _render("step_up", **shown)
    try:
        step_up_with_totp(user.principal(), request.form.get("code", ""))
    except AppError as error:
        return _render("step_up", error.status, error=gettext(error.message), **shown)
    return redirect(url_for("oidc_pages.resume", rid=rid))


@blp.route("/oidc/consent/<rid>", methods=["GET", "POST"])
@page
def consent(rid):
    pending = _pending(rid)
    user = _user()
    if user is None:
        return redirect(url_for("oidc_pages.login", rid=rid))
    if request.method == "GET":
        keys = ["sub"] + [scope for scope in pending.scopes if scope != "openid" and scope in SCOPE_CLAIMS]
        return _render("consent", client=pending.client, level=pending.level, rid=rid, claim_keys=keys)
    session.pop(RID, None)
    if request.form.get("decision") != "allow":
        return interaction.finish(pending, None)
    interaction.grant_consent(user.account_id, pending.client.client_id, pending.scopes)
    session[RID] = str(rid)
    return redirect(url_for("oidc_pages.resume", rid=rid))


# --- logout ---------------------------------------------------------------------

@blp.route("/oidc/logout", methods=["GET", "POST"])
@page
def logout():
    carry = {name: request.values[name] for name in
             ("id_token_hint", "client_id", "post_logout_redirect_uri", "state") if request.values.get(name)}
    if request.method == "GET":
        return _render("logout", client=find_client(carry.get("client_id")), carry=carry, done=False)
    target = logouts.rp_logout(_user(), client_id=carry.get("client_id"),
                               post_logout_redirect_uri=carry.get("post_logout_redirect_uri"),
                               id_token_hint=carry.get("id_token_hint"))
    session.pop(SID, None)
    if target:
        if carry.get("state"):
            target = add_params_to_uri(target, [("state", carry["state"])])
        return redirect(target)
    return _render("logout", carry={}, done=True)


# --- back-channel endpoints (clients authenticate) --------------------------------------

per_client = limiter.limit(client_limit, key_func=client_key)


@blp.post("/oidc/token")
@per_client
def token():
    return server().create_token_response()


@blp.post("/oidc/revoke")
@per_client
def revoke():
    return server().create_endpoint_response("revocation")


@blp.post("/oidc/introspect")
@per_client
def introspect():
    return server().create_endpoint_response("introspection")


@blp.route("/oidc/userinfo", methods=["GET", "POST"])
def userinfo():
    return server().create_endpoint_response("userinfo")


@blp.post("/oidc/par")
@per_client
def par():
    oauth = server().create_oauth2_request(request)
    try:
        client = server().authenticate_client(oauth, AUTH_METHODS, endpoint="par")
        request_uri, expires_in = interaction.push_request(client.get_client_id(), request.form)
    except OAuth2Error as error:
        return server().handle_error_response(oauth, error)
    return {"request_uri": request_uri, "expires_in": expires_in}, 201, {"Cache-Control": "no-store"}
