"""Rollup tables read by the figures; they are never the source of truth.

`dashboard_counters` holds additive counters keyed by a metric and its
dimensions; `app.dashboard.counters` keeps them current inside the
transaction of the change they count. `dashboard_open_dossiers` mirrors the
dossiers whose clock runs, for the overdue list. `dashboard_registry_figures`
is a snapshot of the population registry per commune, replaced by the
periodic refresh (`app.dashboard.registry_figures`). `dashboard_compaction`
says from which day on day rows are kept (`app.dashboard.retention`).
"""
import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

# A dimension that a counter row adds up over (every commune, agency, procedure)
ALL = "*"
# A dimension that does not apply to the metric
NONE = ""
# Time grains of a counter row: one day, or a whole month (dated on its first day)
DAY, MONTH = "d", "m"


class Counter(db.Model):
    """One additive figure: SUM(value) over rows answers a question.

    The primary key is the whole dimension tuple, in the order queries filter
    on it (metric, grain and the three filter dimensions by equality, then a
    range of days); a second index serves the per-commune tables.
    """

    __tablename__ = "dashboard_counters"
    # Per-commune figures over a period (GROUP BY commune, agency and procedure "all"): the
    # primary key would scan every commune's day rows; this index reads only the period's days.
    __table_args__ = (
        Index("ix_dashboard_counters_period", "metric", "grain", "agency_id", "procedure_code", "day"),
    )

    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(30), primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class RegistryFigure(db.Model):
    """A count about the registry's records in one commune (see registry_figures.py)."""

    __tablename__ = "dashboard_registry_figures"

    commune_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    refreshed_at: Mapped[datetime]


class OpenDossier(db.Model):
    """A dossier whose processing clock runs (submitted, not yet decided, not paused).

    Kept in step with `dossiers` by the dossier projection, so "overdue now"
    reads this small table instead of the three million dossiers behind it.
    """

    __tablename__ = "dashboard_open_dossiers"
    __table_args__ = (
        Index("ix_dashboard_open_dossiers_due", "due_date", "dossier_id"),
        Index("ix_dashboard_open_dossiers_commune_due", "commune_code", "due_date"),
        Index("ix_dashboard_open_dossiers_agency_due", "agency_id", "due_date"),
        Index("ix_dashboard_open_dossiers_procedure_due", "procedure_code", "due_date"),
    )

    dossier_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    receipt_code: Mapped[str | None] = mapped_column(String(40))
    procedure_code: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[uuid.UUID]
    commune_code: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(24))
    due_date: Mapped[date]
    submitted_at: Mapped[datetime]


class Compaction(db.Model):
    """The one row saying how far back day rows of the counters are kept.

    Before `day_rows_from` only month rows remain (app.dashboard.retention).
    """

    __tablename__ = "dashboard_compaction"

    id: Mapped[int] = mapped_column(primary_key=True)   # always 1
    day_rows_from: Mapped[date]
    compacted_at: Mapped[datetime]
