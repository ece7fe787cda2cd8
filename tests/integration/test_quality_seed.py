"""Demo service quality: a rating, a complaint, an apology and a stalled dossier, seeded once."""
from sqlalchemy import func, select

from app.common import roles
from app.dossiers.seed import seed_demo_dossiers
from app.extensions import db
from app.quality.models import Apology, Complaint, QualityDossier, Rating
from app.quality.seed import seed_demo_quality
from tests.dossiers_fixtures import citizen_account, staff


def test_the_demo_gets_a_rating_a_complaint_an_apology_and_a_stall_once(catalog, storage):
    citizen_account()
    staff(login="demo.officer")
    staff(roles.APPROVER, login="demo.approver")
    seed_demo_dossiers("80", in_tests=True)
    lines = seed_demo_quality(in_tests=True)
    assert len(lines) == 1 and "complaint PA" in lines[0]
    assert db.session.scalar(select(Rating.verdict)) == "satisfied"
    complaint = db.session.scalars(select(Complaint)).one()
    assert complaint.status == "filed"
    apology = db.session.scalars(select(Apology)).one()
    stuck = db.session.get(QualityDossier, apology.dossier_id)
    assert stuck.status == "in_processing" and stuck.stall_level == 2 and stuck.promised_date == apology.new_date
    assert seed_demo_quality(in_tests=True) == []
    assert db.session.scalar(select(func.count()).select_from(Rating)) == 1


def test_nothing_is_seeded_in_tests_unless_asked(catalog):
    assert seed_demo_quality() == []
    assert seed_demo_quality(in_tests=True) == []     # no demo dossiers
