"""Generates a synthetic province for the local population registry.

Names come from Faker's `vi_VN` locale, communes from `vietnam-provinces`.
Generation is deterministic for a given seed, so a rerun produces the same
citizens. Rows go in by batches: COPY on PostgreSQL, multi-row INSERT
elsewhere, which keeps a million citizens within two minutes on PostgreSQL.
"""
import json
import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from faker import Faker
from sqlalchemy import func, insert, select

from app.common.birth_places import BIRTH_REGISTRATION_PROVINCES
from app.common.clock import local_today
from app.common.personal_id import FEMALE, MALE, compose_personal_id
from app.extensions import db
from app.registry import divisions
from app.registry.models import RegistryCitizen

BATCH_SIZE = 5000
PHONES_PER_PROVINCE = 10**6
ETHNICITIES = [("Kinh", 86), ("Khmer", 5), ("Hoa", 3), ("Chăm", 2), ("Tày", 1), ("Mường", 1), ("Thái", 1), ("Nùng", 1)]
RELIGIONS = [("Không", 72), ("Phật giáo", 12), ("Cao Đài", 7), ("Công giáo", 6), ("Hòa Hảo", 2), ("Tin Lành", 1)]
MOBILE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "086", "088", "032", "033", "035", "037", "038", "070", "076", "077", "078", "079", "081", "083", "085")


class ProvinceGenerator:
    """Yields households of `CitizenRecord`-shaped dicts for one province."""

    def __init__(self, province_code: str, seed: int = 2025, dirty_share: float = 0.003,
                 serials_in_use: dict[str, int] | None = None):
        self.province = divisions.province(province_code)
        if self.province is None:
            raise ValueError(f"unknown province code {province_code}")
        self.communes = divisions.communes_of(province_code)
        self.rng = random.Random(seed)
        faker = Faker("vi_VN")
        faker.seed_instance(seed)
        self.streets = sorted({faker.street_name() for _ in range(300)})
        person = faker.provider("faker.providers.person")
        self.last_names = list(person.last_names)
        self.middle_male = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Gia"]
        self.middle_female = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bảo", "Diệu"]
        self.first_male = sorted(set(person.first_names_male))
        self.first_female = sorted(set(person.first_names_female))
        self.home_province = f"{int(self.province.code):03d}"
        self.other_provinces = [c for c in BIRTH_REGISTRATION_PROVINCES if c != self.home_province]
        # Personal ids continue after those already in the registry (other provinces
        # hold citizens whose birth was registered here, and the reverse).
        self.serials: dict[str, int] = defaultdict(int, serials_in_use or {})
        # Phone numbers: each province draws from its own block of a million.
        self.phone_counter = int(self.province.code) * PHONES_PER_PROVINCE + self.rng.randrange(10**5)
        self.household_counter = 0
        self.dirty_share = dirty_share
        self.today = local_today()

    # -- people ---------------------------------------------------------------
    def _name(self, gender: str, last_name: str | None = None) -> str:
        last = last_name or self.rng.choice(self.last_names)
        if gender == MALE:
            return f"{last} {self.rng.choice(self.middle_male)} {self.rng.choice(self.first_male)}"
        return f"{last} {self.rng.choice(self.middle_female)} {self.rng.choice(self.first_female)}"

    def _birth_date(self, min_age: int, max_age: int) -> date:
        latest = self.today - timedelta(days=365 * min_age)
        span = max(1, 365 * (max_age - min_age))
        return latest - timedelta(days=self.rng.randrange(span))

    def _personal_id(self, gender: str, born: date) -> str:
        if self.rng.random() < 0.85:
            province = self.home_province
        else:
            province = self.rng.choice(self.other_provinces)
        prefix = compose_personal_id(province, gender, born.year, 0)[:6]
        self.serials[prefix] += 1
        return compose_personal_id(province, gender, born.year, self.serials[prefix])

    def _phone(self) -> str:
        # prefix and number are both taken from the counter: distinct counters
        # give distinct numbers within lcm(22, 10**7) = 1.1e8 counter values
        self.phone_counter += 1
        prefix = MOBILE_PREFIXES[self.phone_counter % len(MOBILE_PREFIXES)]
        return f"{prefix}{(self.phone_counter * 7919) % 10**7:07d}"

    def _weighted(self, table):
        values, weights = zip(*table)
        return self.rng.choices(values, weights)[0]

    def _person(self, gender, born, household, relation, commune, address, last_name=None):
        adult = (self.today - born).days >= 14 * 365
        alive = self.rng.random() > 0.01
        return {
            "personal_id": self._personal_id(gender, born),
            "full_name": self._name(gender, last_name),
            "date_of_birth": born,
            "gender": gender,
            "birth_registration_province": None,  # filled from the id below
            "hometown": f"{self.rng.choice(self.communes).name}, {self.province.name}",
            "ethnicity": self._weighted(ETHNICITIES),
            "religion": self._weighted(RELIGIONS),
            "nationality": "Việt Nam",
            "permanent_address": address,
            "permanent_commune_code": commune.code,
            "temporary_address": None,
            "temporary_commune_code": None,
            "current_address": address,
            "current_commune_code": commune.code,
            "household_no": household,
            "relation_to_head": relation,
            "father_name": None, "father_personal_id": None,
            "mother_name": None, "mother_personal_id": None,
            "spouse_name": None, "spouse_personal_id": None,
            "marital_status": "single",
            "phone_numbers": [self._phone()] if adult and self.rng.random() < 0.93 else [],
            "biometric_enrolled": adult and self.rng.random() < 0.7,
            "is_alive": alive,
            "date_of_death": None if alive else self.today - timedelta(days=self.rng.randrange(1, 900)),
        }

    # -- households -------------------------------------------------------------
    def household(self) -> list[dict]:
        self.household_counter += 1
        number = f"{self.home_province}{self.household_counter:09d}"
        commune = self.rng.choice(self.communes)
        address = f"Số {self.rng.randrange(1, 400)}, {self.rng.choice(self.streets)}, {commune.name}, {self.province.name}"
        head_gender = MALE if self.rng.random() < 0.7 else FEMALE
        head_born = self._birth_date(22, 80)
        head = self._person(head_gender, head_born, number, "head", commune, address)
        members = [head]
        if self.rng.random() < 0.75:
            spouse_gender = FEMALE if head_gender == MALE else MALE
            spouse = self._person(spouse_gender, self._birth_date(20, 75), number, "spouse", commune, address)
            _marry(head, spouse)
            members.append(spouse)
            father, mother = (head, spouse) if head_gender == MALE else (spouse, head)
            youngest_parent_age = min(_age(head_born, self.today), _age(spouse["date_of_birth"], self.today))
            for _ in range(self.rng.choice((0, 1, 1, 2, 2, 2, 3))):
                max_age = max(1, min(30, youngest_parent_age - 18))
                child = self._person(self.rng.choice((MALE, FEMALE)), self._birth_date(0, max_age),
                                     number, "child", commune, address, last_name=father["full_name"].split()[0])
                child.update(father_name=father["full_name"], father_personal_id=father["personal_id"],
                             mother_name=mother["full_name"], mother_personal_id=mother["personal_id"])
                members.append(child)
        if self.rng.random() < 0.12:
            members.append(self._person(self.rng.choice((MALE, FEMALE)), self._birth_date(70, 95),
                                        number, "parent", commune, address))
        for member in members:
            member["birth_registration_province"] = member["personal_id"][:3]
            if self.rng.random() < self.dirty_share:
                member["ethnicity"] = ""  # a record with a missing field, as real data has
        return members

    def citizens(self, count: int) -> Iterator[dict]:
        produced = 0
        while produced < count:
            for member in self.household():
                if produced == count:
                    return
                produced += 1
                yield member


def _marry(a: dict, b: dict) -> None:
    a.update(marital_status="married", spouse_name=b["full_name"], spouse_personal_id=b["personal_id"])
    b.update(marital_status="married", spouse_name=a["full_name"], spouse_personal_id=a["personal_id"])


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def citizens_in_province(province_code: str) -> int:
    codes = [c.code for c in divisions.communes_of(province_code)]
    return db.session.scalar(
        select(func.count()).select_from(RegistryCitizen)
        .where(RegistryCitizen.permanent_commune_code.in_(codes))
    ) or 0


def serials_in_use() -> dict[str, int]:
    """The highest serial per 6-digit personal-id prefix already in the registry."""
    prefix = func.substr(RegistryCitizen.personal_id, 1, 6)
    rows = db.session.execute(select(prefix, func.max(RegistryCitizen.personal_id)).group_by(prefix))
    return {head: int(highest[6:]) for head, highest in rows}


def seed_registry(province_code: str, count: int, seed: int = 2025, progress=None) -> int:
    """Inserts `count` synthetic citizens unless the province already has citizens.

    Returns how many were inserted (0 when the province was already seeded).
    The caller owns the transaction.
    """
    if citizens_in_province(province_code):
        return 0
    generator = ProvinceGenerator(province_code, seed=seed, serials_in_use=serials_in_use())
    write = _copy_rows if db.session.connection().dialect.name == "postgresql" else _insert_rows
    batch, inserted = [], 0
    for row in generator.citizens(count):
        batch.append(row)
        if len(batch) == BATCH_SIZE:
            write(batch)
            inserted += len(batch)
            batch = []
            if progress:
                progress(inserted)
    if batch:
        write(batch)
        inserted += len(batch)
    return inserted


def _insert_rows(rows: list[dict]) -> None:
    db.session.execute(insert(RegistryCitizen.__table__), rows)


def _copy_rows(rows: list[dict]) -> None:
    """PostgreSQL: COPY FROM STDIN on the session's connection (same transaction).

    A few times cheaper than a multi-row INSERT on the client side, which is
    where a million-citizen seed spends its time.
    """
    columns = [column.name for column in RegistryCitizen.__table__.columns]
    driver_connection = db.session.connection().connection.driver_connection
    with driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {RegistryCitizen.__tablename__} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(row[name]) if name == "phone_numbers" else row[name]
                                for name in columns])
