from dataclasses import fields

import pytest
from sqlalchemy import func, select

from app.catalog.models import Agency
from app.common.personal_id import validate_personal_id
from app.extensions import db
from app.reports.catalog_data import DEPARTMENTS as REPORT_DEPARTMENTS
from app.registry import divisions
from app.registry.adapter import get_registry
from app.registry.models import RegistryCitizen
from app.registry.records import CITIZEN_FIELDS, CitizenRecord
from app.seed import seed_province


@pytest.fixture
def province(app):
    with app.app_context():
        report = seed_province("80", 300)
        yield report


def test_the_table_stores_exactly_the_shared_fields():
    columns = set(RegistryCitizen.__table__.columns.keys())
    assert columns == set(CITIZEN_FIELDS)
    assert len(CITIZEN_FIELDS) >= 20


def test_seeding_creates_citizens_and_agencies(province):
    assert province.citizens_inserted == 300
    assert db.session.scalar(select(func.count()).select_from(RegistryCitizen)) == 300
    communes = divisions.communes_of("80")
    assert province.agencies_inserted == len(communes) + 4 + len(REPORT_DEPARTMENTS)
    codes = set(db.session.scalars(select(Agency.code)))
    assert {"CA-80", "STP-80", "BHXH-80", "SNV-80", "SXD-80", f"UBND-{communes[0].code}"} <= codes


def test_seeding_twice_does_not_duplicate(app, province):
    again = seed_province("80", 300)
    assert (again.citizens_inserted, again.agencies_inserted) == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(RegistryCitizen)) == 300
    assert db.session.scalar(select(func.count()).select_from(Agency)) == province.agencies_inserted


def test_generated_citizens_are_consistent(province):
    commune_codes = {c.code for c in divisions.communes_of("80")}
    citizens = [row.to_record() for row in db.session.scalars(select(RegistryCitizen))]
    assert len({c.personal_id for c in citizens}) == 300
    for citizen in citizens:
        validate_personal_id(citizen.personal_id, date_of_birth=citizen.date_of_birth,
                             gender=citizen.gender)
        assert citizen.birth_registration_province == citizen.personal_id[:3]
        assert citizen.current_commune_code in commune_codes
        assert citizen.permanent_commune_code in commune_codes
    phones = [p for c in citizens for p in c.phone_numbers]
    assert len(phones) == len(set(phones)), "a phone number belongs to one citizen"
    assert all(len(p) == 10 and p.startswith("0") for p in phones)


def test_lookup_by_personal_id(province):
    row = db.session.scalars(select(RegistryCitizen).limit(1)).one()
    record = get_registry().find_citizen(row.personal_id)
    assert isinstance(record, CitizenRecord)
    assert record.personal_id == row.personal_id and record.full_name == row.full_name
    assert isinstance(record.phone_numbers, tuple)
    assert get_registry().find_citizen("001090999999") is None


def test_lookup_by_household_puts_the_head_first(province):
    household = db.session.scalar(
        select(RegistryCitizen.household_no).group_by(RegistryCitizen.household_no)
        .having(func.count() > 2).limit(1))
    members = get_registry().household_members(household)
    assert len(members) > 2
    assert members[0].relation_to_head == "head"
    assert {m.household_no for m in members} == {household}
    spouse = next((m for m in members if m.relation_to_head == "spouse"), None)
    if spouse:
        assert spouse.spouse_personal_id == members[0].personal_id
        assert members[0].spouse_personal_id == spouse.personal_id
    for child in (m for m in members if m.relation_to_head == "child"):
        assert members[0].personal_id in (child.father_personal_id, child.mother_personal_id)


def test_records_are_read_only():
    record = CitizenRecord(**{f.name: None for f in fields(CitizenRecord)})
    with pytest.raises(Exception):
        record.full_name = "changed"


def test_same_seed_gives_the_same_province():
    from app.registry.synthetic import ProvinceGenerator

    first = [c["personal_id"] for c in ProvinceGenerator("80", seed=7).citizens(50)]
    second = [c["personal_id"] for c in ProvinceGenerator("80", seed=7).citizens(50)]
    assert first == second
