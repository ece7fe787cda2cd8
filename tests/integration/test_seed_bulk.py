"""The seed's bulk path: many batches, idempotence, and the `flask seed` command."""
import pytest
from sqlalchemy import func, select

from app.catalog.models import Agency
from app.extensions import db
from app.identity.models import Account
from app.registry import divisions, synthetic
from app.registry.models import RegistryCitizen
from app.seed import seed_province


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 1,000 rows, so a few thousand citizens go through several batches."""
    monkeypatch.setattr(synthetic, "BATCH_SIZE", 1000)


def test_a_seed_spanning_several_batches_inserts_every_citizen_once(small_batches):
    seen = []
    report = seed_province("80", 3500, progress=seen.append)

    assert report.citizens_inserted == 3500
    assert seen == [1000, 2000, 3000], "progress is reported after each full batch"
    assert _count(RegistryCitizen) == 3500
    distinct = db.session.execute(select(
        func.count(func.distinct(RegistryCitizen.personal_id)),
        func.count(func.distinct(RegistryCitizen.household_no)),
    )).one()
    assert distinct[0] == 3500
    heads = db.session.scalar(select(func.count()).where(RegistryCitizen.relation_to_head == "head"))
    assert heads == distinct[1], "every household has exactly one head"
    communes = {c.code for c in divisions.communes_of("80")}
    used = set(db.session.scalars(select(RegistryCitizen.permanent_commune_code).distinct()))
    assert used <= communes and len(used) > len(communes) // 2


def test_seeding_again_with_another_size_or_seed_adds_nothing(small_batches):
    first = seed_province("80", 2500)
    again = seed_province("80", 4000, seed=7)

    assert (first.citizens_inserted, again.citizens_inserted, again.agencies_inserted) == (2500, 0, 0)
    assert _count(RegistryCitizen) == 2500
    assert _count(Agency) == first.agencies_inserted


def test_a_second_province_is_seeded_beside_the_first(small_batches):
    """Personal ids and phone numbers stay unique across provinces (ids are the primary key)."""
    seed_province("80", 1500)
    other = seed_province("79", 1500)

    assert other.citizens_inserted == 1500
    assert _count(RegistryCitizen) == 3000
    hcmc = {c.code for c in divisions.communes_of("79")}
    assert db.session.scalar(select(func.count()).where(RegistryCitizen.permanent_commune_code.in_(hcmc))) == 1500
    phones = [p for row in db.session.scalars(select(RegistryCitizen.phone_numbers)) for p in row]
    assert len(phones) > 1500 and len(phones) == len(set(phones))
    born_in_hcmc = db.session.scalar(select(func.count()).where(
        RegistryCitizen.permanent_commune_code.not_in(hcmc), RegistryCitizen.personal_id.like("079%")))
    assert born_in_hcmc > 0, "Tây Ninh has citizens whose birth was registered in Hồ Chí Minh City"


def test_the_largest_default_batch_is_used_as_is():
    """Without the fixture, a seed larger than one batch still lands completely."""
    report = seed_province("80", synthetic.BATCH_SIZE + 7)
    assert report.citizens_inserted == synthetic.BATCH_SIZE + 7
    assert _count(RegistryCitizen) == synthetic.BATCH_SIZE + 7


def test_flask_seed_prints_the_counts_and_demo_logins(app):
    runner = app.test_cli_runner()

    result = runner.invoke(args=["seed", "--citizens", "400"])
    assert result.exit_code == 0, result.output
    assert "province 80: 400 citizens" in result.output
    demo = [line for line in result.output.splitlines() if "personal_id=" in line and "date_of_birth=" in line]
    assert len(demo) == 2, result.output     # one to register, one for a team visit
    for line in demo:
        personal_id = line.split("personal_id=")[1].split()[0]
        row = db.session.get(RegistryCitizen, personal_id)
        assert row is not None and row.is_alive and row.biometric_enrolled
        assert f"phone={row.phone_numbers[0]}" in line
        assert db.session.scalar(select(Account.id).where(Account.personal_id == personal_id)) is None
    assert "demo.officer" in result.output and "demo.processor" in result.output

    again = runner.invoke(args=["seed", "--citizens", "400"])
    assert again.exit_code == 0
    assert "province 80: 0 citizens and 0 agencies inserted" in again.output
    assert _count(RegistryCitizen) == 400
