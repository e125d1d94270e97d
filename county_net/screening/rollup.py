"""Roll-ups of the screening sheets (矛盾纠纷排查调处情况报表): per township (its own sheet and its villages' and
enterprises'), per bureau system (the bureau and its enterprises), and county-wide; who was expected to file and
who is missing; the list of disputes behind every figure. Read-only. Every statement selects ORM entities so
the tenancy criteria narrow it to what the viewer may see; nothing here filters by tenant by hand."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func, or_, select

from county_net.deadlines.periods import (HALF_MONTH, MONTH, QUARTER, Period, parse_period, period_of,
                                          periods_within, previous_period)
from county_net.core.jsonrows import json_select
from county_net.extensions import db
from county_net.screening.models import (FILED_STATES, MEDIATED_STATUSES, SCALE_BANDS, Dispute, ScreeningExemption,
                                         ScreeningReport)
from county_net.screening.settings import screening_settings
from county_net.tenancy.context import active_scope
from county_net.core.timeutil import local_today
from county_net.screening import services
from county_net.units.directory import UnitInfo, county_directory, unit_info

YEAR = "year"
MEASURES = {"screened": "排查", "mediated": "调处", "resolved": "成功"}
SPANS = {"period": "小计", "ytd": "年度累计"}
GROUP_KINDS = ("township", "bureau")  # the rows of a county-wide roll-up, in this order


# ---- periods -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RollupPeriod:
    """The span a roll-up covers: one of deadlines/periods.py's periods, or a calendar year."""

    start: date
    end: date
    kind: str
    code: str
    label: str

    @property
    def year_start(self) -> date:
        return date(self.start.year, 1, 1)


def _wrap(period: Period) -> RollupPeriod:
    return RollupPeriod(period.start, period.end, period.kind, period.code, period.label)


def parse_rollup_period(code: str | None) -> RollupPeriod | None:
    """'2026-11', '2026-11-1', '2026-Q4' (deadlines/periods.py) or '2026' (the year); None when malformed."""
    code = (code or "").strip()
    if len(code) == 4 and code.isdigit() and 2000 <= int(code) <= 2100:
        year = int(code)
        return RollupPeriod(date(year, 1, 1), date(year, 12, 31), YEAR, code, f"{year}年")
    period = parse_period(code)
    return _wrap(period) if period else None


def current_rollup_period(today: date) -> RollupPeriod:
    """The month whose sheets are due now (the roll-up page opens on it)."""
    return _wrap(period_of(MONTH, today))


def previous_rollup_period(period: RollupPeriod) -> RollupPeriod:
    """The period before (month-on-month; a quarter's previous quarter; a year's previous year)."""
    if period.kind == YEAR:
        return parse_rollup_period(str(period.start.year - 1))
    return _wrap(previous_period(Period(period.start, period.end, period.kind)))


def previous_label(period: RollupPeriod) -> str:
    return {YEAR: "上年", QUARTER: "上季度", MONTH: "上月", HALF_MONTH: "上半月"}[period.kind]


def _sheets_within(period: RollupPeriod):
    """A sheet belongs to the roll-up of every span that holds its whole period (a month holds both halves)."""
    return and_(ScreeningReport.period_start >= period.start, ScreeningReport.period_end <= period.end)


# ---- who is expected to file ---------------------------------------------------------------------------

@dataclass
class Expected:
    unit: UnitInfo
    slots: list  # the unit's own periods inside the span (a half-monthly village: both halves of a month)


def _standing_select(county_unit_id: int, period):
    return (select(ScreeningExemption.unit_id, ScreeningExemption.starts_on, ScreeningExemption.ends_on,
                   ScreeningExemption.reason)
            .where(ScreeningExemption.county_unit_id == county_unit_id, ScreeningExemption.revoked_at.is_(None),
                   ScreeningExemption.starts_on <= period.end,
                   or_(ScreeningExemption.ends_on.is_(None), ScreeningExemption.ends_on >= period.start)))


def standing_exemptions(county_unit_id: int, period) -> list:
    """The exemptions (not revoked) overlapping `period`: unit, start, end and reason."""
    return db.session.execute(_standing_select(county_unit_id, period)).all()


def expected_units(county_unit_id: int, period, standing: list | None = None) -> list[Expected]:
    """The units expected to file within `period` (a Period or a RollupPeriod), each with its periods: active
    units of a kind that has a cadence in the county's settings, of the viewer's scope, minus the periods a
    standing exemption (not revoked) overlaps. A cadence longer than the span (a quarterly unit in a month)
    expects nothing in it. `standing`: `standing_exemptions` of the period, read already."""
    settings, _ = screening_settings(county_unit_id)
    scope = active_scope()
    units = [u for u in county_directory(county_unit_id)
             if u.is_active and settings.cadence(u.kind) and (scope is None or scope.may_see(u.id))]
    if not units:
        return []
    exemptions = defaultdict(list)
    for row in standing if standing is not None else standing_exemptions(county_unit_id, period):
        exemptions[row.unit_id].append((row.starts_on, row.ends_on))
    out = []
    for unit in units:
        slots = [p for p in periods_within(settings.cadence(unit.kind), period.start, period.end)
                 if p.end <= period.end]
        slots = [p for p in slots
                 if not any(s <= p.end and (e is None or e >= p.start) for s, e in exemptions.get(unit.id, ()))]
        if slots:
            out.append(Expected(unit, slots))
    return out


# ---- figures -------------------------------------------------------------------------------------------

def rate(numerator: int | None, denominator: int | None) -> Decimal | None:
    """调处率 / 成功率: four places, half up; None on a zero (or unknown) denominator."""
    if not denominator or numerator is None:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def format_rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{(value * 100).quantize(Decimal('0.01'))}%"


@dataclass
class Figures:
    """Counts of one row for one span. `by_type[type] = {screened, mediated, resolved}`."""

    by_type: dict = field(default_factory=dict)
    bands: dict = field(default_factory=lambda: {b: {"cases": 0, "resolved": 0} for b in SCALE_BANDS})
    major: dict = field(default_factory=lambda: {m: 0 for m in MEASURES})
    total: dict = field(default_factory=lambda: {m: 0 for m in MEASURES})

    def add(self, dispute_type: str, status: str, band: str, is_major: bool, n: int) -> None:
        # Called once per group of lines (thousands per county table): plain dict arithmetic, nothing built.
        cell = self.by_type.get(dispute_type)
        if cell is None:
            cell = self.by_type[dispute_type] = {"screened": 0, "mediated": 0, "resolved": 0}
        total, major, bands = self.total, self.major, self.bands[band]
        cell["screened"] += n
        total["screened"] += n
        bands["cases"] += n
        if is_major:
            major["screened"] += n
        if status in MEDIATED_STATUSES:
            cell["mediated"] += n
            total["mediated"] += n
            if is_major:
                major["mediated"] += n
            if status == "resolved":
                cell["resolved"] += n
                total["resolved"] += n
                bands["resolved"] += n
                if is_major:
                    major["resolved"] += n

    def add_total(self, status: str, n: int) -> None:
        """Totals only (the previous period beside the table)."""
        self.total["screened"] += n
        if status in MEDIATED_STATUSES:
            self.total["mediated"] += n
            if status == "resolved":
                self.total["resolved"] += n

    def merge(self, other: Figures) -> None:
        for t, cell in other.by_type.items():
            mine = self.by_type.setdefault(t, {m: 0 for m in MEASURES})
            for m, n in cell.items():
                mine[m] += n
        for b, cell in other.bands.items():
            for k, n in cell.items():
                self.bands[b][k] += n
        for m in MEASURES:
            self.major[m] += other.major[m]
            self.total[m] += other.total[m]

    @property
    def mediated_rate(self) -> Decimal | None:
        return rate(self.total["mediated"], self.total["screened"])

    @property
    def resolved_rate(self) -> Decimal | None:
        return rate(self.total["resolved"], self.total["screened"])

    @property
    def major_rate(self) -> Decimal | None:
        return rate(self.major["resolved"], self.major["screened"])

    def cell(self, dispute_type: str, measure: str) -> int:
        return self.by_type.get(dispute_type, {}).get(measure, 0)


@dataclass
class Row:
    """One line of the table: a unit's own sheet (`own`) or a unit with everything under it."""

    unit: UnitInfo
    own: bool
    label: str
    members: set  # the unit ids whose sheets the row adds up
    period: Figures = field(default_factory=Figures)
    ytd: Figures = field(default_factory=Figures)
    previous: Figures = field(default_factory=Figures)
    expected: int = 0  # units expected to file in the span
    filed: int = 0  # of them, every expected period filed
    on_time: int = 0  # of them, none late
    sheets: int = 0  # counted sheets in the span (nil ones included)
    nil_sheets: int = 0
    previous_sheets: int = 0
    missing: list = field(default_factory=list)  # [(UnitInfo, [period labels])]
    pending: int = 0  # units whose sheets of the span are not due yet and not filed: neither expected nor missing

    @property
    def on_time_share(self) -> Decimal | None:
        return rate(self.on_time, self.expected)

    @property
    def is_missing(self) -> bool:
        """Nothing filed and someone expected: the row shows 缺报, never zeros."""
        return self.sheets == 0 and bool(self.missing)

    @property
    def previous_missing(self) -> bool:
        return self.previous_sheets == 0 and self.expected > 0

    def link(self, **criteria) -> dict:
        """The query of the dispute list behind one of this row's figures."""
        return {"unit": self.unit.id, **({"own": 1} if self.own else {}), **criteria}


@dataclass
class Rollup:
    top: UnitInfo
    period: RollupPeriod
    previous_period: RollupPeriod
    types: list
    rows: list
    total: Row

    @property
    def missing(self) -> list:
        return self.total.missing


def _kind_order(unit: UnitInfo) -> tuple:
    return (GROUP_KINDS.index(unit.kind) if unit.kind in GROUP_KINDS else len(GROUP_KINDS), unit.path)


def _subtree(directory: list[UnitInfo], unit: UnitInfo) -> set[int]:
    return {u.id for u in directory if u.path.startswith(unit.path)}


_GROUPS = (ScreeningReport.unit_id, Dispute.dispute_type, Dispute.status, Dispute.scale_band, Dispute.is_major)


def _line_counts(county_unit_id: int, period: RollupPeriod):
    """(unit, type, status, band, major, lines) over the counted sheets of the span."""
    return (select(*_GROUPS, func.count(Dispute.id).label("n"))
            .join(ScreeningReport, Dispute.report_id == ScreeningReport.id)
            .where(ScreeningReport.county_unit_id == county_unit_id, ScreeningReport.counted.is_(True),
                   _sheets_within(period))
            .group_by(*_GROUPS))


def _status_counts(county_unit_id: int, period: RollupPeriod):
    """(unit, status, lines) over the counted sheets of the span: the previous period's totals."""
    return (select(ScreeningReport.unit_id, Dispute.status, func.count(Dispute.id).label("n"))
            .join(ScreeningReport, Dispute.report_id == ScreeningReport.id)
            .where(ScreeningReport.county_unit_id == county_unit_id, ScreeningReport.counted.is_(True),
                   _sheets_within(period))
            .group_by(ScreeningReport.unit_id, Dispute.status))


def _year_to_date(period: RollupPeriod):
    """The lines 年度累计 counts as of the span's end: on the year's counted sheets up to the span's end, and not
    yet carried into a later counted sheet by then (`superseded_on`), i.e. each dispute at its latest status."""
    return and_(ScreeningReport.counted.is_(True), ScreeningReport.period_start >= period.year_start,
                ScreeningReport.period_end <= period.end,
                or_(Dispute.superseded_on.is_(None), Dispute.superseded_on > period.end))


def _ytd_counts(county_unit_id: int, period: RollupPeriod):
    return (select(*_GROUPS, func.count(Dispute.id).label("n"))
            .join(ScreeningReport, Dispute.report_id == ScreeningReport.id)
            .where(ScreeningReport.county_unit_id == county_unit_id, _year_to_date(period))
            .group_by(*_GROUPS))


def _sheets(county_unit_id: int, period: RollupPeriod):
    return (select(ScreeningReport.unit_id, ScreeningReport.period_start, ScreeningReport.state,
                   ScreeningReport.late, ScreeningReport.is_nil)
            .where(ScreeningReport.county_unit_id == county_unit_id, ScreeningReport.counted.is_(True),
                   _sheets_within(period)))


def _read_figures(county_unit_id: int, period: RollupPeriod, previous: RollupPeriod) -> dict[str, list]:
    """The roll-up's grouped reads and the period's standing exemptions, each a JSON array of one statement
    (issue 14: a list page in at most 4 statements)."""
    parts = {"previous": _status_counts(county_unit_id, previous), "period": _line_counts(county_unit_id, period),
             "ytd": _ytd_counts(county_unit_id, period), "sheets": _sheets(county_unit_id, period),
             "previous_sheets": _sheets(county_unit_id, previous),
             "standing": _standing_select(county_unit_id, period)}
    made = {name: json_select(stmt) for name, stmt in parts.items()}
    row = db.session.execute(select(*(sub.label(name) for name, (sub, _) in made.items()))).one()
    return {name: [SimpleNamespace(**r) for r in decode(value)]
            for (name, (_, decode)), value in zip(made.items(), row)}


def _row_of(rows: list[Row]) -> dict[int, Row]:
    """unit id -> the row whose figures it adds to (a unit is in exactly one row)."""
    out = {}
    for row in rows:
        for unit_id in row.members:
            out[unit_id] = row
    return out


def build_rollup(county_unit_id: int, top_unit_id: int, period: RollupPeriod) -> Rollup:
    """The table for the viewer's unit `top_unit_id` (or a unit under it): the county center gets a row per
    township and per bureau system; any other unit a row for its own sheet and one per unit under it."""
    settings, _ = screening_settings(county_unit_id)
    directory = [u for u in county_directory(county_unit_id) if u.is_active or u.id == top_unit_id]
    top = unit_info(top_unit_id)
    scope = active_scope()
    visible = {u.id for u in directory if scope is None or scope.may_see(u.id)}
    rows = []
    if settings.cadence(top.kind):
        rows.append(Row(top, True, f"{top.short_name}（本级）", {top.id}))
    children = sorted((u for u in directory if u.parent_id == top.id and u.id in visible), key=_kind_order)
    for child in children:
        rows.append(Row(child, False, child.short_name, _subtree(directory, child) & visible))
    total = Row(top, False, "合计", _subtree(directory, top) & visible)
    by_unit = _row_of(rows)

    previous = previous_rollup_period(period)
    read = _read_figures(county_unit_id, period, previous)
    for unit_id, status, n in ((r.unit_id, r.status, r.n) for r in read["previous"]):
        if unit_id in total.members:
            total.previous.add_total(status, n)
            if unit_id in by_unit:
                by_unit[unit_id].previous.add_total(status, n)
    for attr in ("period", "ytd"):
        source = ((r.unit_id, r.dispute_type, r.status, r.scale_band, r.is_major, r.n) for r in read[attr])
        # Each group of lines is added to its row once; the total is the rows' sum (plus any unit in no row).
        rest = Figures()
        row_adds = {unit_id: getattr(row, attr).add for unit_id, row in by_unit.items()}
        for unit_id, dispute_type, status, band, is_major, n in source:
            add = row_adds.get(unit_id)
            if add is not None:
                add(dispute_type, status, band, is_major, n)
            elif unit_id in total.members:
                rest.add(dispute_type, status, band, is_major, n)
        summed = getattr(total, attr)
        for row in rows:
            summed.merge(getattr(row, attr))
        summed.merge(rest)

    filed = {}  # (unit id, period start) -> late
    for unit_id, start, state, late, is_nil in ((r.unit_id, r.period_start, r.state, r.late, r.is_nil)
                                                 for r in read["sheets"]):
        if unit_id not in total.members:
            continue
        for row in (by_unit.get(unit_id), total):
            if row is not None:
                row.sheets += 1
                row.nil_sheets += bool(is_nil)
        if state in FILED_STATES:
            filed[(unit_id, start)] = bool(late)
    for unit_id in (r.unit_id for r in read["previous_sheets"]):
        for row in (by_unit.get(unit_id), total):
            if row is not None and unit_id in total.members:
                row.previous_sheets += 1

    today = local_today()
    dues: dict = {}  # a period's due day depends on the county, not the unit (county_net/deadlines)
    for expected in expected_units(county_unit_id, period, read["standing"]):
        unit = expected.unit
        if unit.id not in total.members:
            continue
        # A sheet counts as expected once it is filed or its due day has passed: before the 20th nobody is
        # 缺报 for this month.
        due = [p for p in expected.slots if (unit.id, p.start) in filed
               or today > dues.setdefault(p, services.due_on(unit.id, p))]
        if not due:
            for row in (by_unit.get(unit.id), total):
                if row is not None:
                    row.pending += 1
            continue
        absent = [p for p in due if (unit.id, p.start) not in filed]
        late = any(filed.get((unit.id, p.start)) for p in due)
        for row in (by_unit.get(unit.id), total):
            if row is None:
                continue
            row.expected += 1
            if absent:
                row.missing.append((unit, [p.label for p in absent]))
            else:
                row.filed += 1
                row.on_time += not late

    types = list(settings["dispute_types"])
    for extra in sorted({t for t in total.period.by_type} | {t for t in total.ytd.by_type}
                        | {t for t in total.previous.by_type}):
        if extra not in types:
            types.append(extra)  # a type the county has since dropped still shows
    return Rollup(top, period, previous, types, rows, total)


# ---- the disputes behind a figure ----------------------------------------------------------------------

def dispute_query(filters: dict):
    """The Dispute rows behind one figure, scoped like every statement. `filters`: county (county unit id),
    unit (a unit id: its subtree; with own=True its own sheets only), period (a RollupPeriod), span
    ("period" | "ytd"), measure ("screened" | "mediated" | "resolved"), type, band, major (bool).
    Its row count is the figure (tests/screening/test_rollup.py holds the two together)."""
    period = filters["period"]
    county = filters["county"]
    unit = unit_info(filters["unit"])
    if filters.get("own"):
        owners = ScreeningReport.unit_id == unit.id
    else:
        scope = active_scope()
        members = [u.id for u in county_directory(county)
                   if u.path.startswith(unit.path) and (scope is None or scope.may_see(u.id))]
        owners = ScreeningReport.unit_id.in_(members)
    if filters.get("span") == "ytd":
        stmt = (select(Dispute).join(ScreeningReport, Dispute.report_id == ScreeningReport.id)
                .where(ScreeningReport.county_unit_id == county, _year_to_date(period), owners))
    else:
        stmt = (select(Dispute).join(ScreeningReport, Dispute.report_id == ScreeningReport.id)
                .where(ScreeningReport.county_unit_id == county, ScreeningReport.counted.is_(True),
                       _sheets_within(period), owners))
    measure = filters.get("measure") or "screened"
    if measure == "mediated":
        stmt = stmt.where(Dispute.status.in_(sorted(MEDIATED_STATUSES)))
    elif measure == "resolved":
        stmt = stmt.where(Dispute.status == "resolved")
    if filters.get("type"):
        stmt = stmt.where(Dispute.dispute_type == filters["type"])
    if filters.get("band"):
        stmt = stmt.where(Dispute.scale_band == filters["band"])
    if filters.get("major") is not None:
        stmt = stmt.where(Dispute.is_major.is_(bool(filters["major"])))
    return stmt.order_by(ScreeningReport.period_start.desc(), ScreeningReport.unit_id, Dispute.seq, Dispute.id)


def dispute_count(filters: dict) -> int:
    stmt = dispute_query(filters).order_by(None)
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


# ---- a unit's history (item 9) -------------------------------------------------------------------------

def unit_history(unit: UnitInfo | object, count: int):
    """A unit's sheets, newest period first, every revision (the counted one marked), with line counts:
    [(report, lines, mediated, resolved)] over at most `count` periods."""
    periods = db.session.execute(
        select(ScreeningReport.period_start).where(ScreeningReport.unit_id == unit.id)
        .group_by(ScreeningReport.period_start).order_by(ScreeningReport.period_start.desc()).limit(count)).all()
    if not periods:
        return []
    oldest = periods[-1][0]
    reports = db.session.scalars(
        select(ScreeningReport).where(ScreeningReport.unit_id == unit.id, ScreeningReport.period_start >= oldest)
        .order_by(ScreeningReport.period_start.desc(), ScreeningReport.revision.desc())).all()
    counts = _report_counts([r.id for r in reports])
    return [(r, *counts.get(r.id, (0, 0, 0))) for r in reports]


def _report_counts(report_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    if not report_ids:
        return {}
    rows = db.session.execute(
        select(Dispute.report_id, Dispute.status, func.count(Dispute.id))
        .where(Dispute.report_id.in_(report_ids)).group_by(Dispute.report_id, Dispute.status)).all()
    out = defaultdict(lambda: [0, 0, 0])
    for report_id, status, n in rows:
        out[report_id][0] += n
        out[report_id][1] += n if status in MEDIATED_STATUSES else 0
        out[report_id][2] += n if status == "resolved" else 0
    return {k: tuple(v) for k, v in out.items()}


def sheets_for(unit_id: int, period: RollupPeriod) -> list[ScreeningReport]:
    """The sheets a unit's span is read from, one per own period inside it (a half-monthly village has two
    in a month): the counted revision, else the newest one."""
    reports = db.session.scalars(
        select(ScreeningReport).where(ScreeningReport.unit_id == unit_id, _sheets_within(period))
        .order_by(ScreeningReport.period_start, ScreeningReport.counted.desc(),
                  ScreeningReport.revision.desc())).all()
    out = {}
    for report in reports:
        out.setdefault(report.period_start, report)
    return list(out.values())


def compare(unit_id: int, a: RollupPeriod, b: RollupPeriod) -> dict:
    """Two spans of a unit side by side: its sheets in each, their lines, and the figures of each."""
    out = {}
    for key, period in (("a", a), ("b", b)):
        reports = sheets_for(unit_id, period)
        lines = [line for report in reports for line in report.disputes]
        figures = Figures()
        for line in lines:
            figures.add(line.dispute_type, line.status, line.scale_band, line.is_major, 1)
        out[key] = {"period": period, "reports": reports, "lines": lines, "figures": figures}
    a_keys = {line.origin_key for line in out["a"]["lines"]}
    b_keys = {line.origin_key for line in out["b"]["lines"]}
    out["both"] = a_keys & b_keys  # the same dispute in both spans
    return out


# ---- plain values for the API ----------------------------------------------------------------------------

def _rate_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def figures_dict(figures: Figures, types: list, missing: bool = False) -> dict:
    """Counts and rates; a missing row's counts are null (缺报), never zeros."""
    zero = None if missing else 0
    empty = {"screened": zero, "mediated": zero, "resolved": zero}
    by_type = []
    for t in types:
        cell = figures.by_type.get(t)
        by_type.append({"type": t, **(empty if cell is None or missing else cell)})
    if missing:
        return {"total": dict(empty), "by_type": by_type,
                "bands": [{"band": b, "label": SCALE_BANDS[b], "cases": None, "resolved": None} for b in SCALE_BANDS],
                "major": {**empty, "resolved_rate": None}, "mediated_rate": None, "resolved_rate": None}
    return {
        "total": dict(figures.total),
        "by_type": by_type,
        "bands": [{"band": b, "label": SCALE_BANDS[b], **c} for b, c in figures.bands.items()],
        "major": {**figures.major, "resolved_rate": _rate_text(figures.major_rate)},
        "mediated_rate": _rate_text(figures.mediated_rate),
        "resolved_rate": _rate_text(figures.resolved_rate),
    }


def row_dict(row: Row, types: list) -> dict:
    return {
        "unit_id": row.unit.id, "unit_name": row.unit.name, "unit_kind": row.unit.kind, "label": row.label,
        "own": row.own, "missing": row.is_missing,
        "missing_units": [{"unit_id": u.id, "name": u.name, "periods": periods} for u, periods in row.missing],
        "expected": row.expected, "filed": row.filed, "on_time": row.on_time, "pending": row.pending,
        "on_time_share": _rate_text(row.on_time_share), "sheets": row.sheets, "nil_sheets": row.nil_sheets,
        "period": figures_dict(row.period, types, row.is_missing),
        "ytd": figures_dict(row.ytd, types),
        "previous": {"total": {m: None if row.previous_missing else v for m, v in row.previous.total.items()},
                     "mediated_rate": _rate_text(row.previous.mediated_rate),
                     "resolved_rate": _rate_text(row.previous.resolved_rate)},
    }


def rollup_dict(rollup: Rollup) -> dict:
    return {
        "unit_id": rollup.top.id, "unit_name": rollup.top.name,
        "period": {"code": rollup.period.code, "label": rollup.period.label, "kind": rollup.period.kind,
                   "start": rollup.period.start, "end": rollup.period.end},
        "previous_period": {"code": rollup.previous_period.code, "label": rollup.previous_period.label,
                            "kind": rollup.previous_period.kind, "start": rollup.previous_period.start,
                            "end": rollup.previous_period.end},
        "types": rollup.types,
        "rows": [row_dict(row, rollup.types) for row in rollup.rows],
        "total": row_dict(rollup.total, rollup.types),
    }
