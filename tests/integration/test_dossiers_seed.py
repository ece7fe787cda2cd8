"""Demo dossiers for the development province: one per interesting state, seeded once."""
from sqlalchemy import select

from app.common import roles
from app.dossiers.models import DigitizedResult, Dossier
from app.dossiers.results import verify
from app.dossiers.seed import seed_demo_dossiers
from app.extensions import db
from tests.dossiers_fixtures import citizen_account, staff
from tests.dossiers_fixtures import catalog, storage  # noqa: F401


def test_the_demo_citizen_gets_dossiers_in_several_states_once(catalog, storage):
    citizen = citizen_account()
    staff(login="demo.officer")
    staff(roles.APPROVER, login="demo.approver")
    lines = seed_demo_dossiers("80", in_tests=True)
    statuses = sorted(db.session.scalars(select(Dossier.status).where(Dossier.citizen_account_id == citizen.id)))
    assert statuses == ["draft", "in_processing", "result_issued", "submitted"]
    result = db.session.scalars(select(DigitizedResult)).one()
    assert result.citizen_account_id == citizen.id
    assert storage.get(result.storage_key, sha256=result.sha256).startswith(b"%PDF-")
    assert verify(result.verification_code)["genuine"] is True
    assert result.verification_code in lines[0]
    assert seed_demo_dossiers("80", in_tests=True) == []
    assert db.session.scalar(select(db.func.count()).select_from(Dossier)) == 4


def test_nothing_is_seeded_in_tests_unless_asked_or_without_demo_staff(catalog):
    citizen_account()
    assert seed_demo_dossiers("80") == []
    assert seed_demo_dossiers("80", in_tests=True) == []      # no demo officer
    assert db.session.scalars(select(Dossier)).all() == []
