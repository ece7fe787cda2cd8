"""Pure rules of the service-quality domain: working hours, lateness, stall levels, periods, settings."""
import uuid
from datetime import date, datetime

from app.common.clock import VIETNAM

import pytest

from app.quality.errors import PeriodNotValid
from app.quality.figures import months_between
from app.common.errors import ConfigurationError
from app.config import load_config
from app.quality.settings import DEFAULT_STALL_LIMITS, DEFAULT_WEIGHTS, build
from app.quality.stalls import level_for, working_hours_between
from app.dossiers.events import DossierNewDate
from app.quality.tracking import _known, is_late


def vn(y, m, d, hh, mm=0):
    # Vietnam is UTC+7
    return datetime(y, m, d, hh, mm, tzinfo=VIETNAM)


def test_working_hours_count_office_hours_of_working_days_only():
    # Friday 2026-12-04 15:00 -> Monday 2026-12-07 10:00: 2 h Friday + 2 h Monday
    assert working_hours_between(vn(2026, 12, 4, 15), vn(2026, 12, 7, 10)) == 4
    # the lunch hour does not count
    assert working_hours_between(vn(2026, 12, 7, 11), vn(2026, 12, 7, 14)) == 2
    # a whole working day is 8 hours
    assert working_hours_between(vn(2026, 12, 7, 7), vn(2026, 12, 7, 18)) == 8
    assert working_hours_between(vn(2026, 12, 7, 10), vn(2026, 12, 7, 9)) == 0


def test_public_holidays_do_not_count():
    # 2 September 2026 (Wednesday) is National Day; 1 September too (the holiday is two days)
    assert working_hours_between(vn(2026, 8, 31, 17), vn(2026, 9, 3, 8)) == 0


def test_a_dossier_is_late_after_its_due_date_or_at_a_second_supplement():
    due = date(2026, 12, 10)
    assert not is_late(due, date(2026, 12, 10), 0)
    assert is_late(due, date(2026, 12, 11), 0)
    assert not is_late(due, date(2026, 12, 1), 1)
    assert is_late(due, date(2026, 12, 1), 2)
    assert not is_late(None, date(2026, 12, 1), 0)


@pytest.mark.parametrize("hours,level", [(7.9, 0), (8, 1), (15.9, 1), (16, 2), (100, 2)])
def test_stall_levels(hours, level):
    assert level_for(hours, 8, 2) == level


def test_months_of_a_period():
    assert months_between("2026-11", "2027-01") == ["2026-11", "2026-12", "2027-01"]
    with pytest.raises(PeriodNotValid):
        months_between("2026-12", "2026-11")
    with pytest.raises(PeriodNotValid):
        months_between("2020-01", "2026-01")


def test_settings_from_the_config_merge_with_the_defaults():
    built = build({"QUALITY_RATING_WINDOW_DAYS": "60", "QUALITY_STALL_LIMITS_HOURS": {"received": 4}})
    assert built.rating_window_days == 60
    assert built.stall_limits_hours == {**DEFAULT_STALL_LIMITS, "received": 4}
    assert build({}).complaint_days == 15


def test_settings_come_from_the_environment_and_wrong_values_stop_the_start():
    environ = {"QUALITY_RATING_WINDOW_DAYS": "45", "QUALITY_INDEX_TARGETS": '{"on_time": 80, "online": "50"}',
               "QUALITY_INDEX_WEIGHTS": '{"digitised": 4}'}
    built = build(vars(load_config("testing", environ)))
    assert built.rating_window_days == 45
    assert built.index_targets == {"on_time": 80.0, "online": 50.0}
    assert built.index_weights == {**DEFAULT_WEIGHTS, "digitised": 4.0}
    with pytest.raises(ConfigurationError, match="QUALITY_INDEX_TARGETS is not a valid JSON object"):
        load_config("testing", {"QUALITY_INDEX_TARGETS": '{"on_time": 80'})
    for targets in ({"on_time": 0}, {"on_time": 120}, {"on_time": "most"}, {"on_tim": 80}):
        with pytest.raises(ConfigurationError, match="QUALITY_INDEX_TARGETS"):
            build({"QUALITY_INDEX_TARGETS": targets})
    with pytest.raises(ConfigurationError, match="QUALITY_INDEX_WEIGHTS"):
        build({"QUALITY_INDEX_WEIGHTS": {"publicity": 18}})


def test_the_dossier_payload_may_grow_without_breaking_the_quality_handler():
    fields = {"dossier_id": uuid.uuid4(), "new_date": date(2027, 2, 25), "due_date": date(2027, 2, 22),
              "at": vn(2027, 2, 11, 9), "officer_name": "a field a newer publisher adds"}
    assert _known(DossierNewDate, fields) == DossierNewDate(fields["dossier_id"], date(2027, 2, 25),
                                                            date(2027, 2, 22), fields["at"])
