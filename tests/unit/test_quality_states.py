"""The complaint workflow, cell by cell: every action from every state, by every kind of actor."""
import uuid

import pytest

from app.quality import states as st

OWNER_ID, AGENCY, OTHER_AGENCY = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
CITIZEN = st.Actor("citizen", OWNER_ID)
OTHER_CITIZEN = st.Actor("citizen", uuid.uuid4())
OFFICER = st.Actor("officer", uuid.uuid4(), AGENCY)
LEADER = st.Actor("approver", uuid.uuid4(), AGENCY)
OTHER_OFFICER = st.Actor("officer", uuid.uuid4(), OTHER_AGENCY)
ASSISTANT = st.Actor("assistant", uuid.uuid4(), AGENCY)

# The documented table: action -> (sources, target, who fires it)
EXPECTED = {
    "accept": ({"filed"}, "in_progress", "staff"),
    "refuse": ({"filed"}, "refused", "staff"),
    "request_info": ({"filed", "in_progress"}, "info_requested", "staff"),
    "provide_info": ({"info_requested"}, "in_progress", "owner"),
    "answer": ({"in_progress"}, "answered", "staff"),
    "withdraw": ({"filed", "info_requested", "in_progress"}, "withdrawn", "owner"),
}
NOTE = "nội dung"


def facts(status):
    return st.Facts(status, OWNER_ID, AGENCY)


def test_the_table_is_exactly_the_documented_one():
    assert {a: (set(t.sources), t.target, "owner" if t.who == st.OWNER else "staff")
            for a, t in st.TRANSITIONS.items()} == EXPECTED
    assert set(st.STATES) == {"filed", "in_progress", "info_requested", "answered", "refused", "withdrawn"}
    assert st.FINAL == {"answered", "refused", "withdrawn"}


CELLS = [(action, state) for action in EXPECTED for state in st.STATES]


@pytest.mark.parametrize("action,state", CELLS)
def test_each_cell(action, state):
    sources, target, who = EXPECTED[action]
    actors = [CITIZEN] if who == "owner" else [OFFICER, LEADER]
    for actor in actors:
        if state in sources:
            assert st.check(action, facts(state), actor, note=NOTE).target == target
        else:
            with pytest.raises(st.NotAllowedInState):
                st.check(action, facts(state), actor, note=NOTE)


@pytest.mark.parametrize("action", EXPECTED)
def test_the_wrong_people_are_refused_whatever_the_state(action):
    _, _, who = EXPECTED[action]
    state = sorted(EXPECTED[action][0])[0]
    wrong = {"owner": [(OFFICER, "forbidden_role"), (LEADER, "forbidden_role"), (OTHER_CITIZEN, "not_owner")],
             "staff": [(CITIZEN, "forbidden_role"), (ASSISTANT, "forbidden_role"),
                       (OTHER_OFFICER, "out_of_scope")]}[who]
    for actor, code in wrong:
        with pytest.raises(st.NotPermitted) as refused:
            st.check(action, facts(state), actor, note=NOTE)
        assert refused.value.code == code


@pytest.mark.parametrize("action", [a for a, t in st.TRANSITIONS.items() if t.note_required])
@pytest.mark.parametrize("note", [None, "", "   "])
def test_texts_are_required_where_the_citizen_must_read_one(action, note):
    state = sorted(EXPECTED[action][0])[0]
    actor = CITIZEN if EXPECTED[action][2] == "owner" else OFFICER
    with pytest.raises(st.NoteMissing):
        st.check(action, facts(state), actor, note=note)


def test_accept_and_withdraw_need_no_text():
    assert st.check("accept", facts("filed"), OFFICER).target == "in_progress"
    assert st.check("withdraw", facts("filed"), CITIZEN).target == "withdrawn"


def test_unknown_action():
    with pytest.raises(st.UnknownAction):
        st.check("escalate", facts("filed"), OFFICER)


def test_allowed_actions_per_actor():
    assert st.allowed_actions(facts("filed"), OFFICER) == ["accept", "refuse", "request_info"]
    assert st.allowed_actions(facts("filed"), CITIZEN) == ["withdraw"]
    assert st.allowed_actions(facts("info_requested"), CITIZEN) == ["provide_info", "withdraw"]
    assert st.allowed_actions(facts("in_progress"), LEADER) == ["request_info", "answer"]
    assert st.allowed_actions(facts("answered"), OFFICER) == []
    assert st.allowed_actions(facts("filed"), OTHER_OFFICER) == []
