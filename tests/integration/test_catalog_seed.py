"""The seeded catalog: Project 06's essential procedures, valid, linked, routed to agencies."""
from sqlalchemy import func, select

from app.catalog import service
from app.catalog.catalog_data import LINKED_PROCEDURES, PROCEDURES
from app.catalog.forms import PREFILL_SOURCES
from app.catalog.models import LinkedProcedure, Procedure
from app.catalog.schemas import ProcedureSchema
from app.catalog.seed import seed_procedures
from app.extensions import db
from tests.dossiers_fixtures import (  # noqa: F401
    BIRTH, HEALTH_INSURANCE, JUDICIAL_RECORD, RESIDENCE, catalog, storage,
)


def test_seeding_twice_creates_nothing_new(catalog):
    assert seed_procedures() == 0
    assert db.session.scalar(select(func.count()).select_from(Procedure)) == len(PROCEDURES) >= 10
    assert db.session.scalar(select(func.count()).select_from(LinkedProcedure)) == len(LINKED_PROCEDURES) == 2


def test_the_essential_procedures_are_there(catalog):
    names = {p.name for p in catalog.values()}
    assert {"Đăng ký khai sinh", "Đăng ký thường trú", "Đăng ký tạm trú", "Đăng ký khai tử",
            "Cấp Giấy xác nhận tình trạng hôn nhân", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
            "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", "Giải quyết hưởng trợ cấp mai táng",
            "Cấp đổi giấy phép lái xe"} <= names
    assert catalog[JUDICIAL_RECORD].fee == 200_000 and catalog[BIRTH].fee == 0
    assert {p.service_level for p in catalog.values()} == {"full", "partial"}


def test_every_seeded_procedure_is_a_valid_definition():
    schema = ProcedureSchema()
    for data in PROCEDURES:
        assert schema.validate(data) == {}, data["code"]
        for field in data["form_fields"]:
            assert field.get("prefill") in (None, *PREFILL_SOURCES)


def test_linked_steps_refer_to_fields_and_documents_that_exist():
    by_code = {p["code"]: p for p in PROCEDURES}
    for linked in LINKED_PROCEDURES:
        for position, step in enumerate(linked["steps"]):
            procedure = by_code[step["procedure_code"]]
            fields = {f["name"] for f in procedure["form_fields"]}
            documents = {d["code"] for d in procedure["required_documents"]}
            earlier_results = {f["name"] for s in linked["steps"][:position]
                               for f in by_code[s["procedure_code"]]["result_fields"]}
            assert set(step.get("fields_from_results", {})) <= fields
            assert set(step.get("fields_from_results", {}).values()) <= earlier_results
            assert set(step.get("documents_from_results", {})) <= documents
            assert all(p < position for p in step.get("documents_from_results", {}).values())
            assert set(step.get("presets", {})) <= fields


def test_commune_procedures_go_to_the_communes_committee_and_others_to_the_province(catalog):
    assert service.competent_agency(catalog[BIRTH], "27727").code == "UBND-27727"
    assert service.competent_agency(catalog[RESIDENCE], "27727").code == "CA-80"
    assert service.competent_agency(catalog[HEALTH_INSURANCE], "27727").code == "BHXH-80"
    assert service.competent_agency(catalog[JUDICIAL_RECORD], "27727").code == "STP-80"
    assert service.competent_agency(catalog[BIRTH], "00004") is None   # a Hà Nội ward: not seeded here
    assert service.competent_agency(catalog[BIRTH], None) is None
