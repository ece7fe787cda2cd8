"""Community digital-tech teams: helping residents with their consent, every act in both names."""
import logging
import uuid

from flask import g, request

from app.assistance import acts, delegation, routes, tracking
from app.assistance.events import DELEGATION_EVENTS, DelegationChanged, TeamFigureCounted
from app.assistance.figures import EVENTS
from app.assistance.models import Delegation
from app.common.database import end_read_only
from app.common.events import declare
from app.extensions import api, db
from app.identity.authn import register_delegation_resolver

log = logging.getLogger("app.assistance")


def init_app(app) -> None:
    """The teams' API, delegated tokens, the act log of delegated requests, and the figures' trackers."""
    api.register_blueprint(routes.blp, url_prefix="/api/v1/assistance")
    declare(TeamFigureCounted, *EVENTS.values())
    declare(DelegationChanged, *DELEGATION_EVENTS)
    register_delegation_resolver(delegation.resolve)
    app.after_request(_log_delegated_request)
    tracking.install()


def _log_delegated_request(response):
    """Writes the act of a delegated request to another domain's endpoint (or its refusal).

    The assistance endpoints log their own acts in their transaction; here,
    after the other domain committed its change, the act goes in a small
    transaction of its own. A failure here is logged and never changes the answer.
    """
    delegation_id = g.get("assistance_refused") or g.get("assistance_delegation")
    rule = g.get("assistance_rule")
    refused = g.get("assistance_refused") is not None
    if delegation_id is None or not (refused or (rule is not None and rule.act and response.status_code < 300)):
        return response
    try:
        db.session.rollback()
        end_read_only(db.session)   # a delegated read (`reads_only`) still has its act written
        delegation = db.session.get(Delegation, delegation_id)
        if refused:
            body = response.get_json(silent=True)
            code = body.get("code") if isinstance(body, dict) else None   # Open311 errors are a list
            acts.record(delegation, "request_refused", outcome=acts.REFUSED,
                        detail={"method": request.method, "path": request.path, "code": code})
        else:
            acts.record(delegation, rule.act, target_type=rule.target, target_id=_target(response))
        db.session.commit()
    except Exception:  # the act log must never turn an answer into an error
        db.session.rollback()
        log.exception("assistance act not recorded", extra={"delegation_id": str(delegation_id)})
    return response


def _target(response) -> uuid.UUID | None:
    target = (request.view_args or {}).get("dossier_id")
    if target is None:
        body = response.get_json(silent=True) if response.is_json else None
        try:
            target = uuid.UUID(str((body or {}).get("id")))
        except ValueError:
            return None
    return target
