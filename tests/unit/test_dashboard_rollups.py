"""Counter keys, registry checks and CSV rendering, without a database."""
from datetime import date
from types import SimpleNamespace

import pytest

from app.common.personal_id import FEMALE, MALE, compose_personal_id
from app.dashboard.counters import Key
from app.dashboard.exports import render_csv
from app.dashboard.models import ALL
from app.dashboard.registry_figures import REQUIRED_FIELDS, age_on, compute_registry_figures, record_problems
from app.dashboard.service import share

DAY = date(2026, 3, 2)


def test_a_key_with_three_filter_dimensions_rolls_up_into_eight_rows():
    key = Key("dossiers.status", DAY, commune_code="27727", agency_id="a-1", procedure_code="1.001",
              status="received")
    rows = {(k.commune_code, k.agency_id, k.procedure_code) for k in key.rolled_up()}
    assert len(rows) == 8
    assert ("27727", "a-1", "1.001") in rows and (ALL, ALL, ALL) in rows and ("27727", ALL, "1.001") in rows
    assert {k.status for k in key.rolled_up()} == {"received"}


def test_unknown_dimensions_are_only_rolled_up():
    rows = [k.row() for k in Key("eid.registered", DAY, commune_code="27727").rolled_up()]
    assert rows == [("eid.registered", "27727", ALL, ALL, DAY, "", "", ""),
                    ("eid.registered", ALL, ALL, ALL, DAY, "", "", "")]
    assert [k.commune_code for k in Key("eid.registered", DAY).rolled_up()] == [ALL]


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
