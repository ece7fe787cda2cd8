"""The report state machine, cell by cell: every action from every state, by every kind of actor."""
import uuid

import pytest

from app.reports import states as s

REPORTER_ID, AGENCY, OTHER_AGENCY = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
COMMUNE = "27727"

ACTORS = {
    s.REPORTER: s.Actor(role="citizen", account_id=REPORTER_ID),
    s.OFFICER: s.Actor(role="officer", account_id=uuid.uuid4(), agency_id=AGENCY, commune_code=COMMUNE),
    s.DISPATCHER: s.Actor(role="dispatcher", account_id=uuid.uuid4()),
    s.SYSTEM: s.Actor.system(),
}

# The whole table: (action, source) -> target, for the sources where it is allowed
EXPECTED = {
    "auto_route": {s.RECEIVED: s.ASSIGNED},
    "route": {s.RECEIVED: s.ASSIGNED, s.ASSIGNED: s.ASSIGNED},
    "refuse": {s.RECEIVED: s.REFUSED, s.ASSIGNED: s.REFUSED},
    "merge": {s.RECEIVED: s.MERGED, s.ASSIGNED: s.MERGED, s.IN_PROGRESS: s.MERGED, s.REOPENED: s.MERGED},
    "acknowledge": {s.ASSIGNED: s.IN_PROGRESS, s.REOPENED: s.IN_PROGRESS},
    "note": {s.IN_PROGRESS: s.IN_PROGRESS},
    "transfer": {s.ASSIGNED: s.ASSIGNED, s.IN_PROGRESS: s.ASSIGNED, s.REOPENED: s.ASSIGNED},
    "resolve": {s.IN_PROGRESS: s.RESOLVED},
    "close": {s.RESOLVED: s.CLOSED},
    "auto_close": {s.RESOLVED: s.CLOSED},
    "reopen": {s.RESOLVED: s.REOPENED},
}
WHO = {"auto_route": s.SYSTEM, "route": s.DISPATCHER, "refuse": s.DISPATCHER, "merge": s.DISPATCHER,
       "acknowledge": s.OFFICER, "note": s.OFFICER, "transfer": s.OFFICER, "resolve": s.OFFICER,
       "close": s.REPORTER, "auto_close": s.SYSTEM, "reopen": s.REPORTER}


def facts(status, **kwargs):
    return s.Facts(status=status, reporter_id=REPORTER_ID, agency_id=AGENCY, commune_code=COMMUNE, **kwargs)


def test_the_table_is_the_expected_one():
    assert set(s.TRANSITIONS) == set(EXPECTED)
    for action, transition in s.TRANSITIONS.items():
        assert transition.who == WHO[action], action
        assert {src: transition.target for src in transition.sources} == EXPECTED[action], action


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("status", s.STATES)
@pytest.mark.parametrize("who", sorted(ACTORS))
def test_every_cell(action, status, who):
    """Allowed only from the listed states and only by the named kind of actor."""
    actor = ACTORS[who]
    allowed = status in EXPECTED[action] and who == WHO[action]
    if allowed:
        assert s.check(action, facts(status), actor, reason="lý do").target == EXPECTED[action][status]
    else:
        with pytest.raises((s.NotPermitted, s.NotAllowedInState)):
            s.check(action, facts(status), actor, reason="lý do")


def test_wrong_role_is_refused_before_the_state():
    with pytest.raises(s.NotPermitted) as refused:
        s.check("acknowledge", facts(s.CLOSED), ACTORS[s.REPORTER])
    assert refused.value.code == "forbidden_role"


def test_officer_of_another_agency_or_commune_is_out_of_scope():
    other = s.Actor(role="officer", account_id=uuid.uuid4(), agency_id=OTHER_AGENCY)
    with pytest.raises(s.NotPermitted) as refused:
        s.check("acknowledge", facts(s.ASSIGNED), other)
    assert refused.value.code == "out_of_scope"
    elsewhere = s.Actor(role="officer", account_id=uuid.uuid4(), agency_id=AGENCY, commune_code="25459")
    with pytest.raises(s.NotPermitted):
        s.check("acknowledge", facts(s.ASSIGNED), elsewhere)
    province_wide = s.Actor(role="approver", account_id=uuid.uuid4(), agency_id=AGENCY)
    assert s.check("acknowledge", facts(s.ASSIGNED), province_wide).target == s.IN_PROGRESS


def test_another_citizen_may_not_close_or_reopen():
    stranger = s.Actor(role="citizen", account_id=uuid.uuid4())
    for action in ("close", "reopen"):
        with pytest.raises(s.NotPermitted) as refused:
            s.check(action, facts(s.RESOLVED), stranger, reason="chưa xong")
        assert refused.value.code == "not_reporter"


@pytest.mark.parametrize("action", ["refuse", "note", "transfer", "resolve", "reopen"])
def test_reason_required(action):
    status = next(iter(EXPECTED[action]))
    with pytest.raises(s.ReasonMissing):
        s.check(action, facts(status), ACTORS[WHO[action]], reason="  ")


def test_reopen_only_once_and_inside_the_window():
    with pytest.raises(s.GuardFailed) as used:
        s.check("reopen", facts(s.RESOLVED, reopen_count=1), ACTORS[s.REPORTER], reason="vẫn hỏng")
    assert used.value.code == "reopen_used"
    for action in ("reopen", "close"):
        with pytest.raises(s.GuardFailed) as late:
            s.check(action, facts(s.RESOLVED, within_window=False), ACTORS[s.REPORTER], reason="vẫn hỏng")
        assert late.value.code == "window_closed"
    # the system closes it after the window
    assert s.check("auto_close", facts(s.RESOLVED, within_window=False), ACTORS[s.SYSTEM]).target == s.CLOSED


def test_unknown_action():
    with pytest.raises(s.UnknownReportAction):
        s.check("teleport", facts(s.RECEIVED), ACTORS[s.DISPATCHER])


def test_allowed_actions_offered():
    assert s.allowed_actions(facts(s.ASSIGNED), ACTORS[s.OFFICER]) == ["acknowledge", "transfer"]
    assert s.allowed_actions(facts(s.RESOLVED), ACTORS[s.REPORTER]) == ["close", "reopen"]
    assert s.allowed_actions(facts(s.RESOLVED, reopen_count=1), ACTORS[s.REPORTER]) == ["close"]
    assert s.allowed_actions(facts(s.RECEIVED), ACTORS[s.DISPATCHER]) == ["route", "refuse", "merge"]


def test_open311_mapping_covers_every_state():
    assert {state for state, v in s.OPEN311_STATUS.items() if v == "open"} == set(s.OPEN)
    assert set(s.OPEN311_STATUS) == set(s.STATES)
