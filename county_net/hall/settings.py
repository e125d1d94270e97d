"""A county's hall settings: its network file's [settings.hall] over the defaults of domain.md §11 and
domain-practice §3 (opening hours, the estimated interview length behind the wait shown on a ticket, the
leaders' reception day and its lead times). Every value is the county's to change."""
from __future__ import annotations

import re
from dataclasses import dataclass

from county_net.petitions.settings import county_settings

DEFAULTS = {
    # Working days (the deadline calendar decides which); a bureau's rules in domain.md §11.3.
    "hours": [["08:30", "11:30"], ["14:30", "17:00"]],
    # "workdays" (the deadline calendar's working days) or "every_day" (a hall that never closes its door; the
    # demo county uses it so that a walk through the demo works at any hour).
    "open_on": "workdays",
    "interview_minutes": 15,  # the estimated wait is this × the tickets ahead at the window
    "reception_day": 15,  # the county leaders' day of the month (domain-practice §3.3), rolled to a working day
    "unit_reception_day": 10,  # townships' and bureaus' own day
    "reception_publish_days": 2,  # published at least this many days ahead
    "reception_notice_days": 5,  # the leader is told this many days ahead
    "reception_briefing_days": 1,  # the briefing list goes this many days ahead
    "board_poll_seconds": 2,
    "hall_name": "",  # shown on the board and tickets; empty: the county center's name
}
_HM = re.compile(r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")


class SettingsError(ValueError):
    pass


def check(raw) -> None:
    """Validate [settings.hall] from a network file before anything is written."""
    where = "settings.hall"
    if not isinstance(raw, dict):
        raise SettingsError(f"{where}：格式错误")
    for key in raw:
        if key not in DEFAULTS:
            raise SettingsError(f"{where}.{key}：未知设置项")
    hours = raw.get("hours")
    if hours is not None:
        if (not isinstance(hours, list) or not 1 <= len(hours) <= 4
                or not all(isinstance(s, list) and len(s) == 2 and all(isinstance(t, str) and _HM.match(t) for t in s)
                           and s[0] < s[1] for s in hours)
                or any(hours[i][1] > hours[i + 1][0] for i in range(len(hours) - 1))):
            raise SettingsError(f"{where}.hours：应为 1–4 段不重叠、按时间排列的 [\"08:30\", \"11:30\"]")
    for key, low, high in (("interview_minutes", 1, 240), ("reception_day", 1, 28), ("unit_reception_day", 1, 28),
                           ("reception_publish_days", 1, 30), ("reception_notice_days", 1, 30),
                           ("reception_briefing_days", 1, 10), ("board_poll_seconds", 1, 3)):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
            raise SettingsError(f"{where}.{key}：应为 {low}–{high} 的整数")
    if raw.get("open_on", "workdays") not in ("workdays", "every_day"):
        raise SettingsError(f"{where}.open_on：应为 workdays 或 every_day")
    name = raw.get("hall_name")
    if name is not None and (not isinstance(name, str) or len(name) > 60):
        raise SettingsError(f"{where}.hall_name：应为不超过 60 字的名称")


@dataclass(frozen=True)
class HallSettings:
    values: dict

    def __getitem__(self, key):
        return self.values.get(key, DEFAULTS[key])

    @property
    def every_day(self) -> bool:
        return self["open_on"] == "every_day"


def hall_settings(county_unit_id: int):
    """(the hall settings, the county's settings with its calendar, collective threshold, representatives)."""
    county = county_settings(county_unit_id)
    return HallSettings(county.values.get("hall") or {}), county
