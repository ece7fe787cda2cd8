"""Counter keys, registry checks and CSV rendering, without a database."""
import random
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from app.common.personal_id import FEMALE, MALE, compose_personal_id
from app.dashboard.counters import Key, segments
from tests.text_helpers import render_csv
from app.dashboard.models import ALL
from app.dashboard.registry_figures import REQUIRED_FIELDS, age_on, compute_registry_figures, record_problems
from app.dashboard.service import share

DAY = date(2026, 3, 2)


def test_a_key_with_three_filter_dimensions_rolls_up_into_eight_rows_per_grain():
    key = Key("dossiers.status", DAY, commune_code="27727", agency_id="a-1", procedure_code="1.001",
              status="received")
    rows = list(key.rows())
    assert len(rows) == 16
    cube = {(commune, agency, procedure) for _m, _g, commune, agency, procedure, *_rest in rows}
    assert len(cube) == 8
    assert ("27727", "a-1", "1.001") in cube and (ALL, ALL, ALL) in cube and ("27727", ALL, "1.001") in cube
    assert {(grain, day) for _m, grain, _c, _a, _p, day, *_rest in rows} == {
        ("d", DAY), ("m", date(2026, 3, 1))}
    assert {row[6] for row in rows} == {"received"}


def test_unknown_dimensions_are_only_rolled_up():
    rows = list(Key("eid.registered", DAY, commune_code="27727").rows())
    assert rows == [("eid.registered", "d", "27727", ALL, ALL, DAY, "", "", ""),
                    ("eid.registered", "d", ALL, ALL, ALL, DAY, "", "", ""),
                    ("eid.registered", "m", "27727", ALL, ALL, date(2026, 3, 1), "", "", ""),
                    ("eid.registered", "m", ALL, ALL, ALL, date(2026, 3, 1), "", "", "")]
    assert [row[2] for row in Key("eid.registered", DAY).rows()] == [ALL, ALL]


@pytest.mark.parametrize("start, end, expected", [
    (None, None, [("m", date.min, date.max.replace(day=1))]),
    (date(2026, 3, 1), date(2026, 3, 31), [("m", date(2026, 3, 1), date(2026, 3, 1))]),
    (date(2026, 3, 15), date(2026, 3, 20), [("d", date(2026, 3, 15), date(2026, 3, 20))]),
    (date(2026, 3, 1), date(2026, 3, 10), [("d", date(2026, 3, 1), date(2026, 3, 10))]),
    (date(2026, 1, 20), date(2026, 4, 5), [("d", date(2026, 1, 20), date(2026, 1, 31)),
                                           ("m", date(2026, 2, 1), date(2026, 3, 1)),
                                           ("d", date(2026, 4, 1), date(2026, 4, 5))]),
    (date(2025, 12, 31), None, [("d", date(2025, 12, 31), date(2025, 12, 31)),
                                ("m", date(2026, 1, 1), date.max.replace(day=1))]),
    (None, date(2024, 2, 29), [("m", date.min, date(2024, 2, 1))]),
])
def test_a_period_reads_whole_months_and_ragged_days(start, end, expected):
    assert segments(start, end) == expected


def test_segments_add_up_to_the_days_for_any_period():
    rng = random.Random(7)
    first = date(2024, 1, 1)
    daily = {first + timedelta(days=n): rng.randrange(5) for n in range(3 * 366)}
    monthly = {}
    for day, value in daily.items():
        monthly[day.replace(day=1)] = monthly.get(day.replace(day=1), 0) + value
    rows = {"d": daily, "m": monthly}
    for _ in range(400):
        a, b = sorted(rng.sample(range(3 * 366), 2))
        start = first + timedelta(days=a) if rng.random() > 0.1 else None
        end = first + timedelta(days=b) if rng.random() > 0.1 else None
        want = sum(v for d, v in daily.items() if (start is None or d >= start) and (end is None or d <= end))
        got = sum(v for grain, lo, hi in segments(start, end) for d, v in rows[grain].items() if lo <= d <= hi)
        assert got == want, (start, end)


def person(**fields):
    born = fields.pop("date_of_birth", date(1990, 4, 12))
    gender = fields.pop("gender", MALE)
    values = {name: "x" for name in REQUIRED_FIELDS}
    values.update(personal_id=compose_personal_id("080", gender, 1990, 12), date_of_birth=born,
                  gender=gender, is_alive=True, date_of_death=None, birth_registration_province="080",
                  current_commune_code="27727")
    values.update(fields)
    return SimpleNamespace(**values)


@pytest.mark.parametrize("fields, problems", [
    ({}, []),
    ({"ethnicity": ""}, ["missing.ethnicity"]),
    ({"religion": "   ", "hometown": None}, ["missing.hometown", "missing.religion"]),
    ({"gender": FEMALE, "personal_id": compose_personal_id("080", MALE, 1990, 12)},
     ["inconsistent.personal_id.gender"]),
    ({"date_of_birth": date(1991, 1, 1)}, ["inconsistent.personal_id.year"]),
    ({"personal_id": "080090"}, ["inconsistent.personal_id.format"]),
    ({"personal_id": "999090000012", "birth_registration_province": "999"},
     ["inconsistent.personal_id.province"]),
    ({"birth_registration_province": "001"}, ["inconsistent.birth_province"]),
    ({"is_alive": False}, ["inconsistent.death"]),
    ({"date_of_death": date(2020, 1, 1)}, ["inconsistent.death"]),
])
def test_record_problems(fields, problems):
    assert sorted(record_problems(person(**fields))) == problems


def test_a_record_with_two_kinds_of_problems_counts_once_in_with_issues():
    rows = [person(), person(ethnicity="", date_of_birth=date(1991, 1, 1)), person(current_commune_code="25459")]
    figures = compute_registry_figures(rows, date(2026, 3, 2))
    hung_dien = figures["27727"]
    counts = (hung_dien["records"], hung_dien["with_issues"], hung_dien["missing"], hung_dien["inconsistent"])
    assert counts == (2, 1, 1, 1)
    assert figures["25459"]["records"] == 1 and figures["25459"]["with_issues"] == 0


def test_adults_are_14_on_their_birthday():
    assert age_on(date(2012, 3, 2), DAY) == 14
    assert age_on(date(2012, 3, 3), DAY) == 13
    people = [person(date_of_birth=date(2012, 3, 2)), person(date_of_birth=date(2012, 3, 3)),
              person(is_alive=False, date_of_death=date(2025, 1, 1))]
    figures = compute_registry_figures(people, DAY)["27727"]
    assert (figures["records"], figures["living"], figures["adults"]) == (3, 2, 1)


def test_shares_are_rounded_and_undefined_without_a_whole():
    assert share(2, 3) == 0.6667
    assert share(0, 0) is None


def test_csv_starts_with_a_bom_and_keeps_vietnamese():
    text = render_csv(("commune_name", "share"), [{"commune_name": "Xã Hưng Điền, \"Tây Ninh\"", "share": None}])
    assert text.startswith("\ufeff")
    assert text == '\ufeffcommune_name,share\r\n"Xã Hưng Điền, ""Tây Ninh""",\r\n'
