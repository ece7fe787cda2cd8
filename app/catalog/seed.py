"""The agencies of a province (one People's Committee per commune, provincial
departments) and the catalog of procedures."""
from sqlalchemy import select

from app.catalog.catalog_data import LINKED_PROCEDURES, PROCEDURES
from app.catalog.models import (
    COMMUNE_COMMITTEE, HOME_AFFAIRS_DEPARTMENT, JUSTICE_DEPARTMENT, PROVINCIAL_POLICE,
    SOCIAL_INSURANCE, Agency, LinkedProcedure, Procedure,
)
from app.catalog.text import normalise
from app.extensions import db
from app.registry import divisions

PROVINCIAL_AGENCIES = (
    ("CA", PROVINCIAL_POLICE, "Công an {province}"),
    ("STP", JUSTICE_DEPARTMENT, "Sở Tư pháp {province}"),
    ("BHXH", SOCIAL_INSURANCE, "Bảo hiểm xã hội {province}"),
    ("SNV", HOME_AFFAIRS_DEPARTMENT, "Sở Nội vụ {province}"),
)


def seed_agencies(province_code: str) -> int:
    """Creates the province's agencies that do not exist yet; returns how many."""
    province = divisions.province(province_code)
    wanted = [
        Agency(code=f"{prefix}-{province.code}", kind=kind, province_code=province.code,
               name=template.format(province=province.name))
        for prefix, kind, template in PROVINCIAL_AGENCIES
    ] + [
        Agency(code=f"UBND-{c.code}", kind=COMMUNE_COMMITTEE, province_code=province.code,
               commune_code=c.code, name=f"Ủy ban nhân dân {c.name}")
        for c in divisions.communes_of(province_code)
    ]
    existing = set(db.session.scalars(select(Agency.code).where(Agency.province_code == province.code)))
    new = [agency for agency in wanted if agency.code not in existing]
    db.session.add_all(new)
    return len(new)


def seed_procedures() -> int:
    """Adds the catalog's procedures and linked procedures that do not exist yet; returns how many."""
    known = set(db.session.scalars(select(Procedure.code)))
    new = [Procedure(**data, search_text=normalise(f"{data['name']} {data['code']}"))
           for data in PROCEDURES if data["code"] not in known]
    known_linked = set(db.session.scalars(select(LinkedProcedure.code)))
    new_linked = [LinkedProcedure(**data, search_text=normalise(f"{data['name']} {data['code']}"))
                  for data in LINKED_PROCEDURES if data["code"] not in known_linked]
    db.session.add_all(new + new_linked)
    db.session.flush()
    return len(new) + len(new_linked)
