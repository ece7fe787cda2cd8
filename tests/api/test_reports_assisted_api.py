"""A community digital-tech team member files a report for a resident, with the resident's consent."""
import uuid

from sqlalchemy import select

from app.assistance.models import AssistanceAct
from app.extensions import db
from app.reports.models import Report
from tests.assistance_fixtures import Visit, resident  # noqa: F401
from tests.assistance_fixtures import fresh_rate_limits  # noqa: F401
from tests.reports_fixtures import file, reports_world, storage  # noqa: F401


def test_helper_files_in_the_residents_name_with_consent(client, reports_world):
    visit = Visit(client)
    citizen, account = resident()
    session, headers = visit.consented(citizen, ["file_report"])
    response = file(client, headers)
    assert response.status_code == 201, response.get_json()
    report = db.session.get(Report, uuid.UUID(response.get_json()["report"]["id"]))
    assert report.reporter_account_id == account.id and report.helper_account_id == visit.member.id
    acts = [a.action for a in db.session.scalars(select(AssistanceAct).where(
        AssistanceAct.delegation_id == uuid.UUID(session["id"])))]
    assert "report_filed" in acts


def test_without_that_consent_the_helper_cannot_file(client, reports_world):
    visit = Visit(client)
    _session, headers = visit.consented(resident()[0], ["read_status"])
    response = file(client, headers)
    assert response.status_code == 403 and response.get_json()["code"] == "delegation_scope"
    assert db.session.scalar(select(Report.id)) is None
    assert file(client, visit.headers).status_code == 403     # the member's own session is not a citizen's
