"""Day rows of old months are deleted; month rows stay; a figure that would need a deleted day is refused."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.dashboard.counters import Filters, bump, total
from app.dashboard.models import DAY, MONTH, Compaction, Counter
from app.dashboard.projections import DOSSIERS_STATUS, PAYMENTS_COLLECTED, PAYMENTS_COUNT
from app.dashboard.retention import PeriodBeforeDayRows, compact, day_rows_from
from app.dashboard.service import dossier_figures, payment_figures
from app.extensions import db
from tests.dashboard_fixtures import leader  # noqa: F401  (a fixture)

TODAY = date(2026, 11, 22)
OLD_DAYS = (date(2025, 1, 15), date(2025, 1, 31), date(2026, 3, 2), date(2026, 9, 30))
KEPT_DAYS = (date(2026, 10, 1), date(2026, 10, 17), date(2026, 11, 22))


def seed() -> None:
    for number, day in enumerate(OLD_DAYS + KEPT_DAYS, start=1):
        dimensions = {"commune_code": "27727", "agency_id": "A", "procedure_code": "P1"}
        bump(DOSSIERS_STATUS, number, day=day, status="submitted", **dimensions)
        bump(PAYMENTS_COLLECTED, 1000 * number, day=day, gateway="vnpay", **dimensions)
        bump(PAYMENTS_COUNT, 1, day=day, gateway="vnpay", **dimensions)
    db.session.commit()


def rows(grain: str, *, before: date | None = None, since: date | None = None) -> int:
    statement = select(func.count()).select_from(Counter).where(Counter.grain == grain)
    if before:
        statement = statement.where(Counter.day < before)
    if since:
        statement = statement.where(Counter.day >= since)
    return db.session.scalar(statement)


def submitted(start=None, end=None) -> int:
    return total(DOSSIERS_STATUS, Filters(start=start, end=end))


def test_day_rows_before_the_kept_months_go_and_month_rows_stay():
    seed()
    old_day_rows, kept_day_rows = rows(DAY, before=date(2026, 10, 1)), rows(DAY, since=date(2026, 10, 1))
    month_rows = rows(MONTH)
    whole_months = {(date(2025, 1, 1), date(2025, 1, 31)): 3, (date(2026, 3, 1), date(2026, 9, 30)): 7,
                    (None, None): sum(range(1, 8))}
    assert {period: submitted(*period) for period in whole_months} == whole_months

    result = compact(2, today=TODAY)   # this month and the one before keep their days

    assert result.day_rows_from == date(2026, 10, 1)
    assert result.deleted == old_day_rows > 0
    assert rows(DAY, before=date(2026, 10, 1)) == 0
    assert rows(DAY, since=date(2026, 10, 1)) == kept_day_rows
    assert rows(MONTH) == month_rows
    assert db.session.get(Compaction, 1).day_rows_from == date(2026, 10, 1)
    # whole months and kept days are answered as before
    assert {period: submitted(*period) for period in whole_months} == whole_months
    assert submitted(date(2026, 10, 17), date(2026, 11, 22)) == 6 + 7
    assert submitted(date(2026, 9, 1), date(2026, 10, 16)) == 4 + 5


@pytest.mark.parametrize("start, end", [
    (date(2025, 1, 15), None), (None, date(2026, 9, 29)), (date(2026, 9, 30), date(2026, 10, 31)),
    (date(2025, 1, 2), date(2025, 1, 20)),
])
def test_a_period_with_an_end_inside_a_compacted_month_is_refused(start, end):
    seed()
    compact(2, today=TODAY)
    with pytest.raises(PeriodBeforeDayRows) as refused:
        submitted(start, end)
    assert refused.value.code == "period_before_day_rows"
    assert refused.value.params == {"day": "2026-10-01"}


def test_the_horizon_never_moves_back_and_zero_months_keeps_everything():
    seed()
    assert compact(0, today=TODAY).deleted == 0
    assert day_rows_from() is None
    assert rows(DAY, before=date(2026, 10, 1)) > 0

    compact(2, today=TODAY)
    again = compact(12, today=TODAY)   # asks for days that are already gone
    assert (again.day_rows_from, again.deleted) == (date(2026, 10, 1), 0)
    later = compact(2, today=date(2026, 12, 1))
    assert later.day_rows_from == date(2026, 11, 1)
    assert later.deleted > 0 and rows(DAY, before=date(2026, 11, 1)) == 0


def test_a_day_row_counted_late_on_a_compacted_day_goes_at_the_next_run():
    seed()
    compact(2, today=TODAY)
    bump(DOSSIERS_STATUS, 10, day=date(2025, 1, 15), status="submitted", commune_code="27727")   # a late change
    db.session.commit()
    assert rows(DAY, before=date(2026, 10, 1)) == 2   # the commune's row and the province's

    assert compact(2, today=TODAY).deleted == 2
    assert rows(DAY, before=date(2026, 10, 1)) == 0
    assert submitted(date(2025, 1, 1), date(2025, 1, 31)) == 3 + 10   # the month row has it


def test_the_daily_fee_series_starts_at_the_first_day_kept():
    seed()
    compact(2, today=TODAY)
    this_year = payment_figures(Filters(start=date(2026, 1, 1), end=date(2026, 12, 31)))
    assert this_year["daily_from"] == date(2026, 10, 1)
    assert [row["day"] for row in this_year["daily"]] == list(KEPT_DAYS)
    assert this_year["totals"]["collected"] == 1000 * sum(range(3, 8))   # from month rows

    last_year = payment_figures(Filters(start=date(2025, 1, 1), end=date(2025, 12, 31)))
    assert last_year["daily"] == [] and last_year["daily_from"] > last_year["daily_to"]
    assert last_year["totals"] == {"payments": 2, "collected": 3000, "refunds": 0, "refunded": 0}


def test_without_compaction_every_day_is_answered():
    seed()
    assert day_rows_from() is None
    assert submitted(date(2025, 1, 15), date(2025, 1, 20)) == 1
    assert dossier_figures(Filters(start=date(2025, 1, 31)))["total"] == sum(range(2, 8))


def test_the_api_refuses_a_ragged_period_before_the_kept_days(client, leader):
    seed()
    compact(2, today=TODAY)
    refused = client.get("/api/v1/dashboard/dossiers?from=2026-09-15", headers=leader)
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["code"] == "period_before_day_rows"
    assert body["message"].startswith("Số liệu trước ngày 2026-10-01 chỉ được lưu theo tháng")
    english = client.get("/api/v1/dashboard/dossiers?from=2026-09-15",
                         headers={**leader, "Accept-Language": "en"}).get_json()
    assert english["message"].startswith("Figures before 2026-10-01 are kept by month only")

    whole = client.get("/api/v1/dashboard/dossiers?from=2026-09-01", headers=leader)
    assert whole.status_code == 200
    assert whole.get_json()["total"] == 4 + 5 + 6 + 7
    export = client.get("/api/v1/dashboard/exports/dossiers-status.csv?from=2025-01-20", headers=leader)
    assert export.status_code == 422 and export.get_json()["code"] == "period_before_day_rows"


def test_the_compact_command_and_the_weekly_job(app):
    from app.common.jobs import periodic_jobs

    from app.dashboard import scheduled  # noqa: F401  (the worker imports every domain's scheduled module)

    seed()
    app.config["DASHBOARD_DAY_ROWS_MONTHS"] = 1
    try:
        job = next(job for job in periodic_jobs() if job.name == "dashboard.compact_day_rows")
        assert job.every.days == 7
        result = app.test_cli_runner().invoke(args=["dashboard", "compact", "--months", "200"])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("day rows kept from ") and " 0 older day rows deleted" in result.output
        job.fn()   # the configured month: only this month's days stay
    finally:
        app.config["DASHBOARD_DAY_ROWS_MONTHS"] = 24
    from app.common.clock import local_today

    first_kept = local_today().replace(day=1)
    assert day_rows_from() == first_kept
    assert rows(DAY, before=first_kept) == 0 and rows(MONTH) > 0


def test_rebuild_compacts_again(app):
    from app.common.clock import local_today
    from tests.dashboard_fixtures import build_population

    build_population()   # accounts opened today and 40 days ago
    first_kept = local_today().replace(day=1)
    registered = total("eid.registered", Filters())
    assert compact(1).day_rows_from == first_kept
    assert rows(DAY, before=first_kept) == 0

    result = app.test_cli_runner().invoke(args=["dashboard", "rebuild"])

    assert result.exit_code == 0, result.output
    assert f"day rows kept from {first_kept.isoformat()}: " in result.output
    assert rows(DAY, before=first_kept) == 0   # the recount wrote them again; they went again
    assert rows(DAY, since=first_kept) > 0
    assert total("eid.registered", Filters()) == registered == 7
