"""A county's screening settings: its network file's [settings.screening] over the defaults of
domain-practice §4 (cadence per unit kind, due days, reminders, the dispute types, the risk ladder, the
immediate-report limit). Every value is the county's to change."""
from __future__ import annotations

from dataclasses import dataclass

from county_net.deadlines.periods import END, HALF_MONTH, MONTH, PERIOD_KINDS, QUARTER
from county_net.petitions.settings import county_settings

# domain-practice §4.2 (the customary list of 矛盾纠纷 types).
DISPUTE_TYPES = ["民族宗教", "军转复退安置", "拆迁安置", "土地矿产山林水利权属", "建筑质量与物业", "经济活动", "劳资",
                 "企业改制", "环境", "司法", "行政", "学校", "海事", "干部作风", "村务", "承包", "家庭", "医患",
                 "涉黑恶", "其他"]

# domain-practice §4.3: the headcount ladder. `min_people` suggests the level from the head count; `major`
# counts the dispute as 重大矛盾纠纷 in the roll-up.
RISK_LEVELS = [
    {"code": "L0", "label": "L0 可控（1–2人）", "min_people": 1, "major": False},
    {"code": "L1", "label": "L1 可能激化（3–9人）", "min_people": 3, "major": False},
    {"code": "L2", "label": "L2 有扩散（10–30人）", "min_people": 10, "major": True},
    {"code": "L3", "label": "L3 随时激化（30人以上仍在扩散，或人数虽少但不处置即激化）", "min_people": 31, "major": True},
]

DEFAULTS = {
    # Which unit kinds file a sheet and how often; a kind left out files none. The county center's own
    # cadence is the period of its roll-up to the level above.
    "cadence": {"village": HALF_MONTH, "township": MONTH, "bureau": MONTH, "enterprise": MONTH,
                "county_center": QUARTER},
    # Due day per period kind: a day of the period's last month, or "end"; half months take one per half.
    "due_day": {MONTH: 20, HALF_MONTH: [15, END], QUARTER: 20},
    "remind_before_days": 3,  # "due soon" reminder this many days before the due day
    "remind_after_days": 1,  # "late" reminder this many days after it (the 21st)
    "immediate_limit_hours": 4,  # 即时报告 must be signed for by the county center within this
    "dispute_types": DISPUTE_TYPES,
    "risk_levels": RISK_LEVELS,
    "history_periods": 24,
}

# The kinds that file by default (the county center rolls up; it files no sheet of its own).
FILING_KINDS = ("village", "township", "bureau", "enterprise")


class SettingsError(ValueError):
    pass


def _due_spec_ok(value) -> bool:
    return value == END or (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 31)


def check(raw) -> None:
    """Validate [settings.screening] from a network file before anything is written."""
    from county_net.units.kinds import KINDS

    where = "settings.screening"
    if not isinstance(raw, dict):
        raise SettingsError(f"{where}：格式错误")
    for key, value in raw.items():
        if key not in DEFAULTS:
            raise SettingsError(f"{where}.{key}：未知设置项")
    for kind, cadence in (raw.get("cadence") or {}).items():
        if kind not in KINDS:
            raise SettingsError(f"{where}.cadence.{kind}：未知的单位类型")
        if cadence not in PERIOD_KINDS and cadence != "none":
            raise SettingsError(f"{where}.cadence.{kind}：应为 half_month、month、quarter 或 none")
    for kind, spec in (raw.get("due_day") or {}).items():
        if kind not in PERIOD_KINDS:
            raise SettingsError(f"{where}.due_day.{kind}：未知的周期")
        ok = (len(spec) == 2 and all(_due_spec_ok(v) for v in spec)) if isinstance(spec, list) else _due_spec_ok(spec)
        if not ok or (kind == HALF_MONTH) != isinstance(spec, list):
            raise SettingsError(f"{where}.due_day.{kind}：应为 1–31 或 \"end\"（半月为两项的列表）")
    for key, low, high in (("remind_before_days", 1, 15), ("remind_after_days", 1, 15),
                           ("immediate_limit_hours", 1, 72), ("history_periods", 24, 120)):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
            raise SettingsError(f"{where}.{key}：应为 {low}–{high} 的整数")
    types = raw.get("dispute_types")
    if types is not None and (not isinstance(types, list) or not types or len(types) > 60
                              or not all(isinstance(t, str) and 1 <= len(t.strip()) <= 20 for t in types)
                              or len(set(types)) != len(types)):
        raise SettingsError(f"{where}.dispute_types：应为不重复的类型名称列表（每项 1–20 字，最多 60 项）")
    levels = raw.get("risk_levels")
    if levels is not None:
        if not isinstance(levels, list) or not 2 <= len(levels) <= 10:
            raise SettingsError(f"{where}.risk_levels：应为 2–10 个等级")
        codes = set()
        for index, level in enumerate(levels):
            if (not isinstance(level, dict) or set(level) - {"code", "label", "min_people", "major"}
                    or not isinstance(level.get("code"), str) or not 1 <= len(level["code"]) <= 8
                    or not isinstance(level.get("label"), str) or not 1 <= len(level["label"]) <= 60
                    or not isinstance(level.get("min_people", 1), int) or isinstance(level.get("min_people", 1), bool)
                    or not isinstance(level.get("major", False), bool)):
                raise SettingsError(f"{where}.risk_levels[{index}]：应有 code（1–8 字）、label、min_people（整数）、major（真假）")
            codes.add(level["code"])
        if len(codes) != len(levels):
            raise SettingsError(f"{where}.risk_levels：等级代码重复")


@dataclass(frozen=True)
class ScreeningSettings:
    values: dict

    def __getitem__(self, key):
        return self.values.get(key, DEFAULTS[key])

    def cadence(self, unit_kind: str) -> str | None:
        """The period kind a unit of this kind files by, or None when it files no sheet."""
        if unit_kind not in FILING_KINDS and unit_kind not in (self.values.get("cadence") or {}):
            return None
        cadence = {**DEFAULTS["cadence"], **(self.values.get("cadence") or {})}.get(unit_kind)
        return cadence if cadence in PERIOD_KINDS else None

    def due_spec(self, period_kind: str):
        return {**DEFAULTS["due_day"], **(self.values.get("due_day") or {})}[period_kind]

    @property
    def filing_kinds(self) -> list[str]:
        from county_net.units.kinds import KINDS

        return [kind for kind in KINDS if self.cadence(kind)]

    @property
    def risk_by_code(self) -> dict[str, dict]:
        return {level["code"]: level for level in self["risk_levels"]}

    @property
    def major_codes(self) -> frozenset[str]:
        return frozenset(level["code"] for level in self["risk_levels"] if level.get("major"))

    def suggested_risk(self, people: int) -> str:
        """The lowest rung whose head count the dispute reaches (the clerk may pick a higher one)."""
        best = self["risk_levels"][0]["code"]
        for level in sorted(self["risk_levels"], key=lambda lv: lv.get("min_people", 1)):
            if people >= level.get("min_people", 1):
                best = level["code"]
        return best


def screening_settings(county_unit_id: int):
    """(the screening settings, the county's settings with its calendar)."""
    county = county_settings(county_unit_id)
    return ScreeningSettings(county.values.get("screening") or {}), county
