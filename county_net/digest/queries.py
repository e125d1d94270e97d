"""摘报 figures, read-only. Everything runs through the caller's scope (a township sees its subtree's figures);
the weekly issue is computed for the county center and stored as published (services.publish_weekly).

What is counted (domain-practice §1.1), said on the page too:
- 件: one per registration of any channel (来信、来访、来电、网上), counted by 收件时间 (received_at) in Asia/Shanghai.
- 批次 / 人次: visits only; each visit registration is 1 批次 and adds its 人数 (head_count) to 人次.
- 集体访: a visit registered as collective (人数 at or over the county's threshold); a 联名信 is not a visit.
- 属地: the matter's 问题属地 (locality_unit_id); none given is its own row.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select

from county_net.core.models import utcnow
from county_net.core.timeutil import COUNTY_TZ, format_local, local_today, to_local
from county_net.digest import hooks
from county_net.digest.models import DigestIssue
from county_net.extensions import db
from county_net.petitions.models import CHANNELS, Petition
from county_net.petitions.queries import category_names
from county_net.petitions.settings import county_settings
from county_net.petitions.workflow import OPEN_STATES
from county_net.units.directory import unit_info

RISING_TOP = 5
LIST_LIMIT = 50  # matters listed per section; the counts cover them all
HOTSPOT_TOP = 10
MAX_DAYS = 366
NO_LOCALITY = "未填属地"
SKIP_LEVEL_RULE = ("县信访局登记的来访，问题属地为乡镇，且此前该乡镇（含其下属单位）未登记过同一重复信访线索的事项。"
                   "系统暂无“越级”登记项，此为推定口径。")
FLAG_NOTE = "联合接访大厅尚未启用：大厅标注“摘报”的事项将列于此处。"
CONFIDENTIAL_SUMMARY = "（检举控告事项，内容不予摘录）"


@dataclass(frozen=True)
class Period:
    """Days in Asia/Shanghai, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def bounds(self) -> tuple[datetime, datetime]:
        """[first instant, first instant after) in UTC-comparable aware datetimes."""
        return (datetime.combine(self.start, time.min, tzinfo=COUNTY_TZ),
                datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=COUNTY_TZ))

    @property
    def is_week(self) -> bool:
        return self.days == 7 and self.start.isoweekday() == 1

    @property
    def label(self) -> str:
        if self.is_week:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.isoformat()}~{self.end.isoformat()}"

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days, "label": self.label}


def last_full_week(today: date | None = None) -> Period:
    """Monday to Sunday before the current week, in Asia/Shanghai."""
    today = today or local_today()
    monday = today - timedelta(days=today.isoweekday() - 1)
    return Period(monday - timedelta(days=7), monday - timedelta(days=1))


def week_of(label: str) -> Period | None:
    """'2026-W48' -> that ISO week, or None when the label is not one."""
    try:
        year, week = label.split("-W")
        start = date.fromisocalendar(int(year), int(week), 1)
    except (ValueError, TypeError):
        return None
    return Period(start, start + timedelta(days=6))


def _change(current: int, previous: int) -> dict:
    # A rise from nothing has no percentage (shown blank, never ∞): domain-practice §1.6.
    pct = round((current - previous) * 100 / previous, 1) if previous else None
    return {"current": current, "previous": previous, "change": current - previous, "pct": pct}


def _self_ids(unit_id: int) -> list[int]:
    info = unit_info(unit_id)
    return sorted(info.ancestor_ids) if info else [unit_id]


def _base(county_id: int, viewer_id: int):
    """The county's matters the viewer may count. Under a request the tenant criteria already say this; the
    weekly issue runs in system scope, so the county and the 检举控告 rule (never count a matter accusing the
    viewer or an ancestor) are stated for it here, identically."""
    return (Petition.county_unit_id == county_id,
            or_(Petition.accused_unit_id.is_(None), Petition.accused_unit_id.not_in(_self_ids(viewer_id))))


def _in(period: Period):
    lo, hi = period.bounds()
    return (Petition.received_at >= lo, Petition.received_at < hi)


def _grouped(county_id: int, viewer_id: int, period: Period) -> list:
    return db.session.execute(
        select(Petition.category_id, Petition.locality_unit_id, Petition.channel, Petition.is_collective,
               func.count(Petition.id), func.coalesce(func.sum(Petition.head_count), 0))
        .where(*_base(county_id, viewer_id), *_in(period))
        .group_by(Petition.category_id, Petition.locality_unit_id, Petition.channel, Petition.is_collective)).all()


def _unit_name(unit_id: int | None) -> str:
    if unit_id is None:
        return NO_LOCALITY
    info = unit_info(unit_id)
    return info.name if info else f"单位 {unit_id}"


def _breakdown(current: list, previous: list, index: int, name_of) -> list[dict]:
    counts: dict = {}
    for rows, slot in ((current, 0), (previous, 1)):
        for row in rows:
            counts.setdefault(row[index], [0, 0])[slot] += row[4]
    out = [{"key": key, "name": name_of(key), **_change(*pair)} for key, pair in counts.items()]
    return sorted(out, key=lambda r: (-r["current"], -r["previous"], r["name"]))


def _totals(current: list, previous: list) -> dict:
    def total(rows, pick=lambda r: True, column=4):
        return sum(r[column] for r in rows if pick(r))

    visit = lambda r: r[2] == "visit"  # noqa: E731
    return {
        "items": _change(total(current), total(previous)),
        "visit_batches": _change(total(current, visit), total(previous, visit)),
        "visit_people": _change(total(current, visit, 5), total(previous, visit, 5)),
        "by_channel": [{"key": code, "name": name, **_change(total(current, lambda r, c=code: r[2] == c),
                                                             total(previous, lambda r, c=code: r[2] == c))}
                       for code, name in CHANNELS.items()],
    }


def _rising(by_category: list[dict], by_locality: list[dict], minimum: int) -> list[dict]:
    rows = [{"dimension": "category", "dimension_label": "类别", **r} for r in by_category]
    rows += [{"dimension": "locality", "dimension_label": "属地", **r} for r in by_locality if r["key"] is not None]
    rising = [r for r in rows if r["current"] >= minimum and r["change"] > 0]
    return sorted(rising, key=lambda r: (-r["change"], -r["current"], r["name"]))[:RISING_TOP]


def _matter(p, categories: dict) -> dict:
    return {"id": p.id, "number": p.number, "received_at": format_local(p.received_at),
            "channel": CHANNELS.get(p.channel, p.channel), "head_count": p.head_count,
            "category": categories.get(p.category_id, ""), "locality": _unit_name(p.locality_unit_id),
            "summary": CONFIDENTIAL_SUMMARY if p.nature == "accusation" else p.summary[:60]}


_MATTER_COLUMNS = (Petition.id, Petition.number, Petition.received_at, Petition.channel, Petition.head_count,
                   Petition.category_id, Petition.locality_unit_id, Petition.nature, Petition.summary)


def _collective(county_id: int, viewer_id: int, period: Period, current: list, previous: list,
                categories: dict) -> dict:
    rows = db.session.execute(select(*_MATTER_COLUMNS).where(*_base(county_id, viewer_id), *_in(period),
                                                             Petition.channel == "visit",
                                                             Petition.is_collective.is_(True))
                              .order_by(Petition.received_at, Petition.id).limit(LIST_LIMIT)).all()

    def total(rows_, column):
        return sum(r[column] for r in rows_ if r[3] and r[2] == "visit")

    return {"batches": _change(total(current, 4), total(previous, 4)),
            "people": _change(total(current, 5), total(previous, 5)),
            "matters": [_matter(r, categories) for r in rows]}


def _skip_level(county_id: int, viewer_id: int, period: Period, categories: dict) -> dict:
    townships = [u.id for u in _county_units(county_id) if u.kind == "township"]
    if not townships:
        return {"batches": 0, "people": 0, "matters": [], "rule": SKIP_LEVEL_RULE}
    candidates = db.session.execute(
        select(*_MATTER_COLUMNS, Petition.thread_id).where(
            *_base(county_id, viewer_id), *_in(period), Petition.channel == "visit", Petition.unit_id == county_id,
            Petition.locality_unit_id.in_(townships))
        .order_by(Petition.received_at, Petition.id)).all()
    threads = {c.thread_id for c in candidates if c.thread_id is not None}
    members: dict[int, list] = {}
    if threads:
        for row in db.session.execute(select(Petition.id, Petition.thread_id, Petition.unit_id, Petition.received_at)
                                      .where(or_(Petition.thread_id.in_(threads), Petition.id.in_(threads)))):
            members.setdefault(row.thread_id or row.id, []).append(row)

    def went_through_township(c) -> bool:
        township = unit_info(c.locality_unit_id)
        for m in members.get(c.thread_id, ()) if c.thread_id is not None else ():
            registrar = unit_info(m.unit_id)
            if m.received_at < c.received_at and registrar and registrar.path.startswith(township.path):
                return True
        return False

    skipped = [c for c in candidates if not went_through_township(c)]
    return {"batches": len(skipped), "people": sum(c.head_count for c in skipped),
            "matters": [_matter(c, categories) for c in skipped[:LIST_LIMIT]], "rule": SKIP_LEVEL_RULE}


def _county_units(county_id: int):
    from county_net.units.directory import county_directory

    return county_directory(county_id)


def _repeat_hotspots(county_id: int, viewer_id: int, period: Period, categories: dict) -> list[dict]:
    thread = func.coalesce(Petition.thread_id, Petition.id)
    hot = db.session.execute(
        select(Petition.thread_id, func.count(Petition.id), func.coalesce(func.sum(Petition.head_count), 0),
               func.max(Petition.received_at))
        .where(*_base(county_id, viewer_id), *_in(period), Petition.is_repeat.is_(True),
               Petition.thread_id.is_not(None))
        .group_by(Petition.thread_id)
        .order_by(func.count(Petition.id).desc(), Petition.thread_id).limit(HOTSPOT_TOP)).all()
    if not hot:
        return []
    ids = [h[0] for h in hot]
    totals = dict(db.session.execute(select(thread, func.count(Petition.id))
                                     .where(*_base(county_id, viewer_id),
                                            or_(Petition.thread_id.in_(ids), Petition.id.in_(ids)))
                                     .group_by(thread)).all())
    # The thread's first matter may be out of the viewer's sight: then the latest visible one names the thread.
    firsts = {r.id: r for r in db.session.execute(select(*_MATTER_COLUMNS).where(Petition.id.in_(ids)))}
    out = []
    for thread_id, in_period, people, last in hot:
        first = firsts.get(thread_id)
        if first is None:
            first = db.session.execute(select(*_MATTER_COLUMNS).where(Petition.thread_id == thread_id, *_in(period))
                                       .order_by(Petition.received_at.desc()).limit(1)).first()
        out.append({"thread_id": thread_id, "in_period": in_period, "people_in_period": int(people),
                    "thread_total": totals.get(thread_id, in_period),
                    "last_received_at": format_local(last),
                    "matter": _matter(first, categories)})
    return sorted(out, key=lambda r: (-r["in_period"], -r["thread_total"], r["thread_id"]))


def _overdue_units(county_id: int, viewer_id: int, as_of: date) -> dict:
    rows = db.session.execute(
        select(Petition.holder_unit_id, func.count(Petition.id), func.min(Petition.due_on))
        .where(*_base(county_id, viewer_id), Petition.state.in_(OPEN_STATES), Petition.due_on < as_of)
        .group_by(Petition.holder_unit_id)).all()
    units = [{"unit_id": u, "name": _unit_name(u), "count": n, "oldest_due_on": d.isoformat()} for u, n, d in rows]
    units.sort(key=lambda r: (-r["count"], r["oldest_due_on"], r["name"]))
    return {"as_of": as_of.isoformat(), "total": sum(r["count"] for r in units), "units": units}


def _supervision(county_id: int) -> dict:
    """Open 督办 by target unit and level: issued and not yet closed or cancelled (a record waiting for the
    center head's approval is not out yet). Read from the supervision capability's table."""
    try:
        from county_net.supervision.models import LEVELS, OPEN_STATES, Supervision
    except ImportError:  # the capability is not installed
        return {"available": False, "total": 0, "by_level": [], "units": []}
    rows = db.session.execute(
        select(Supervision.target_unit_id, Supervision.level, func.count(Supervision.id))
        .where(Supervision.county_unit_id == county_id,
               Supervision.state.in_(sorted(OPEN_STATES - {"pending_approval"})))
        .group_by(Supervision.target_unit_id, Supervision.level)).all()
    by_unit: dict[int, dict] = {}
    by_level = {level: 0 for level in LEVELS}
    for unit_id, level, count in rows:
        entry = by_unit.setdefault(unit_id, {"unit_id": unit_id, "name": _unit_name(unit_id), "total": 0,
                                             **{lv: 0 for lv in LEVELS}})
        entry[level] += count
        entry["total"] += count
        by_level[level] += count
    # The worst first: red cards, then yellow, then the most records.
    units = sorted(by_unit.values(), key=lambda r: (-r["red"], -r["yellow"], -r["total"], r["name"]))
    return {"available": True, "total": sum(by_level.values()),
            "by_level": [{"level": lv, "name": LEVELS[lv], "count": n} for lv, n in by_level.items()],
            "units": units}


def compute(viewer_unit_id: int, period: Period, *, as_of: date | None = None) -> dict:
    """The digest of `period` against the period of the same length before it, as the viewer's unit sees it.
    Open and overdue figures are as of `as_of` (default: today)."""
    info = unit_info(viewer_unit_id)
    county_id = info.county_id
    settings = county_settings(county_id)
    minimum = settings["digest_rising_min"]
    previous = period.previous()
    categories = category_names()
    current_rows = _grouped(county_id, viewer_unit_id, period)
    previous_rows = _grouped(county_id, viewer_unit_id, previous)
    by_category = _breakdown(current_rows, previous_rows, 0, lambda k: categories.get(k, f"类别 {k}"))
    by_locality = _breakdown(current_rows, previous_rows, 1, _unit_name)
    lo, hi = period.bounds()
    whole_county = viewer_unit_id == county_id
    return {
        "county_unit_id": county_id,
        "viewer_unit_id": viewer_unit_id,
        "viewer_name": info.name,
        "whole_county": whole_county,
        "period": period.as_dict(),
        "previous": previous.as_dict(),
        "generated_at": to_local(utcnow()).isoformat(timespec="seconds"),
        "collective_threshold": settings["collective_threshold"],
        "rising_min": minimum,
        "totals": _totals(current_rows, previous_rows),
        "by_category": by_category,
        "by_locality": by_locality,
        "rising": _rising(by_category, by_locality, minimum),
        "collective": _collective(county_id, viewer_unit_id, period, current_rows, previous_rows, categories),
        "skip_level": _skip_level(county_id, viewer_unit_id, period, categories),
        "flagged": hooks.flagged(county_id, viewer_unit_id, lo, hi),
        "repeat_hotspots": _repeat_hotspots(county_id, viewer_unit_id, period, categories),
        "overdue": _overdue_units(county_id, viewer_unit_id, as_of or local_today()),
        # Supervision is the county center's own business: a township's digest leaves it out.
        "supervision": _supervision(county_id) if whole_county else {"available": False, "total": 0,
                                                                      "by_level": [], "units": [],
                                                                      "county_only": True},
    }


def chart_data(figures: dict) -> dict[str, str]:
    """What the page's charts draw, as JSON for data-* attributes (the CSP allows no inline script)."""
    def bars(rows):
        rows = rows[:12]
        return json.dumps({"labels": [r["name"] for r in rows], "current": [r["current"] for r in rows],
                           "previous": [r["previous"] for r in rows],
                           "series": [f"本期（{figures['period']['label']}）", f"上期（{figures['previous']['label']}）"]},
                          ensure_ascii=False)

    return {"category": bars(figures["by_category"]), "locality": bars(figures["by_locality"])}


# ---- stored issues --------------------------------------------------------------------------------

def issues(limit: int = 60) -> list[DigestIssue]:
    return list(db.session.scalars(select(DigestIssue).order_by(DigestIssue.period_start.desc()).limit(limit)))


def get_issue(label: str) -> DigestIssue:
    period = week_of(label)
    if period is None:
        from county_net.core.errors import NotVisible

        raise NotVisible()
    return db.one_or_404(select(DigestIssue).where(DigestIssue.kind == "weekly",
                                                   DigestIssue.period_start == period.start))


def issue_figures(issue: DigestIssue) -> dict:
    return json.loads(issue.figures)
