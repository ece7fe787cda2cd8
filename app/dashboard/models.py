"""Rollup tables read by the figures; they are never the source of truth.

`dashboard_counters` holds additive counters keyed by a metric and its
dimensions; `app.dashboard.counters` keeps them current inside the
transaction of the change they count. `dashboard_registry_figures` is a
snapshot of the population registry per commune, replaced by the periodic
refresh (`app.dashboard.registry_figures`).
"""
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from app.common.clock import utcnow
from app.extensions import db

# A dimension that a counter row adds up over (every commune, agency, procedure)
ALL = "*"
# A dimension that does not apply to the metric
NONE = ""


class Counter(db.Model):
    """One additive figure: SUM(value) over rows answers a question.

    The primary key is the whole dimension tuple, in the order queries filter
    on it (metric and the three filter dimensions by equality, then a day range).
    """

    __tablename__ = "dashboard_counters"

    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(30), primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegistryFigure(db.Model):
    """A count about the registry's records in one commune (see registry_figures.py)."""

    __tablename__ = "dashboard_registry_figures"

    commune_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    refreshed_at: Mapped[datetime]
