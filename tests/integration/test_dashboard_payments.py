"""Fee figures: collected per gateway and day, refunds, stuck payments, against the payment rows."""
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.dashboard.counters import Filters
from app.dashboard.models import Counter
from app.dashboard.rebuild import PAYMENTS, REFUNDS, rebuild
from app.dashboard.service import payment_figures
from app.extensions import db
from app.payments import refunds as refund_service
from app.payments import service as payment_service
from app.payments import states
from app.payments.gateways.base import Outcome, RefundResult
from tests.dashboard_fixtures import (
    HUNG_DIEN, TAN_NINH, at, build_dossiers, build_payments, expected_payments, make_payment, recount,
)
from tests.dossiers_fixtures import agency, catalog, storage  # noqa: F401


@pytest.fixture
def made(catalog):  # noqa: F811
    data = build_dossiers(catalog, agency)
    data["payments"] = build_payments(data)
    return data


def assert_matches(filters):
    figures = payment_figures(filters)
    expected = expected_payments(filters)
    assert {(r["day"], r["gateway"]): r["collected"] for r in figures["daily"]} == dict(expected["daily"])
    assert {(r["day"], r["gateway"]): r["payments"] for r in figures["daily"]} == dict(expected["counts"])
    assert figures["totals"]["collected"] == expected["collected"]
    assert figures["totals"]["payments"] == expected["payments"]
    assert {r["status"]: (r["refunds"], r["amount"]) for r in figures["refunds"]} == expected["refunds"]
    assert figures["totals"]["refunded"] == expected["refunds"]["succeeded"][1]
    assert [item["payment_id"] for item in figures["stuck"]] == expected["stuck"]
    assert figures["stuck_pending"] == len(expected["stuck"])
    for gateway in figures["gateways"]:
        assert gateway["collected"] == sum(v for (_d, g), v in expected["daily"].items() if g == gateway["gateway"])
    return figures


def test_every_payment_figure_equals_the_rows(made):
    days, agencies = made["days"], made["agencies"]
    for filters in (Filters(), Filters(commune_code=HUNG_DIEN), Filters(commune_code=TAN_NINH),
                    Filters(agency_id=agencies["police"].id), Filters(procedure_code="1.001193"),
                    Filters(start=days[9], end=days[4]), Filters(start=days[0]), Filters(end=days[20]),
                    Filters(commune_code=TAN_NINH, procedure_code="1.004873", start=days[30])):
        assert_matches(filters)
    figures = payment_figures(Filters())
    # hand-checked against build_payments()
    assert figures["totals"] == {"payments": 6, "collected": 15_000 + 7_000 + 200_000 + 135_000 + 8_000 + 8_000,
                                 "refunds": 1, "refunded": 135_000}
    assert figures["stuck_pending"] == 2


def test_rebuild_recounts_payments_and_refunds(made):
    def counters():
        return {(c.metric, c.grain, c.commune_code, c.agency_id, c.procedure_code, c.day, c.gateway, c.status): c.value
                for c in db.session.scalars(select(Counter).where(Counter.metric.like("payments.%"),
                                                                  Counter.value != 0))}

    live = counters()
    db.session.execute(Counter.__table__.delete())
    rebuild(PAYMENTS, db.session)
    rebuild(REFUNDS, db.session)
    assert counters() == live


def test_settlement_and_refund_through_the_payments_service(catalog):  # noqa: F811
    data = build_dossiers(catalog, agency)
    dossier = data["dossiers"][4]
    day = data["days"][0]
    with time_machine.travel(at(day, 8), tick=False):
        payment = make_payment(dossier, "momo", states.PENDING, amount=7_000)
        assert payment_figures(Filters())["totals"]["collected"] == 0
        assert payment_service.settle(payment, Outcome.SUCCEEDED, source="ipn", transaction_no="M1")
        db.session.commit()
        figures = payment_figures(Filters(start=day, end=day))
        assert figures["daily"] == [{"day": day, "gateway": "momo", "payments": 1, "collected": 7_000}]
        refund = refund_service.request_refund(payment, "dossier_rejected", source="dossier")
        db.session.commit()
        assert payment_figures(Filters())["refunds"][0] == {"status": "requested", "refunds": 1, "amount": 7_000}
        refund_service._apply(refund.id, RefundResult(succeeded=True, retryable=False, result_code="0",
                                                      refund_no="RF1"))
        figures = payment_figures(Filters())
    assert payment.status == states.REFUNDED
    assert figures["totals"] == {"payments": 1, "collected": 7_000, "refunds": 1, "refunded": 7_000}
    assert [r["refunds"] for r in figures["refunds"]] == [0, 1, 0]
    assert_matches(Filters())


def test_the_daily_series_of_an_open_period_is_the_last_92_days(catalog):  # noqa: F811
    data = build_dossiers(catalog, agency)
    today = data["days"][0]
    long_ago = today - timedelta(days=120)
    make_payment(data["dossiers"][3], "vnpay", states.SUCCEEDED, amount=9_000, paid=long_ago)
    make_payment(data["dossiers"][4], "momo", states.SUCCEEDED, amount=4_000, paid=today)
    db.session.commit()
    recount()
    figures = payment_figures(Filters())
    assert (figures["daily_from"], figures["daily_to"]) == (today - timedelta(days=91), today)
    assert [(r["day"], r["gateway"], r["collected"]) for r in figures["daily"]] == [(today, "momo", 4_000)]
    assert figures["totals"]["collected"] == 13_000
    assert {g["gateway"]: g["collected"] for g in figures["gateways"]} == {"vnpay": 9_000, "momo": 4_000}
    asked = payment_figures(Filters(start=long_ago))
    assert [(r["day"], r["collected"]) for r in asked["daily"]] == [(long_ago, 9_000), (today, 4_000)]
    assert asked["daily_from"] == long_ago
