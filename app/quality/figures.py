"""The Decision 766 index, its drill-downs, the early warning and the operations-centre lists.

Decision 766/QĐ-TTg of 23 June 2022 (Bộ chỉ số chỉ đạo, điều hành và đánh giá
chất lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính,
dịch vụ công theo thời gian thực trên môi trường điện tử) scores provinces on
groups of indicators. Each indicator here says its formula and its source;
the values are sums of the monthly roll-ups (`quality_rollups`), never a scan
of the dossiers. Points: the indicator's weight in full at or above its target
share, proportionally below (target 100 % by default: share x weight); weights
and targets are configuration (`QUALITY_INDEX_WEIGHTS`, `QUALITY_INDEX_TARGETS`),
to be set from the decision's annex as the province applies it: the annex's own
table of points and its rule for a partial rate were not obtained (docs/quality.md, "Points"), and every
index answer says so (`points_basis`).
"""
import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, literal_column, or_, select

from app.common.auth import OutOfScope, Principal
from app.common.clock import VIETNAM, local_today, utcnow
from app.common.pagination import decode_cursor, encode_cursor
from app.dossiers import states as dossier_states
from app.extensions import db
from app.common.roles import APPROVER, OFFICER
from app.quality import states
from app.quality.errors import IndicatorUnknown, PeriodNotValid, ScopeRequired
from app.quality.models import Complaint, QualityDossier, Rollup
from app.quality.settings import QualitySettings
from app.quality.stalls import working_hours_between

SOURCE = "Quyết định 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ, Phụ lục (Bộ chỉ số)"
SCOPES = ("province", "agency", "commune", "procedure")
POINTS_BASIS = ("Điểm = min(1, tỷ lệ / mức tối đa điểm) × điểm tối đa, theo cấu hình QUALITY_INDEX_WEIGHTS và "
                "QUALITY_INDEX_TARGETS (mặc định mức 100%: tuyến tính); chưa phải thang điểm của Phụ lục Quyết "
                "định 766/QĐ-TTg (points: min(1, share / target) × the configured maximum, from "
                "QUALITY_INDEX_WEIGHTS and QUALITY_INDEX_TARGETS, target 100 % by default: linear; not the "
                "annex's scale, which this backend does not hold)")


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    name: str
    formula: str
    numerator: str | None        # roll-up metric (None: computed)
    denominator: str | None
    unit: str = "percent"
    costs: str | None = None     # what makes a dossier cost points (drill-down), in words


INDICATORS: tuple[Indicator, ...] = (
    Indicator("on_time", "Tiến độ giải quyết", "Tỷ lệ hồ sơ giải quyết trước và đúng hạn",
              "(hồ sơ đã giải quyết − hồ sơ trễ hạn) / hồ sơ đã giải quyết; thời gian bổ sung hồ sơ không tính "
              "vào thời hạn; hồ sơ yêu cầu bổ sung lần thứ hai tính là trễ hạn",
              "on_time", "handled", costs="finished after its due date, or a second supplement request"),
    Indicator("handling_time", "Tiến độ giải quyết", "Thời gian giải quyết trung bình (ngày làm việc)",
              "tổng số ngày làm việc từ tiếp nhận đến trả kết quả, trừ thời gian bổ sung / hồ sơ đã giải quyết",
              "handling_days", "handled", unit="working_days"),
    Indicator("online", "Cung cấp dịch vụ trực tuyến", "Tỷ lệ hồ sơ trực tuyến có kết quả điện tử",
              "hồ sơ tiếp nhận trực tuyến và trả kết quả điện tử / hồ sơ đã giải quyết",
              "online_e_result", "handled", costs="not received online with an electronic result"),
    Indicator("online_payment_procedures", "Thanh toán trực tuyến", "Tỷ lệ thủ tục có phát sinh thanh toán trực tuyến",
              "thủ tục có ít nhất một hồ sơ thanh toán trực tuyến / thủ tục có hồ sơ phải nộp phí, lệ phí",
              None, None),
    Indicator("online_payment_dossiers", "Thanh toán trực tuyến", "Tỷ lệ hồ sơ thanh toán trực tuyến",
              "hồ sơ nộp phí, lệ phí trực tuyến / hồ sơ phải nộp phí, lệ phí",
              "paid_online", "fee_dossiers", costs="a fee that was not paid online"),
    Indicator("electronic_results", "Số hóa hồ sơ", "Tỷ lệ cấp kết quả điện tử",
              "hồ sơ có kết quả điện tử / hồ sơ có kết quả", "e_results", "results",
              costs="a result issued without an electronic copy"),
    Indicator("digitised", "Số hóa hồ sơ", "Tỷ lệ số hóa hồ sơ", "hồ sơ có thành phần hồ sơ số hóa / hồ sơ đã giải quyết",
              "digitised", "handled", costs="no digitised document"),
    Indicator("reuse", "Số hóa hồ sơ", "Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa",
              "hồ sơ dùng lại dữ liệu (điền sẵn từ CSDL dân cư hoặc giấy tờ trong kho dữ liệu cá nhân) / hồ sơ đã giải quyết",
              "reused", "handled", costs="nothing reused (no registry prefill, no stored document)"),
    Indicator("population_db", "Số hóa hồ sơ", "Tỷ lệ hồ sơ khai thác CSDL quốc gia về dân cư",
              "hồ sơ có trường điền sẵn từ CSDL quốc gia về dân cư / hồ sơ đã giải quyết",
              "registry", "handled", costs="no field taken from the population registry"),
    Indicator("complaints_on_time", "Mức độ hài lòng", "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn",
              "phản ánh, kiến nghị xử lý đúng hạn (trả lời trong 15 ngày làm việc, không tính thời gian chờ người "
              "dân bổ sung thông tin; từ chối trong 2, yêu cầu bổ sung thông tin trong 5) / phản ánh, kiến nghị "
              "đã xử lý",
              "complaints_on_time", "complaints_closed", costs="a complaint handled late"),
    Indicator("satisfaction", "Mức độ hài lòng", "Mức độ hài lòng trong giải quyết thủ tục hành chính",
              "100% − tỷ lệ hồ sơ trễ hạn − tỷ lệ hồ sơ có phản ánh, kiến nghị hoặc đánh giá không hài lòng",
              None, "handled", costs="late, or with a complaint or a dissatisfied rating"),
)
BY_CODE = {i.code: i for i in INDICATORS}
DRILLABLE = tuple(i.code for i in INDICATORS if i.costs)

NOT_HELD = (
    {"code": "publicity", "group": "Công khai, minh bạch",
     "name": "Công khai thủ tục hành chính, đồng bộ trạng thái hồ sơ lên Cổng Dịch vụ công quốc gia",
     "why": "needs the national procedures database and the national portal's synchronisation log"},
    {"code": "full_online_procedures", "group": "Cung cấp dịch vụ trực tuyến",
     "name": "Tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến toàn trình (theo danh mục quốc gia)",
     "why": "needs the national procedures database's list of procedures that must be offered fully online"},
    {"code": "national_feedback", "group": "Mức độ hài lòng",
     "name": "Đánh giá, phản ánh qua Cổng Dịch vụ công quốc gia và Hệ thống tiếp nhận phản ánh kiến nghị",
     "why": "ratings and complaints made outside this app are not sent to this backend"},
    {"code": "other_systems", "group": "Tiến độ giải quyết",
     "name": "Hồ sơ xử lý trên hệ thống của bộ, ngành",
     "why": "dossiers handled in ministries' own systems never reach this backend"},
)


# -- period and scope ---------------------------------------------------------------------------

def months_between(start: str, end: str) -> list[str]:
    y, m = int(start[:4]), int(start[5:7])
    ey, em = int(end[:4]), int(end[5:7])
    months = []
    while (y, m) <= (ey, em):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        if len(months) > 24:
            raise PeriodNotValid()
    if not months:
        raise PeriodNotValid(errors={"from": [PeriodNotValid.message]})
    return months


def resolve_scope(principal: Principal, scope: str | None, scope_id: str | None) -> tuple[str, str | None]:
    """The scope the figures are for; officers and agency leaders see only their agency."""
    if principal.role in (OFFICER, APPROVER):
        if scope in (None, "agency") and scope_id in (None, str(principal.agency_id)):
            return "agency", principal.agency_id
        raise OutOfScope()
    scope = scope or "province"
    if scope == "province":
        return scope, None
    if not scope_id:
        raise ScopeRequired(errors={"scope_id": [ScopeRequired.message]})
    if scope == "agency":
        try:
            return scope, uuid.UUID(scope_id)
        except ValueError as error:
            raise ScopeRequired(errors={"scope_id": [ScopeRequired.message]}) from error
    return scope, scope_id


def scope_key(scope: str, scope_id: str | None) -> str:
    return "province" if scope == "province" else f"{scope}:{scope_id}"


# -- the index -----------------------------------------------------------------------------------

def sums(months: list[str], key: str) -> dict[str, int]:
    rows = db.session.execute(select(Rollup.metric, func.sum(Rollup.value))
                              .where(Rollup.month.in_(months), Rollup.scope == key)
                              .group_by(Rollup.metric))
    return {metric: int(total or 0) for metric, total in rows}


def procedures_paying_online(totals: dict[str, int], key: str) -> tuple[int, int]:
    """(procedures with at least one dossier paid online, procedures with fee-bearing dossiers)."""
    if key.startswith("procedure:"):
        return int(totals.get("paid_online", 0) > 0), int(totals.get("fee_dossiers", 0) > 0)
    with_fees = [m.split("@", 1)[1] for m, n in totals.items() if m.startswith("fee_dossiers@") and n]
    return sum(1 for code in with_fees if totals.get(f"paid_online@{code}")), len(with_fees)


def index(principal: Principal, settings: QualitySettings, *, start: str, end: str,
          scope: str | None = None, scope_id: str | None = None) -> dict:
    """Every indicator the backend can compute for the period and scope, and those it cannot."""
    scope, scope_id = resolve_scope(principal, scope, scope_id)
    months = months_between(start, end)
    key = scope_key(scope, scope_id)
    totals = sums(months, key)
    totals["on_time"] = totals.get("handled", 0) - totals.get("late", 0)
    rows = []
    for indicator in INDICATORS:
        numerator, denominator = _fraction(indicator, totals, months, key)
        value = _value(indicator, numerator, denominator)
        weight = settings.index_weights.get(indicator.code)
        points = _points(value, weight, settings.index_targets.get(indicator.code, 100.0)) \
            if indicator.unit == "percent" else None
        rows.append({"code": indicator.code, "group": indicator.group, "name": indicator.name,
                     "formula": indicator.formula, "source": SOURCE, "unit": indicator.unit,
                     "numerator": numerator, "denominator": denominator, "value": value,
                     "max_points": weight if indicator.unit == "percent" else None, "points": points,
                     "drill_down": indicator.code in DRILLABLE})
    return {"from": start, "to": end, "scope": scope, "scope_id": scope_id, "indicators": rows,
            "not_held": list(NOT_HELD), "reasons_returned": _reasons(totals), "points_basis": POINTS_BASIS,
            "total_points": round(sum(r["points"] or 0 for r in rows), 2),
            "max_total_points": round(sum(r["max_points"] or 0 for r in rows), 2)}


def _points(value: float | None, weight: float | None, target: float) -> float | None:
    """The weight in full at or above the target share, proportionally below it."""
    if value is None or not weight:
        return None
    return round(min(1.0, value / target) * weight, 2)


def _fraction(indicator: Indicator, totals: dict, months, key) -> tuple[int, int]:
    if indicator.code == "online_payment_procedures":
        return procedures_paying_online(totals, key)
    if indicator.code == "satisfaction":
        handled = totals.get("handled", 0)
        # the decision subtracts the two shares: a late dossier with a complaint lowers it twice
        return handled - totals.get("late", 0) - totals.get("unhappy", 0), handled
    return totals.get(indicator.numerator, 0), totals.get(indicator.denominator, 0)


def _value(indicator: Indicator, numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    if indicator.unit == "working_days":
        return round(numerator / denominator, 2)
    return round(max(0.0, 100 * numerator / denominator), 2)


def _reasons(totals: dict) -> list[dict]:
    """Why dossiers came back: returns and supplement requests by reason code."""
    found = []
    for metric, count in sorted(totals.items()):
        if metric.startswith("why."):
            _, action, code = metric.split(".", 2)
            found.append({"action": action, "reason_code": code, "count": count})
    return found


# -- drill-down: the dossiers (or complaints) that cost points --------------------------------------

def _scope_filter(model, scope: str, scope_id: str | None):
    if scope == "agency":
        return model.agency_id == scope_id
    if scope == "commune":
        return model.commune_code == scope_id
    if scope == "procedure":
        return model.procedure_code == scope_id
    return None


def _costs(code: str):
    d = QualityDossier
    return {
        "on_time": d.late.is_(True),
        "online": ~and_(d.channel == "online", d.electronic_result.is_(True)),
        "online_payment_dossiers": and_(d.fee_amount > 0, d.paid_online.is_(False)),
        "electronic_results": and_(d.status == dossier_states.RESULT_ISSUED, d.electronic_result.is_(False)),
        "digitised": d.digitised.is_(False),
        "reuse": and_(d.registry_prefill.is_(False), d.reused_documents.is_(False)),
        "population_db": d.registry_prefill.is_(False),
        "satisfaction": or_(d.late.is_(True), d.unhappy.is_(True)),
    }[code]


def drill_down(principal: Principal, code: str, *, start: str, end: str, scope=None, scope_id=None,
               cursor=None, limit=20) -> dict:
    """The dossiers (complaints, for `complaints_on_time`) of the period that cost the indicator points."""
    if code not in DRILLABLE:
        raise IndicatorUnknown()
    scope, scope_id = resolve_scope(principal, scope, scope_id)
    months = months_between(start, end)
    if code == "complaints_on_time":
        return _late_complaints(months, scope, scope_id, cursor, limit)
    d = QualityDossier
    # The period as a range of handling times (a handled dossier's month is its handling time's
    # Vietnam month), so the page is a backward walk of an index on (scope, completed_at,
    # dossier_id) from the cursor: (completed_at, dossier_id) for the province,
    # ix_quality_dossiers_{agency,commune,procedure}_done for a scope. The cost is checked on the
    # rows walked; nothing is sorted.
    since, until = period_bounds(months)
    statement = select(d).where(d.completed_at >= since, d.completed_at < until, d.handled.is_(True),
                                _costs(code))
    if (condition := _scope_filter(d, scope, scope_id)) is not None:
        statement = statement.where(condition)
    rows, next_cursor = _keyset(statement, d.completed_at, d.dossier_id, cursor, limit)
    return {"items": [_dossier_item(r, code) for r in rows], "next_cursor": next_cursor}


def period_bounds(months: list[str]) -> tuple[datetime, datetime]:
    """The first moment of the first month and of the month after the last, Vietnam time."""
    first, last = (date.fromisoformat(m + "-01") for m in (months[0], months[-1]))
    after = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    return (datetime(first.year, first.month, 1, tzinfo=VIETNAM),
            datetime(after.year, after.month, 1, tzinfo=VIETNAM))


def _keyset(statement, at_column, id_column, cursor, limit):
    if cursor:
        at, row_id = decode_cursor(cursor)
        # `at_column <= at` is implied by the rest; said outright, it bounds the index walk
        statement = statement.where(at_column <= at,
                                    or_(at_column < at, and_(at_column == at, id_column < row_id)))
    rows = list(db.session.scalars(statement.order_by(at_column.desc(), id_column.desc()).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(getattr(last, at_column.key), getattr(last, id_column.key))
    return rows, next_cursor


def _dossier_item(record: QualityDossier, code: str) -> dict:
    why = []
    if record.late:
        why.append("second_supplement" if record.supplement_count >= 2 else "late")
    if code == "satisfaction" and record.unhappy:
        why.append("complaint_or_dislike")
    return {"id": record.dossier_id, "kind": "dossier", "receipt_code": record.receipt_code,
            "agency_id": record.agency_id, "commune_code": record.commune_code,
            "procedure_code": record.procedure_code, "status": record.status, "channel": record.channel,
            "due_date": record.due_date, "promised_date": record.promised_date,
            "finished_at": record.completed_at, "supplement_count": record.supplement_count,
            "handling_days": record.handling_days, "why": why or [code]}


def _late_complaints(months, scope, scope_id, cursor, limit) -> dict:
    c = Complaint
    since, until = period_bounds(months)   # closing months are Vietnam months
    statement = select(c).where(c.on_time.is_(False), c.closed_at >= since, c.closed_at < until)
    if (condition := _scope_filter(c, scope, scope_id)) is not None:
        statement = statement.where(condition)
    rows, next_cursor = _keyset(statement, c.closed_at, c.id, cursor, limit)
    items = [{"id": r.id, "kind": "complaint", "receipt_code": r.reference, "agency_id": r.agency_id,
              "commune_code": r.commune_code, "procedure_code": r.procedure_code, "status": r.status,
              "channel": None, "due_date": r.refuse_by if r.status == states.REFUSED else r.due_date,
              "promised_date": None, "finished_at": r.closed_at, "supplement_count": None,
              "handling_days": None, "why": ["complaint_late"]} for r in rows]
    return {"items": items, "next_cursor": next_cursor}


CSV_COLUMNS = ("kind", "receipt_code", "procedure_code", "commune_code", "status", "channel", "due_date",
               "promised_date", "finished_at", "supplement_count", "handling_days", "why")


def drill_down_csv(principal: Principal, code: str, **kwargs) -> str:
    """Every row of the drill-down as CSV (UTF-8 with BOM, for spreadsheet programs)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    cursor = None
    while True:
        page = drill_down(principal, code, cursor=cursor, limit=100, **kwargs)
        for item in page["items"]:
            writer.writerow([_cell(item[c]) for c in CSV_COLUMNS])
        cursor = page["next_cursor"]
        if not cursor:
            return out.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text[:1] in "=+-@" else text


# -- early warning and the IOC lists ------------------------------------------------------------------

def early_warning(principal: Principal, *, scope=None, scope_id=None, today: date | None = None) -> dict:
    """The month's on-time rate projected from dossiers in progress, and what will be late this week."""
    scope, scope_id = resolve_scope(principal, scope, scope_id)
    today = today or local_today()
    month = f"{today:%Y-%m}"
    totals = sums([month], scope_key(scope, scope_id))
    handled, late = totals.get("handled", 0), totals.get("late", 0)
    d = QualityDossier
    month_end = date(today.year + (today.month == 12), today.month % 12 + 1, 1) - timedelta(days=1)
    base = select(func.count()).select_from(d).where(d.is_open, d.due_date.is_not(None),
                                                      d.due_date <= month_end)
    if (condition := _scope_filter(d, scope, scope_id)) is not None:
        base = base.where(condition)
    due_open = db.session.scalar(base) or 0
    already_late = db.session.scalar(base.where(or_(d.due_date < today, d.supplement_count >= 2))) or 0
    projected_total = handled + due_open
    projected = round(100 * (projected_total - late - already_late) / projected_total, 2) if projected_total else None
    week_end = today + timedelta(days=6 - today.weekday())
    return {"month": month, "handled": handled, "late": late, "open_due_this_month": due_open,
            "open_already_late": already_late, "on_time_rate_so_far":
                round(100 * (handled - late) / handled, 2) if handled else None,
            "projected_on_time_rate": projected, "week_ends": week_end}


def soon_late(principal: Principal, *, scope=None, scope_id=None, cursor=None, limit=20,
              today: date | None = None) -> dict:
    """Dossiers in progress due from today to the end of this week: late if nothing moves."""
    scope, scope_id = resolve_scope(principal, scope, scope_id)
    today = today or local_today()
    week_end = today + timedelta(days=6 - today.weekday())
    d = QualityDossier
    statement = select(d).where(d.is_open, d.due_date >= today, d.due_date <= week_end)
    if (condition := _scope_filter(d, scope, scope_id)) is not None:
        statement = statement.where(condition)
    rows, next_cursor = _keyset(statement, d.state_since, d.dossier_id, cursor, limit)
    return {"items": [_open_item(r) for r in rows], "next_cursor": next_cursor}


def stalled(principal: Principal, *, scope=None, scope_id=None, cursor=None, limit=20) -> dict:
    """Dossiers the stall detector flagged, with where and for how long (working hours)."""
    scope, scope_id = resolve_scope(principal, scope, scope_id)
    d = QualityDossier
    # spelled as the partial indexes' predicates (`is_open`, a literal 0), or PostgreSQL cannot use them
    statement = select(d).where(d.is_open, d.stall_level > literal_column("0"))
    if (condition := _scope_filter(d, scope, scope_id)) is not None:
        statement = statement.where(condition)
    rows, next_cursor = _keyset(statement, d.state_since, d.dossier_id, cursor, limit)
    return {"items": [_open_item(r) for r in rows], "next_cursor": next_cursor}


def _open_item(record: QualityDossier) -> dict:
    return {"id": record.dossier_id, "receipt_code": record.receipt_code, "agency_id": record.agency_id,
            "commune_code": record.commune_code, "procedure_code": record.procedure_code,
            "status": record.status, "since": record.state_since,
            "working_hours": round(working_hours_between(record.state_since, utcnow()), 1),
            "stall_level": record.stall_level, "due_date": record.due_date,
            "promised_date": record.promised_date, "assignee_id": record.assignee_id}


def ratings_summary(principal: Principal, *, start: str, end: str, scope=None, scope_id=None) -> dict:
    """Counts only: how many rated, by verdict and reason, the average score. Never who."""
    scope, scope_id = resolve_scope(principal, scope, scope_id)
    totals = sums(months_between(start, end), scope_key(scope, scope_id))
    count = totals.get("ratings", 0)
    return {"ratings": count,
            "verdicts": {v: totals.get(f"rating.{v}", 0) for v in ("satisfied", "neutral", "dissatisfied")},
            "average_score": round(totals["score_sum"] / totals["score_count"], 2)
            if totals.get("score_count") else None,
            "reasons": {m.split(".", 1)[1]: n for m, n in sorted(totals.items()) if m.startswith("rating_reason.")}}


def complaints_summary(principal: Principal, *, start: str, end: str, scope=None, scope_id=None) -> dict:
    scope, scope_id = resolve_scope(principal, scope, scope_id)
    totals = sums(months_between(start, end), scope_key(scope, scope_id))
    c = Complaint
    open_query = select(func.count()).select_from(c).where(c.status.in_(tuple(states.OPEN)))
    if (condition := _scope_filter(c, scope, scope_id)) is not None:
        open_query = open_query.where(condition)
    return {"closed": totals.get("complaints_closed", 0), "on_time": totals.get("complaints_on_time", 0),
            "open": db.session.scalar(open_query) or 0,
            "overdue": db.session.scalar(open_query.where(c.due_date < local_today(),
                                                          c.status != states.INFO_REQUESTED)) or 0}


def current_month() -> str:
    return f"{local_today():%Y-%m}"

