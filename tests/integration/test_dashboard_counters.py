"""The counters table: UPSERT increments and roll-ups, on SQLite and PostgreSQL."""
from datetime import date

from sqlalchemy import func, select

from app.dashboard.counters import Filters, Key, apply_deltas, bump, sums_of, total
from app.dashboard.models import Counter
from app.extensions import db

D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)


def seed():
    bump("probe", day=D1, commune_code="27727", agency_id="A", procedure_code="P1", status="received")
    bump("probe", 2, day=D2, commune_code="27727", agency_id="A", procedure_code="P2", status="received")
    bump("probe", 5, day=D2, commune_code="25459", agency_id="B", procedure_code="P1", status="done")
    bump("probe", day=D3, commune_code="25459", agency_id="B", procedure_code="P1", status="received")


def test_increments_add_up_and_may_go_down():
    bump("probe", day=D1, commune_code="27727")
    bump("probe", 4, day=D1, commune_code="27727")
    bump("probe", -2, day=D1, commune_code="27727")
    assert total("probe", Filters()) == 3
    assert total("probe", Filters(commune_code="27727")) == 3
    # one row per roll-up and grain (day, month), however many increments
    assert db.session.scalar(select(func.count()).select_from(Counter)) == 4


def test_any_combination_of_filters_reads_its_own_rows():
    seed()
    assert total("probe", Filters()) == 9
    assert total("probe", Filters(commune_code="27727")) == 3
    assert total("probe", Filters(procedure_code="P1")) == 7
    assert total("probe", Filters(agency_id="B", procedure_code="P1")) == 6
    assert total("probe", Filters(commune_code="27727", agency_id="B")) == 0
    assert total("probe", Filters(start=D2)) == 8
    assert total("probe", Filters(start=D2, end=D2, procedure_code="P1")) == 5
    assert sums_of(("probe",), Filters(), ("status",))["probe"] == {("received",): 4, ("done",): 5}
    assert sums_of(("probe",), Filters(procedure_code="P1"), ("commune_code", "status"))["probe"] == {
        ("27727", "received"): 1, ("25459", "done"): 5, ("25459", "received"): 1}
    assert sums_of(("probe",), Filters(end=D1), ("day",))["probe"] == {(D1,): 1}
    assert sums_of(("probe",), Filters(), ("day",))["probe"] == {(D1,): 1, (D2,): 7, (D3,): 1}
    # whole months come from month rows, the ragged ends from day rows
    assert total("probe", Filters(start=date(2026, 2, 1), end=date(2026, 3, 31))) == 9
    assert total("probe", Filters(start=date(2026, 2, 1), end=D2)) == 8


def test_several_metrics_read_in_one_statement_keep_their_own_sums():
    seed()
    bump("other", 7, day=D2, commune_code="27727", agency_id="A", procedure_code="P2", status="received")
    bump("other", 1, day=D3, commune_code="25459", agency_id="B", procedure_code="P1", bucket="3")
    both = sums_of(("probe", "other", "absent"), Filters(), ("status", "bucket"))
    assert both["probe"] == {("received", ""): 4, ("done", ""): 5}
    assert both["other"] == {("received", ""): 7, ("", "3"): 1}
    assert both["absent"] == {}
    by_commune = sums_of(("probe", "other"), Filters(start=D2), ("commune_code",))
    assert by_commune == {"probe": {("27727",): 2, ("25459",): 6}, "other": {("27727",): 7, ("25459",): 1}}


def test_one_call_with_many_keys_merges_duplicates():
    changed = apply_deltas({Key("probe", D1, commune_code="27727"): 2,
                            Key("probe", D1, commune_code="25459"): 3,
                            Key("probe", D2): 0})
    assert changed == 6   # two communes and their shared roll-up row, by day and by month
    assert total("probe", Filters()) == 5


def test_a_large_batch_is_merged_in_bulk_and_adds_up():
    """Beyond 20,000 rows PostgreSQL takes the COPY-and-merge path (a rebuild); the sums are the same."""
    communes, agencies, procedures = 30, 20, 40
    keys = {Key("probe", D1, commune_code=f"{c:05d}", agency_id=f"A{a}", procedure_code=f"P{p}"): 1
            for c in range(communes) for a in range(agencies) for p in range(procedures)}
    rows = 2 * (communes + 1) * (agencies + 1) * (procedures + 1)   # every value or ALL; day and month
    assert rows > 20_000
    assert apply_deltas(keys) == rows
    apply_deltas(keys)
    assert db.session.scalar(select(func.count()).select_from(Counter)) == rows
    assert total("probe", Filters()) == 2 * len(keys)
    assert total("probe", Filters(commune_code="00007")) == 2 * agencies * procedures
    assert total("probe", Filters(agency_id="A3", procedure_code="P4")) == 2 * communes
    assert sums_of(("probe",), Filters(commune_code="00001", agency_id="A2"), ("procedure_code",))["probe"][("P9",)] == 2
