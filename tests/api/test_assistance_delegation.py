"""Acting with a delegated token: default deny, each scope, expiry, revocation, both names on every act."""
import uuid
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.assistance.models import AssistanceAct, TeamMember
from app.assistance.scopes import rules
from app.common.clock import utcnow
from app.dossiers.models import TimelineEntry
from app.extensions import db
from app.identity.models import DISABLED
from tests.factories import AccountFactory
from tests.assistance_fixtures import (  # noqa: F401
    API, EXTRACT_VALUES, OTHER_COMMUNE, PROCEDURE, Visit, acts_of, assistant, bearer, catalog, delegated,
    fresh_rate_limits, officer, resident, storage,
)

DOSSIERS = "/api/v1/dossiers"


@pytest.fixture
def visit(client, catalog):
    return Visit(client)


def _start(client, headers, procedure):
    return client.post(DOSSIERS, json={"procedure_id": str(procedure.id)}, headers=headers)


def _dossier_for(client, catalog, headers, code=PROCEDURE) -> str:
    response = _start(client, headers, catalog[code])
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


# -- default deny ------------------------------------------------------------------------------

def _sample_url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if type(converter).__name__ == "AnyConverter":      # e.g. the payment gateways' callbacks
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = uuid.uuid4() if type(converter).__name__ == "UUIDConverter" else "x"
    return rule.build(values, append_unknown=False)[1]


def test_every_endpoint_not_opened_by_a_scope_refuses_a_delegated_token(app, client, visit):
    """Default deny, checked against every route of the app (identity, dossiers, payments, dev, ...)."""
    citizen, _ = resident()
    _, headers = visit.consented(citizen, ["submit_dossier", "pay_fee", "read_status"], procedure_code=PROCEDURE)
    checked = 0
    opened = rules()
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (rule.endpoint, method) in opened:
                continue
            response = client.open(_sample_url(rule), method=method, headers=headers, json={})
            assert response.status_code == 403, (method, rule.rule, response.status_code)
            assert response.get_json()["code"] == "delegation_scope", (method, rule.rule)
            checked += 1
    assert checked > 80


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/identity/me"),                       # the account's registry data
    ("POST", "/api/v1/identity/password"),                 # the resident's password
    ("POST", "/api/v1/identity/registrations/password"),   # choosing the first password
    ("POST", "/api/v1/identity/password-resets"),
    ("GET", "/api/v1/identity/sessions"),
    ("POST", "/api/v1/identity/device-bindings"),
    ("POST", "/api/v1/identity/qr-logins"),
    ("GET", "/api/v1/notifications/inbox"),                # messages to the resident
    ("GET", "/api/v1/dev/sms?phone=0912345678"),           # development read-back of codes
    ("GET", "/api/v1/results"),                            # the personal document store
    ("GET", "/api/v1/registry/provinces"),
    ("POST", "/api/v1/payments"),                          # would answer the payment link
    ("GET", "/api/v1/payments"),
    ("GET", "/api/v1/assistance/me/history"),              # the resident's own side
    ("POST", "/api/v1/assistance/me/delegations/revoke-all"),
    ("POST", "/api/v1/assistance/sessions"),               # the member's own side
])
def test_named_refusals_with_a_clear_error(client, visit, method, path):
    citizen, _ = resident(phones=["0912345678"])
    _, headers = visit.consented(citizen, ["submit_dossier", "pay_fee", "read_status"], procedure_code=PROCEDURE)
    response = client.open(path, method=method, headers=headers, json={})
    assert response.status_code == 403
    body = response.get_json()
    assert body["code"] == "delegation_scope"
    assert body["message"] == "Sự đồng ý của người dân không bao gồm thao tác này."


def test_the_members_own_token_cannot_act_for_the_resident(client, visit, catalog):
    """Nothing happens without consent: the member's own token is not the resident's."""
    citizen, account = resident()
    dossier = _dossier_for(client, catalog, bearer(account))
    assert _start(client, visit.headers, catalog[PROCEDURE]).get_json()["code"] == "forbidden_role"
    assert client.get(f"{DOSSIERS}/{dossier}", headers=visit.headers).get_json()["code"] == "forbidden_role"
    paid = client.post("/api/v1/payments", json={"dossier_id": dossier, "gateway": "vnpay"}, headers=visit.headers)
    assert paid.status_code in (403, 404, 409)
    assert client.post(f"{API}/delegation/payments", json={"dossier_id": dossier, "gateway": "vnpay"},
                       headers=visit.headers).get_json()["code"] == "delegated_token_required"


# -- each scope --------------------------------------------------------------------------------

def test_read_status_shows_the_list_and_nothing_more(client, visit, catalog):
    citizen, account = resident()
    mine = bearer(account)
    dossier = _dossier_for(client, catalog, mine)
    _, headers = visit.consented(citizen, ["read_status"])
    listed = client.get(DOSSIERS, headers=headers)
    assert listed.status_code == 200
    [item] = listed.get_json()["items"]
    assert item["id"] == dossier and item["status"] == "draft" and "fields" not in item
    for response in (client.get(f"{DOSSIERS}/{dossier}", headers=headers),
                     client.get(f"{DOSSIERS}/{dossier}/timeline", headers=headers),
                     _start(client, headers, catalog[PROCEDURE])):
        assert response.status_code == 403 and response.get_json()["code"] == "delegation_scope"


def test_submit_dossier_covers_the_named_procedure_only(client, visit, catalog):
    citizen, account = resident()
    other_procedure = _dossier_for(client, catalog, bearer(account), code="1.002716")
    _, stranger = resident()
    strangers = _dossier_for(client, catalog, bearer(stranger))
    session, headers = visit.consented(citizen, ["submit_dossier"], procedure_code=PROCEDURE)

    refused = _start(client, headers, catalog["1.002716"])
    assert refused.status_code == 403 and refused.get_json()["code"] == "delegation_scope"
    started = _start(client, headers, catalog[PROCEDURE])
    assert started.status_code == 201
    dossier = started.get_json()
    # the prefilled form of that procedure is what the member sees
    fields = {f["name"]: f for f in dossier["fields"]}
    assert fields["declarant_full_name"]["value"] == citizen.full_name
    assert fields["declarant_full_name"]["source"] == "population_registry"
    filled = client.patch(f"{DOSSIERS}/{dossier['id']}/form", json={"values": EXTRACT_VALUES}, headers=headers)
    assert filled.status_code == 200, filled.get_json()
    submitted = client.post(f"{DOSSIERS}/{dossier['id']}/submit", headers=headers)
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "submitted"
    assert client.get(f"{DOSSIERS}/{dossier['id']}", headers=headers).status_code == 200

    assert client.get(f"{DOSSIERS}/{other_procedure}", headers=headers).get_json()["code"] == "delegation_scope"
    assert client.get(f"{DOSSIERS}/{strangers}", headers=headers).status_code == 404
    assert client.get(DOSSIERS, headers=headers).get_json()["code"] == "delegation_scope"
    withdraw = client.post(f"{DOSSIERS}/{dossier['id']}/transitions", json={"action": "withdraw"}, headers=headers)
    assert withdraw.status_code == 403 and withdraw.get_json()["code"] == "delegation_scope"
    assert acts_of(session["id"])[3:] == [
        ("request_refused", "refused"), ("dossier_started", "done"), ("dossier_form_filled", "done"),
        ("dossier_submitted", "done"), ("dossier_read", "done"), ("request_refused", "refused"),
        ("request_refused", "refused"), ("request_refused", "refused")]


def test_the_delegated_principal_is_the_resident_at_level_1_with_the_member_as_actor(client, visit, catalog):
    citizen, account = resident()
    _, headers = visit.consented(citizen, ["submit_dossier"], procedure_code=PROCEDURE)
    dossier = _dossier_for(client, catalog, headers)
    client.patch(f"{DOSSIERS}/{dossier}/form", json={"values": EXTRACT_VALUES}, headers=headers)
    client.post(f"{DOSSIERS}/{dossier}/submit", headers=headers)
    entries = list(db.session.scalars(select(TimelineEntry).where(
        TimelineEntry.dossier_id == uuid.UUID(dossier)).order_by(TimelineEntry.created_at)))
    assert [(e.action, e.account_id, e.actor_id, e.actor_role) for e in entries] == [
        ("create", account.id, visit.member.id, "citizen"), ("submit", account.id, visit.member.id, "citizen")]
    # the resident sees the same timeline, the helper named on it
    timeline = client.get(f"{DOSSIERS}/{dossier}/timeline", headers=bearer(account)).get_json()
    assert {entry["actor_id"] for entry in timeline} == {str(visit.member.id)}


def test_pay_fee_alone_does_not_open_dossiers(client, visit, catalog):
    citizen, _ = resident()
    _, headers = visit.consented(citizen, ["pay_fee"])
    assert _start(client, headers, catalog[PROCEDURE]).get_json()["code"] == "delegation_scope"
    assert client.get(DOSSIERS, headers=headers).get_json()["code"] == "delegation_scope"


def test_acting_for_someone_without_an_account_needs_the_registration_first(client, visit, catalog):
    citizen, _ = resident(account=False)
    _, headers = visit.consented(citizen, ["register_account", "submit_dossier"], procedure_code=PROCEDURE)
    response = _start(client, headers, catalog[PROCEDURE])
    assert response.status_code == 403 and response.get_json()["code"] == "resident_account_required"
    assert client.get(f"{API}/delegation", headers=headers).get_json()["resident"]["has_account"] is False


# -- when it stops ----------------------------------------------------------------------------

def test_expiry_stops_the_member_at_once(client, visit, catalog):
    citizen, _ = resident()
    session, headers = visit.consented(citizen, ["read_status"], duration_minutes=15)
    assert client.get(DOSSIERS, headers=headers).status_code == 200
    ends = datetime.fromisoformat(session["expires_at"])
    with time_machine.travel(ends - timedelta(seconds=30), tick=False):
        assert client.get(DOSSIERS, headers=headers).status_code == 200
    with time_machine.travel(ends + timedelta(seconds=1), tick=False):
        response = client.get(DOSSIERS, headers=headers)
        assert response.status_code == 401 and response.get_json()["code"] in ("delegation_expired", "invalid_token")
        again = visit.token(session["id"])
        assert again.status_code == 409 and again.get_json()["code"] == "delegation_not_active"


def test_tokens_never_outlive_the_delegation(client, visit, catalog):
    citizen, _ = resident()
    session, _ = visit.consented(citizen, ["read_status"], duration_minutes=20)
    with time_machine.travel(utcnow() + timedelta(minutes=10), tick=False):
        fresh = visit.token(session["id"]).get_json()
        assert fresh["expires_in"] <= 600
    # a token issued earlier for 15 minutes is refused once the delegation is over
    early = visit.token(session["id"]).get_json()["access_token"]
    with time_machine.travel(utcnow() + timedelta(minutes=20, seconds=5), tick=False):
        response = client.get(DOSSIERS, headers=delegated(early))
        assert response.status_code == 401


def test_expiry_is_checked_on_every_request_whatever_the_token_says(client, visit, catalog):
    """A token that would live longer than the delegation (say, minted by an older release) is refused."""
    from app.identity.tokens import DELEGATED, issue_access_token

    citizen, account = resident()
    session, _ = visit.consented(citizen, ["read_status"], duration_minutes=15)
    long_lived = issue_access_token(
        account_id=account.id, role="citizen", level=1, methods=["pwd"], session_id=visit.auth_session.id,
        token_type=DELEGATED, ttl=timedelta(hours=1),
        extra={"act": {"sub": str(visit.member.id)}, "dlg": session["id"], "scope": "read_status"})
    assert client.get(DOSSIERS, headers=delegated(long_lived)).status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=16), tick=False):
        response = client.get(DOSSIERS, headers=delegated(long_lived))
        assert response.status_code == 401 and response.get_json()["code"] == "delegation_expired"


def test_a_token_for_another_delegation_or_member_is_refused(client, visit, catalog):
    from app.identity.tokens import DELEGATED, issue_access_token

    citizen, account = resident()
    session, _ = visit.consented(citizen, ["read_status"])
    other = Visit(client, member=assistant(), team=visit.team)
    forged = issue_access_token(
        account_id=account.id, role="citizen", level=1, methods=["pwd"], session_id=other.auth_session.id,
        token_type=DELEGATED, extra={"dlg": session["id"], "scope": "read_status"})
    response = client.get(DOSSIERS, headers=delegated(forged))
    assert response.status_code == 401 and response.get_json()["code"] == "invalid_token"


def test_the_resident_revokes_and_the_member_is_stopped_at_once(client, visit, catalog):
    citizen, account = resident()
    session, headers = visit.consented(citizen, ["read_status"])
    mine = bearer(account)
    listed = client.get(f"{API}/me/delegations", headers=mine).get_json()["items"]
    assert [(d["id"], d["status"], d["scopes"]) for d in listed] == [(session["id"], "active", ["read_status"])]
    revoked = client.post(f"{API}/me/delegations/{session['id']}/revoke", headers=mine)
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    response = client.get(DOSSIERS, headers=headers)
    assert response.status_code == 401 and response.get_json()["code"] == "delegation_revoked"
    assert visit.token(session["id"]).status_code == 409
    assert client.get(f"{API}/me/delegations", headers=mine).get_json()["items"] == []
    assert len(client.get(f"{API}/me/delegations?current=false", headers=mine).get_json()["items"]) == 1
    # the attempt after revocation is in the resident's history
    history = client.get(f"{API}/me/history", headers=mine).get_json()["items"]
    assert (history[0]["action"], history[0]["outcome"]) == ("request_refused", "refused")
    assert history[0]["detail"]["code"] == "delegation_revoked"


def test_revoke_all_at_once(client, catalog):
    citizen, account = resident()
    first = Visit(client)
    second = Visit(client, member=assistant(), team=first.team)
    db.session.add(TeamMember(team_id=first.team.id, account_id=second.member.id, added_by=first.member.id))
    db.session.flush()
    _, one = first.consented(citizen, ["read_status"])
    _, two = second.consented(citizen, ["read_status"])
    response = client.post(f"{API}/me/delegations/revoke-all", headers=bearer(account))
    assert response.status_code == 200 and response.get_json() == {"revoked": 2}
    for headers in (one, two):
        assert client.get(DOSSIERS, headers=headers).get_json()["code"] == "delegation_revoked"


@pytest.mark.parametrize("how, code", [
    ("member_ends", "delegation_ended"),
    ("officer_revokes", "delegation_revoked"),
    ("member_removed", "delegation_revoked"),
    ("team_deactivated", "delegation_revoked"),
    ("member_disabled", "invalid_token"),
    ("member_logs_out", "invalid_token"),
    ("resident_disabled", "delegation_ended"),
])
def test_every_way_a_delegation_stops(client, visit, catalog, how, code):
    citizen, account = resident()
    session, headers = visit.consented(citizen, ["read_status"])
    boss = officer()
    boss_headers = bearer(boss)
    if how == "member_ends":
        assert client.post(f"{API}/sessions/{session['id']}/end", headers=visit.headers).get_json()["status"] == "ended"
    elif how == "officer_revokes":
        assert client.post(f"{API}/sessions/{session['id']}/end", headers=boss_headers).get_json()["status"] == "revoked"
    elif how == "member_removed":
        assert client.delete(f"{API}/teams/{visit.team.id}/members/{visit.member.id}",
                             headers=boss_headers).status_code == 204
    elif how == "team_deactivated":
        assert client.patch(f"{API}/teams/{visit.team.id}", json={"active": False},
                            headers=boss_headers).status_code == 200
    elif how == "member_disabled":
        admin = bearer(AccountFactory(role="admin", level=2))
        assert client.post(f"/api/v1/identity/accounts/{visit.member.id}/disable", headers=admin).status_code == 200
    elif how == "member_logs_out":
        assert client.post("/api/v1/identity/logout", json={}, headers=visit.headers).status_code == 204
    elif how == "resident_disabled":
        account.status = DISABLED
        db.session.flush()
    response = client.get(DOSSIERS, headers=headers)
    assert response.status_code == 401 and response.get_json()["code"] == code


# -- both names on every act ---------------------------------------------------------------------

def test_the_audit_trail_on_both_sides(client, visit, catalog):
    citizen, account = resident()
    session, headers = visit.consented(citizen, ["submit_dossier"], procedure_code=PROCEDURE)
    dossier = _dossier_for(client, catalog, headers)
    client.patch(f"{DOSSIERS}/{dossier}/form", json={"values": EXTRACT_VALUES}, headers=headers)
    client.post(f"{DOSSIERS}/{dossier}/submit", headers=headers)
    client.get("/api/v1/identity/me", headers=headers)             # refused, and recorded
    acts = list(db.session.scalars(select(AssistanceAct).where(
        AssistanceAct.delegation_id == uuid.UUID(session["id"])).order_by(AssistanceAct.created_at)))
    assert [(a.action, a.outcome) for a in acts] == [
        ("session_started", "done"), ("consent_requested", "done"), ("consent_given", "done"),
        ("dossier_started", "done"), ("dossier_form_filled", "done"), ("dossier_submitted", "done"),
        ("request_refused", "refused")]
    assert {(a.subject_account_id, a.actor_id, a.team_id) for a in acts[3:]} == {
        (account.id, visit.member.id, visit.team.id)}
    assert {a.target_id for a in acts[3:6]} == {uuid.UUID(dossier)}
    assert acts[-1].detail == {"method": "GET", "path": "/api/v1/identity/me", "code": "delegation_scope"}
    # the resident's history: newest first, with the helper's name
    history = client.get(f"{API}/me/history", headers=bearer(account)).get_json()["items"]
    assert [h["action"] for h in history][:4] == ["request_refused", "dossier_submitted", "dossier_form_filled",
                                                 "dossier_started"]
    assert {h["helper_name"] for h in history} == {"Lê Thị Hoa"}
    assert history[1]["target_type"] == "dossier" and history[1]["target_id"] == dossier
    # the session's acts, for the member and the commune's officer
    for reader in (visit.headers, bearer(officer())):
        listed = client.get(f"{API}/sessions/{session['id']}/acts", headers=reader)
        assert listed.status_code == 200 and len(listed.get_json()["items"]) == 7


def test_sessions_are_visible_to_their_member_and_the_communes_officers_only(client, visit, catalog):
    citizen, _ = resident()
    session_id = visit.start(citizen.personal_id, ["read_status"]).get_json()["id"]
    other_member = Visit(client, member=assistant())
    assert client.get(f"{API}/sessions/{session_id}", headers=other_member.headers).status_code == 404
    far_officer = officer(OTHER_COMMUNE)
    response = client.get(f"{API}/sessions/{session_id}", headers=bearer(far_officer))
    assert response.status_code == 403 and response.get_json()["code"] == "out_of_scope"
    assert client.get(f"{API}/sessions/{session_id}", headers=bearer(officer())).status_code == 200
    listed = client.get(f"{API}/sessions", headers=visit.headers).get_json()["items"]
    assert [s["id"] for s in listed] == [session_id]
    assert client.get(f"{API}/sessions", headers=other_member.headers).get_json()["items"] == []
