"""A county's supervision settings: its network file's [settings.supervision], over the defaults of the card
model (domain-practice §2.2). Every number is the county's to change."""
from __future__ import annotations

from dataclasses import dataclass

from county_net.petitions.settings import county_settings

DEFAULTS = {
    # Working days a unit may leave a step undone before the card (the day after the last day brings it).
    "sign_yellow_days": 1,  # 未签收
    "sign_red_days": 2,
    "handle_yellow_days": 5,  # 未办结 (each approved extension day adds one)
    "handle_red_days": 10,
    "warn_ratio": 0.7,  # warn when the working days used reach ⌊(limit + extension) × ratio⌋
    "score_yellow": -5,
    "score_red": -10,
    "score_on_time_close": 1,
    "feedback_days": 5,  # working days to answer a record the sweep issues
}


class SettingsError(ValueError):
    pass


def check(raw) -> None:
    """Validate [settings.supervision] from a network file before anything is written."""
    if not isinstance(raw, dict):
        raise SettingsError("settings.supervision：格式错误")
    for key, value in raw.items():
        if key not in DEFAULTS:
            raise SettingsError(f"settings.supervision.{key}：未知设置项")
        if key == "warn_ratio":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
                raise SettingsError("settings.supervision.warn_ratio：应为 0 与 1 之间的小数")
        elif isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"settings.supervision.{key}：应为整数")
        elif key.endswith("_days") and not 1 <= value <= 365:
            raise SettingsError(f"settings.supervision.{key}：应为 1–365")
        elif key.startswith("score_") and not -100 <= value <= 100:
            raise SettingsError(f"settings.supervision.{key}：应为 -100–100")
    merged = {**DEFAULTS, **raw}
    for step in ("sign", "handle"):
        if merged[f"{step}_red_days"] <= merged[f"{step}_yellow_days"]:
            raise SettingsError(f"settings.supervision.{step}_red_days：应大于 {step}_yellow_days")


@dataclass(frozen=True)
class SupervisionSettings:
    values: dict
    due_soon_days: int

    def __getitem__(self, key):
        return self.values.get(key, DEFAULTS[key])


def supervision_settings(county_unit_id: int):
    """(the supervision settings, the county's settings with its calendar)."""
    county = county_settings(county_unit_id)
    raw = county.values.get("supervision") or {}
    return SupervisionSettings(raw, county["due_soon_days"]), county
