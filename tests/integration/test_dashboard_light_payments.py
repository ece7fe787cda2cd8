"""The payments figure skips marshmallow: its JSON must be exactly what the documented schema dumps."""
import json
from pathlib import Path

import pytest

from app.dashboard import present
from app.dashboard.counters import Filters
from app.dashboard.schemas import PaymentFiguresSchema
from app.dashboard.service import payment_figures
from tests.dashboard_fixtures import HUNG_DIEN, build_dossiers, build_payments
from tests.dossiers_fixtures import agency, catalog, storage  # noqa: F401

OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


@pytest.fixture
def made(catalog):  # noqa: F811
    data = build_dossiers(catalog, agency)
    data["payments"] = build_payments(data)
    return data


def _light(app, figures) -> dict:
    with app.test_request_context():
        return json.loads(present.payment_figures_json(figures).get_data())


def _dumped(figures) -> dict:
    return json.loads(json.dumps(PaymentFiguresSchema().dump(figures)))


def test_the_light_payments_figure_is_what_the_schema_dumps(made, app):
    days = made["days"]
    for filters in (Filters(), Filters(commune_code=HUNG_DIEN), Filters(start=days[9], end=days[4]),
                    Filters(procedure_code="no-such-procedure")):
        figures = payment_figures(filters)
        assert _light(app, figures) == _dumped(figures)
    everything = payment_figures(Filters())
    assert everything["daily"] and everything["stuck"] and everything["gateways"]   # every part is compared


def test_the_light_payments_figure_has_exactly_the_documented_properties(made, app):
    schemas = json.loads(OPENAPI.read_text())["components"]["schemas"]
    light = _light(app, payment_figures(Filters()))
    assert set(light) == set(schemas["PaymentFigures"]["properties"])
    parts = {"totals": "PaymentTotals", "gateways": "GatewayFigures", "daily": "DailyFees", "refunds": "RefundFigures",
             "stuck": "StuckPayment"}
    for part, schema in parts.items():
        value = light[part][0] if isinstance(light[part], list) else light[part]
        assert set(value) == set(schemas[schema]["properties"]), part
