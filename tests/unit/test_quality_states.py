"""The complaint workflow, cell by cell: every action from every state, by every kind of actor."""
import uuid
from datetime import date

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


# -- the answer's clock: stopped while waiting for the citizen's information -------------------------

def test_only_asking_for_information_stops_the_clock_and_only_the_answer_restarts_it():
    assert {a: t.clock for a, t in st.TRANSITIONS.items() if t.clock} == {
        "request_info": st.PAUSE, "provide_info": st.RESUME}


def _fire(action, clock, day):
    return st.run_clock(st.TRANSITIONS[action], clock, day)


def test_a_pause_across_tet_2027_moves_the_due_date_by_the_working_days_waited():
    # Filed Monday 25/1/2027: 15 working days, Tết (4-10/2) skipped, give 22/2
    filed = st.Clock(date(2027, 2, 22))
    asked = _fire("request_info", filed, date(2027, 1, 29))          # Friday
    assert asked == st.Clock(date(2027, 2, 22), paused_on=date(2027, 1, 29), paused_days=0)
    # answered Thursday 11/2: strictly between, only 1, 2 and 3 February are working days
    resumed = _fire("provide_info", asked, date(2027, 2, 11))
    assert resumed == st.Clock(date(2027, 2, 25), paused_on=None, paused_days=3)
    # a second request and answer add to the first
    again = _fire("provide_info", _fire("request_info", resumed, date(2027, 2, 15)), date(2027, 2, 18))
    assert again == st.Clock(date(2027, 3, 1), paused_on=None, paused_days=5)   # 16 and 17 February


def test_a_pause_over_the_national_day_holidays_costs_no_working_day():
    due = st.Clock(date(2026, 9, 15))
    asked = _fire("request_info", due, date(2026, 8, 28))                # Friday before 31/8, 1/9 and 2/9 off
    assert _fire("provide_info", asked, date(2026, 9, 3)) == st.Clock(date(2026, 9, 15), None, 0)
    assert _fire("provide_info", asked, date(2026, 9, 4)) == st.Clock(date(2026, 9, 16), None, 1)


def test_the_request_day_and_the_answer_day_are_handling_days():
    assert st.paused_working_days(date(2027, 3, 1), date(2027, 3, 1)) == 0
    assert st.paused_working_days(date(2027, 3, 1), date(2027, 3, 2)) == 0
    assert st.paused_working_days(date(2027, 3, 1), date(2027, 3, 3)) == 1
    assert st.paused_working_days(None, date(2027, 3, 3)) == 0


@pytest.mark.parametrize("action", ["accept", "refuse", "answer", "withdraw"])
def test_other_actions_leave_the_clock(action):
    clock = st.Clock(date(2027, 2, 22), paused_on=date(2027, 1, 29), paused_days=2)
    assert _fire(action, clock, date(2027, 2, 11)) == clock
