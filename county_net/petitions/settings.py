"""A county's own settings (its network file's [settings]); national defaults where it says nothing."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from county_net.core import reference
from county_net.deadlines import WorkCalendar, resolve_rules
from county_net.deadlines.services import calendar_in_use
from county_net.extensions import db
from county_net.tenancy import system_scope
from county_net.units.models import Unit

DEFAULTS = {
    "number_pattern": "清信〔{year}〕{seq:05d}号",
    "collective_threshold": 5,  # 集体访: this many people or more
    "max_representatives": 5,
    "due_soon_days": 3,
    "holiday_rollover": True,
    "deadline_rules": [],
    "calendar": {"off": [], "work": []},
    "review_organ_above_county": "上级人民政府信访工作机构",
    "county_name": "本县",
    "county_government": None,  # default: "<county>人民政府"
    "digest_rising_min": 3,  # 领导摘报: a subject "rises" only with at least this many 件 in the period
}


@dataclass(frozen=True)
class CountySettings:
    county_unit_id: int
    values: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.values.get(key, DEFAULTS[key])

    def rules(self, unit_code: str | None = None):
        return resolve_rules(self["deadline_rules"], unit_code)

    def calendar(self) -> WorkCalendar:
        changes = self["calendar"] or {}
        return calendar_in_use().with_changes(changes.get("off", []), changes.get("work", []))


def county_settings(county_unit_id: int) -> CountySettings:
    """Kept per process until the units change (core/reference.py): the settings live on the county's row."""
    return reference.cached("units", ("settings", county_unit_id), lambda: _read_settings(county_unit_id))


def _read_settings(county_unit_id: int) -> CountySettings:
    with system_scope("county settings"):
        raw = db.session.scalar(select(Unit.settings).where(Unit.id == county_unit_id))
    return CountySettings(county_unit_id, json.loads(raw or "{}"))
