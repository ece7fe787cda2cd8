"""The workflow table: every transition allowed from its states by its actors, refused otherwise."""
import uuid

import pytest

from app.dossiers import states as wf

OWNER_ID, OFFICER_ID, OTHER_OFFICER_ID, APPROVER_ID = (uuid.uuid4() for _ in range(4))
AGENCY, OTHER_AGENCY = uuid.uuid4(), uuid.uuid4()
COMMUNE = "27727"

OWNER = wf.Actor("citizen", OWNER_ID)
STRANGER = wf.Actor("citizen", uuid.uuid4())
ASSIGNED_OFFICER = wf.Actor("officer", OFFICER_ID, AGENCY, COMMUNE)
OFFICER = wf.Actor("officer", OTHER_OFFICER_ID, AGENCY, COMMUNE)
AGENCY_WIDE_OFFICER = wf.Actor("officer", uuid.uuid4(), AGENCY, None)
OTHER_COMMUNE_OFFICER = wf.Actor("officer", uuid.uuid4(), AGENCY, "27730")
OTHER_AGENCY_OFFICER = wf.Actor("officer", uuid.uuid4(), OTHER_AGENCY, COMMUNE)
APPROVER = wf.Actor("approver", APPROVER_ID, AGENCY, COMMUNE)
OTHER_AGENCY_APPROVER = wf.Actor("approver", uuid.uuid4(), OTHER_AGENCY, COMMUNE)
ADMIN = wf.Actor("admin", uuid.uuid4())
SYSTEM = wf.Actor.system()

# The one actor expected to fire each action in the happy path
FIRES = {
    "submit": OWNER, "queue": OWNER, "withdraw": OWNER, "resubmit": OWNER,
    "submit_at_desk": OFFICER, "receive": OFFICER, "return": OFFICER, "assign": OFFICER,
    "request_supplement": ASSIGNED_OFFICER, "propose": ASSIGNED_OFFICER,
    "approve": APPROVER, "reject": APPROVER, "send_back": APPROVER, "issue_result": APPROVER,
    "start": SYSTEM, "cancel": SYSTEM,
}
EXPECTED = {
    "submit": ({"draft"}, "submitted"),
    "submit_at_desk": ({"draft"}, "submitted"),
    "queue": ({"draft"}, "queued"),
    "start": ({"queued"}, "submitted"),
    "withdraw": ({"draft", "queued", "submitted"}, "withdrawn"),
    "cancel": ({"draft", "queued"}, "cancelled"),
    "receive": ({"submitted"}, "received"),
    "return": ({"submitted"}, "returned"),
    "assign": ({"received", "in_processing"}, "in_processing"),
    "request_supplement": ({"in_processing"}, "supplement_requested"),
    "resubmit": ({"supplement_requested"}, "in_processing"),
    "propose": ({"in_processing"}, "pending_approval"),
    "send_back": ({"pending_approval"}, "in_processing"),
    "approve": ({"pending_approval"}, "approved"),
    "reject": ({"pending_approval"}, "rejected"),
    "issue_result": ({"approved"}, "result_issued"),
}


def facts(status, **overrides):
    values = dict(status=status, owner_id=OWNER_ID, agency_id=AGENCY, commune_code=COMMUNE,
                  assignee_id=OFFICER_ID, fee_status="not_required")
    values.update(overrides)
    return wf.Facts(**values)


# Returns and supplement requests carry a reason code besides the text
CODE = {"return": "wrong_agency", "request_supplement": "missing_document"}

def test_the_table_is_exactly_the_documented_one():
    assert {a: (set(t.sources), t.target) for a, t in wf.TRANSITIONS.items()} == EXPECTED
    assert set(wf.STATES) == {s for sources, target in EXPECTED.values() for s in sources | {target}}


ALLOWED = [(action, state) for action, (sources, _) in EXPECTED.items() for state in sorted(sources)]
REFUSED = [(action, state) for action, (sources, _) in EXPECTED.items()
           for state in wf.STATES if state not in sources]


@pytest.mark.parametrize("action, state", ALLOWED)
def test_each_transition_is_allowed_from_its_states(action, state):
    transition = wf.check(action, facts(state), FIRES[action], reason="Thiếu giấy tờ", reason_code=CODE.get(action))
    assert transition.target == EXPECTED[action][1]


@pytest.mark.parametrize("action, state", REFUSED)
def test_each_transition_is_refused_from_every_other_state(action, state):
    with pytest.raises(wf.NotAllowedInState):
        wf.check(action, facts(state), FIRES[action], reason="Thiếu giấy tờ", reason_code=CODE.get(action))


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("actor", [OWNER, STRANGER, OFFICER, ASSIGNED_OFFICER, APPROVER, ADMIN, SYSTEM],
                         ids=["owner", "stranger", "officer", "assignee", "approver", "admin", "system"])
def test_only_the_right_actors_may_fire(action, actor):
    state = sorted(EXPECTED[action][0])[0]
    who = wf.TRANSITIONS[action].who
    permitted = {
        wf.OWNER: actor is OWNER,
        wf.OFFICER: actor in (OFFICER, ASSIGNED_OFFICER),
        wf.ASSIGNEE: actor is ASSIGNED_OFFICER,
        wf.APPROVER: actor is APPROVER,
        wf.SYSTEM: actor is SYSTEM,
    }[who]
    if permitted:
        assert wf.check(action, facts(state), actor, reason="lý do", reason_code=CODE.get(action)).target == EXPECTED[action][1]
    else:
        with pytest.raises(wf.NotPermitted):
            wf.check(action, facts(state), actor, reason="lý do", reason_code=CODE.get(action))


@pytest.mark.parametrize("actor, code", [
    (OTHER_COMMUNE_OFFICER, "out_of_scope"),
    (OTHER_AGENCY_OFFICER, "out_of_scope"),
    (STRANGER, "forbidden_role"),
])
def test_staff_act_only_in_their_agency_and_commune(actor, code):
    with pytest.raises(wf.NotPermitted) as refused:
        wf.check("receive", facts("submitted"), actor)
    assert refused.value.code == code


def test_an_officer_without_a_commune_covers_the_whole_agency():
    assert wf.check("receive", facts("submitted"), AGENCY_WIDE_OFFICER).target == "received"


def test_an_approver_of_another_agency_is_out_of_scope():
    with pytest.raises(wf.NotPermitted) as refused:
        wf.check("approve", facts("pending_approval"), OTHER_AGENCY_APPROVER)
    assert refused.value.code == "out_of_scope"


def test_only_the_assigned_officer_asks_for_supplements_or_proposes():
    for action in ("request_supplement", "propose"):
        with pytest.raises(wf.NotPermitted) as refused:
            wf.check(action, facts("in_processing"), OFFICER, reason="x", reason_code=CODE.get(action))
        assert refused.value.code == "not_assignee"


def test_another_citizen_is_not_the_owner():
    with pytest.raises(wf.NotPermitted) as refused:
        wf.check("withdraw", facts("submitted"), STRANGER)
    assert refused.value.code == "not_owner"


@pytest.mark.parametrize("action, state, actor", [
    ("return", "submitted", OFFICER), ("request_supplement", "in_processing", ASSIGNED_OFFICER),
    ("reject", "pending_approval", APPROVER), ("send_back", "pending_approval", APPROVER),
])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_returns_supplements_and_rejections_need_a_reason(action, state, actor, reason):
    with pytest.raises(wf.ReasonRequired):
        wf.check(action, facts(state), actor, reason=reason, reason_code=CODE.get(action))


def test_a_dossier_with_an_unpaid_fee_cannot_be_received():
    with pytest.raises(wf.GuardFailed) as refused:
        wf.check("receive", facts("submitted", fee_status="unpaid"), OFFICER)
    assert refused.value.code == "fee_unpaid"
    for settled in ("paid", "not_required"):
        assert wf.check("receive", facts("submitted", fee_status=settled), OFFICER).target == "received"
    # returning an unpaid dossier as invalid is still possible
    assert wf.check("return", facts("submitted", fee_status="unpaid"), OFFICER, reason="x", reason_code="wrong_agency").target == "returned"


def test_unknown_actions_are_refused():
    with pytest.raises(wf.UnknownAction):
        wf.check("teleport", facts("draft"), OWNER)


def test_allowed_actions_are_what_each_actor_may_do_now():
    assert wf.allowed_actions(facts("draft"), OWNER) == ["submit", "withdraw"]
    assert wf.allowed_actions(facts("submitted"), OWNER) == ["withdraw"]
    assert wf.allowed_actions(facts("submitted"), OFFICER) == ["receive", "return"]
    assert wf.allowed_actions(facts("submitted", fee_status="unpaid"), OFFICER) == ["return"]
    assert wf.allowed_actions(facts("in_processing"), OFFICER) == ["assign"]
    assert wf.allowed_actions(facts("in_processing"), ASSIGNED_OFFICER) == ["assign", "request_supplement", "propose"]
    assert wf.allowed_actions(facts("pending_approval"), APPROVER) == ["send_back", "approve", "reject"]
    assert wf.allowed_actions(facts("approved"), APPROVER) == ["issue_result"]
    assert wf.allowed_actions(facts("queued"), SYSTEM) == []
    for final in wf.FINAL:
        for actor in (OWNER, OFFICER, ASSIGNED_OFFICER, APPROVER):
            assert wf.allowed_actions(facts(final), actor) == []


def test_every_transition_that_ends_a_paid_dossier_without_result_publishes_a_refund_event():
    ends = {a for a, t in wf.TRANSITIONS.items() if t.target in wf.FINAL and t.target != "result_issued"}
    assert {wf.TRANSITIONS[a].publish for a in ends} == {"dossier.rejected", "dossier.withdrawn"}


def test_the_clock_pauses_only_while_waiting_on_the_citizen():
    assert wf.TRANSITIONS["request_supplement"].clock == "pause"
    assert wf.TRANSITIONS["resubmit"].clock == "resume"
    assert wf.SUPPLEMENT_REQUESTED not in wf.CLOCK_RUNNING


@pytest.mark.parametrize("actor, code", [
    (OTHER_COMMUNE_OFFICER, "out_of_scope"), (OTHER_AGENCY_OFFICER, "out_of_scope"),
    (OWNER, "forbidden_role"), (APPROVER, "forbidden_role"),
])
def test_only_an_officer_of_the_agency_and_commune_submits_at_the_desk(actor, code):
    with pytest.raises(wf.NotPermitted) as refused:
        wf.check("submit_at_desk", facts("draft"), actor)
    assert refused.value.code == code
    assert wf.check("submit_at_desk", facts("draft"), AGENCY_WIDE_OFFICER).target == "submitted"


def test_a_desk_submission_has_the_effects_of_a_submission_and_is_never_offered():
    desk, online = wf.TRANSITIONS["submit_at_desk"], wf.TRANSITIONS["submit"]
    assert (desk.notify, desk.publish, desk.guard) == (online.notify, online.publish, None)
    assert wf.SUBMISSIONS == {"submit", "submit_at_desk", "start"}
    assert "submit_at_desk" not in wf.MANUAL_ACTIONS
    assert "submit_at_desk" not in wf.allowed_actions(facts("draft"), OFFICER)


def test_decided_dossiers_are_finished_ones():
    """One definition of finished (FINAL); the dashboard's decided dossiers are a part of it."""
    assert wf.DECIDED == {wf.RESULT_ISSUED, wf.REJECTED} and wf.DECIDED < wf.FINAL
    assert not any(t.sources & wf.FINAL for t in wf.TRANSITIONS.values())   # nothing leaves a finished state


# -- reason codes and the second supplement request ----------------------------------------

@pytest.mark.parametrize("action,state,actor", [("return", "submitted", OFFICER),
                                                ("request_supplement", "in_processing", ASSIGNED_OFFICER)])
@pytest.mark.parametrize("code", [None, "", "not_a_code"])
def test_returns_and_supplement_requests_need_a_listed_reason_code(action, state, actor, code):
    with pytest.raises(wf.ReasonCodeRequired):
        wf.check(action, facts(state), actor, reason="lý do", reason_code=code)


def test_a_code_of_the_other_list_is_refused():
    with pytest.raises(wf.ReasonCodeRequired):
        wf.check("return", facts("submitted"), OFFICER, reason="x", reason_code="unreadable_document")


def test_the_second_supplement_request_is_the_leaders():
    second = facts("in_processing", supplement_count=1)
    with pytest.raises(wf.NotPermitted) as refused:
        wf.check("request_supplement", second, ASSIGNED_OFFICER, reason="x", reason_code="missing_document")
    assert refused.value.code == "leader_approval_required"
    assert wf.check("request_supplement", second, APPROVER, reason="x",
                    reason_code="missing_document").target == "supplement_requested"
    assert "request_supplement" not in wf.allowed_actions(second, ASSIGNED_OFFICER)
    assert "request_supplement" in wf.allowed_actions(second, APPROVER)
    # the first one stays the assigned officer's, never the approver's
    with pytest.raises(wf.NotPermitted):
        wf.check("request_supplement", facts("in_processing"), APPROVER, reason="x", reason_code="missing_document")


def test_nothing_goes_back_to_a_draft():
    """Leaving a draft or the queue happens once: service quality counts a submission from it as the first."""
    for transition in wf.TRANSITIONS.values():
        if transition.target in wf.PRIVATE:
            assert transition.sources <= wf.PRIVATE, transition
