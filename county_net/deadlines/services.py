"""The calendar in use (the packaged file plus imported years) and loading a published schedule."""
from __future__ import annotations

import json
import tomllib
from datetime import date
from functools import lru_cache

from sqlalchemy import func, select

from county_net.core import reference
from county_net.core.errors import InvalidInput
from county_net.core.models import utcnow
from county_net.core.timeutil import local_today
from county_net.deadlines.calendar import WorkCalendar, national_calendar
from county_net.deadlines.models import HolidayYear
from county_net.extensions import db

WARN_FROM_MONTH = 11  # admins are warned from 1 November of the year before


def calendar_revision() -> int:
    """The calendar's reference stamp (core/reference.py): a new value whenever an import changes
    `holiday_years`, read at most once per request (or CLI command), so a worker never keeps a calendar
    older than the table."""
    return reference.current().calendar


@lru_cache(maxsize=4)
def _calendar_at(revision: int) -> WorkCalendar:
    rows = db.session.scalars(select(HolidayYear)).all()
    return national_calendar().with_years({r.year: (json.loads(r.off), json.loads(r.work)) for r in rows})


def calendar_in_use() -> WorkCalendar:
    """National calendar: the packaged file and the imported years (a county adds its changes on top)."""
    return _calendar_at(calendar_revision())


def published_years() -> frozenset[int]:
    return calendar_in_use().known_years


def missing_schedule_warning(today: date | None = None) -> str | None:
    """For admins: the coming (or current) year has no published schedule loaded."""
    today = today or local_today()
    years = published_years()
    missing = [y for y in (today.year, today.year + 1)
               if y not in years and (y == today.year or today.month >= WARN_FROM_MONTH)]
    if not missing:
        return None
    listed = "、".join(f"{y}年" for y in missing)
    return (f"尚未导入{listed}的国务院节假日安排：涉及该年的期限按法定节日暂定计算（标注“暂定”）。"
            f"通知发布后请在“节假日安排”中导入。")


# ---- import ---------------------------------------------------------------------------------------

def parse_schedule(text: str) -> dict[int, dict]:
    """The packaged file's format: [YEAR] source = "…", off = [dates], work = [dates]. Every problem is
    reported by field; nothing is loaded unless all of it is valid."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(fields={"schedule": [f"TOML 格式错误：{exc}"]}) from None
    if not data:
        raise InvalidInput(fields={"schedule": ["没有任何年份，格式为 [2027] 下写 source、off、work"]})
    errors: dict[str, list[str]] = {}
    years: dict[int, dict] = {}
    for key, block in data.items():
        where = f"[{key}]"
        if not (isinstance(key, str) and key.isdigit() and 2000 <= int(key) <= 2100) or not isinstance(block, dict):
            errors.setdefault(where, []).append("年份须为 2000–2100 的表名，如 [2027]")
            continue
        year = int(key)
        unknown = set(block) - {"source", "off", "work"}
        if unknown:
            errors.setdefault(where, []).append(f"未知字段 {sorted(unknown)}")
        source = block.get("source")
        if not isinstance(source, str) or not source.strip() or len(source) > 200:
            errors.setdefault(f"{where}.source", []).append("请写明通知的名称和文号（200 字以内）")
        parsed = {}
        for name in ("off", "work"):
            values = block.get(name, [] if name == "work" else None)
            field = f"{where}.{name}"
            if not isinstance(values, list):
                errors.setdefault(field, []).append("须为日期列表，如 [\"2027-01-01\"]")
                continue
            days = set()
            for value in values:
                day = _as_date(value)
                if day is None:
                    errors.setdefault(field, []).append(f"{value!r} 不是日期（YYYY-MM-DD）")
                elif day.year != year:
                    errors.setdefault(field, []).append(f"{day.isoformat()} 不在 {year} 年")
                elif day in days:
                    errors.setdefault(field, []).append(f"{day.isoformat()} 重复")
                else:
                    days.add(day)
            parsed[name] = days
        if "off" in parsed and not parsed["off"]:
            errors.setdefault(f"{where}.off", []).append("放假日期不能为空")
        both = parsed.get("off", set()) & parsed.get("work", set())
        if both:
            errors.setdefault(where, []).append(
                "以下日期既是放假又是上班：" + "、".join(d.isoformat() for d in sorted(both)))
        weekday_work = sorted(d for d in parsed.get("work", ()) if d.weekday() < 5)
        if weekday_work:
            errors.setdefault(f"{where}.work", []).append(
                "调休上班日应为周末：" + "、".join(d.isoformat() for d in weekday_work))
        if not errors:
            years[year] = {"source": source.strip(), "off": sorted(parsed["off"]), "work": sorted(parsed["work"])}
    if errors:
        raise InvalidInput(fields=errors)
    return years


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def import_schedule(actor, text: str, *, actor_name: str | None = None) -> list[int]:
    """Load (or replace) the official schedule of each year in `text`; audited; one commit. The stored limits
    it changes are recomputed by the next `flask petitions sweep`."""
    from county_net.accounts.services import require_role
    from county_net.audit import services as audit

    if actor is not None:
        require_role(actor, "admin")
    years = parse_schedule(text)
    revision = db.session.scalar(select(func.coalesce(func.max(HolidayYear.revision), 0))) + 1
    name = actor_name or (actor.username if actor is not None else "system")
    for year, block in sorted(years.items()):
        row = db.session.get(HolidayYear, year) or HolidayYear(year=year)
        replaced = row.source if row.source else None
        row.source = block["source"]
        row.off = json.dumps([d.isoformat() for d in block["off"]])
        row.work = json.dumps([d.isoformat() for d in block["work"]])
        row.revision, row.imported_by = revision, name
        row.imported_at = utcnow()
        db.session.add(row)
        audit.record("deadlines.import_holidays", actor=actor, actor_name=name, target_type="holiday_year",
                     target_id=year, detail={"source": block["source"], "off": len(block["off"]),
                                             "work": len(block["work"]), "replaced": replaced})
    db.session.commit()
    reference.mark_stale()  # this request or command counts on the new calendar from here on
    return sorted(years)


def packaged_years() -> list[dict]:
    """The years shipped in holidays_cn.toml, counted like imported ones, for the admin's screen."""
    from county_net.deadlines.calendar import DEFAULT_FILE

    with open(DEFAULT_FILE, "rb") as fh:
        data = tomllib.load(fh)
    return [{"year": int(y), "source": block.get("source", ""), "off": len(block.get("off", [])),
             "work": len(block.get("work", []))} for y, block in sorted(data.items(), reverse=True)]


def imported_years() -> list[dict]:
    return [{"year": r.year, "source": r.source, "off": len(json.loads(r.off)), "work": len(json.loads(r.work)),
             "imported_at": r.imported_at, "imported_by": r.imported_by}
            for r in db.session.scalars(select(HolidayYear).order_by(HolidayYear.year.desc()))]
