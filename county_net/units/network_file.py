"""Read and check a county network file (tenants/*.toml) before anything is written."""
from __future__ import annotations

import re
import tomllib
from datetime import date
from dataclasses import dataclass, field
from pathlib import Path

from county_net.units.kinds import KINDS, may_hold

CODE_RE = re.compile(r"^[0-9A-Za-z-]{2,32}$")
# A landline with area code, a mobile, an extension (转 or -): digits and the usual separators only.
PHONE_RE = re.compile(r"^(?=(?:\D*\d){5})[0-9 ()（）+\-转]{5,40}$")


class NetworkFileError(ValueError):
    """Names the offending entry; nothing has been written when it is raised."""


@dataclass(frozen=True)
class UnitEntry:
    index: int
    code: str
    name: str
    short_name: str
    kind: str
    parent: str | None
    contact_person: str | None = None
    contact_phone: str | None = None
    address: str | None = None

    def label(self) -> str:
        return f"units[{self.index}]（code={self.code}，{self.name}）"


@dataclass(frozen=True)
class WindowEntry:
    index: int
    number: int
    name: str
    stationed: tuple[str, ...]
    subjects: tuple[str, ...] = ()  # category codes the window takes (checked against the database at sync)
    localities: tuple[str, ...] = ()  # township codes of this file; empty = any
    room: int | None = None  # a hall.rooms number


@dataclass(frozen=True)
class RoomEntry:
    index: int
    number: int
    kind: str
    name: str


@dataclass(frozen=True)
class RotaEntry:
    starts_on: date
    ends_on: date
    staff: str


@dataclass(frozen=True)
class StationEntry:
    index: int
    unit: str
    mode: str
    contact_person: str | None
    contact_phone: str | None
    response_minutes: int | None
    rota: tuple[RotaEntry, ...]


@dataclass(frozen=True)
class HallEntry:
    rooms: tuple[RoomEntry, ...]
    stations: tuple[StationEntry, ...]


@dataclass
class Network:
    county: str
    version: str
    units: list[UnitEntry] = field(default_factory=list)  # parents before children
    windows: list[WindowEntry] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    hall: HallEntry | None = None  # None: the file has no [hall] and the hall's rooms and stations are left as they are

    @property
    def root(self) -> UnitEntry:
        return self.units[0]


def load_network_file(path: str | Path) -> Network:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise NetworkFileError(f"文件不是有效的 TOML：{exc}") from exc
    return parse_network(data)


def _text(raw: dict, key: str, where: str, required: bool = True, max_len: int = 120) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise NetworkFileError(f"{where}：缺少字段 {key}")
        return None
    if not isinstance(value, str) or not value.strip():
        raise NetworkFileError(f"{where}：字段 {key} 必须是非空文本")
    value = value.strip()
    if len(value) > max_len:
        raise NetworkFileError(f"{where}：字段 {key} 超过 {max_len} 个字符")
    return value


def parse_network(data: dict) -> Network:
    meta = data.get("network") or {}
    county = _text(meta, "county", "[network]")
    version = str(meta.get("version", "")).strip() or "unversioned"
    raw_units = data.get("units")
    if not isinstance(raw_units, list) or not raw_units:
        raise NetworkFileError("文件中没有 [[units]]")

    entries: dict[str, UnitEntry] = {}
    order: list[str] = []
    for index, raw in enumerate(raw_units):
        where = f"units[{index}]"
        if not isinstance(raw, dict):
            raise NetworkFileError(f"{where}：格式错误")
        unknown = set(raw) - {"code", "name", "short_name", "kind", "parent", "contact_person", "contact_phone",
                              "address"}
        if unknown:
            raise NetworkFileError(f"{where}：未知字段 {sorted(unknown)}")
        code = _text(raw, "code", where, max_len=32)
        where = f"units[{index}]（code={code}）"
        if not CODE_RE.match(code):
            raise NetworkFileError(f"{where}：编码只能由字母、数字和连字符组成（2–32 位）")
        if code in entries:
            raise NetworkFileError(f"{where}：编码重复，与 {entries[code].label()} 相同")
        name = _text(raw, "name", where)
        short_name = _text(raw, "short_name", where, required=False, max_len=60) or name[:60]
        kind = _text(raw, "kind", where, max_len=20)
        if kind not in KINDS:
            raise NetworkFileError(f"{where}：单位类型 {kind!r} 无效，可选 {', '.join(KINDS)}")
        parent = _text(raw, "parent", where, required=False, max_len=32)
        contact_person = _text(raw, "contact_person", where, required=False, max_len=30)
        contact_phone = _text(raw, "contact_phone", where, required=False, max_len=40)
        if contact_phone is not None and not PHONE_RE.match(contact_phone):
            raise NetworkFileError(f"{where}：联系电话 contact_phone 格式无效（只能含数字、空格、括号、+、- 和“转”）")
        address = _text(raw, "address", where, required=False, max_len=200)
        entries[code] = UnitEntry(index, code, name, short_name, kind, parent, contact_person, contact_phone,
                                  address)
        order.append(code)

    for code in order:
        entry = entries[code]
        if entry.parent is not None and entry.parent not in entries:
            raise NetworkFileError(f"{entry.label()}：上级单位 {entry.parent} 不存在")

    for code in order:  # a walk up that meets itself is a cycle
        seen = {code}
        current = entries[code].parent
        while current is not None:
            if current in seen:
                raise NetworkFileError(f"{entries[code].label()}：上下级关系构成循环（经过 {current}）")
            seen.add(current)
            current = entries[current].parent

    for code in order:
        entry = entries[code]
        parent_kind = entries[entry.parent].kind if entry.parent else None
        if not may_hold(parent_kind, entry.kind):
            if parent_kind is None:
                raise NetworkFileError(f"{entry.label()}：类型 {entry.kind} 必须有上级单位")
            raise NetworkFileError(
                f"{entry.label()}：类型 {entry.kind} 不能隶属于类型为 {parent_kind} 的单位 {entry.parent}"
            )

    roots = [entries[c] for c in order if entries[c].parent is None]
    if len(roots) != 1:
        raise NetworkFileError(f"一个文件只能有一个根单位（县信访局），现有 {len(roots)} 个")

    sorted_units = _parents_first(entries, order)
    hall = _parse_hall(data["hall"], entries, data.get("windows")) if "hall" in data else None
    windows = _parse_windows(data.get("windows") or [], entries, hall)
    settings = _parse_settings(data.get("settings") or {}, entries)
    return Network(county=county, version=version, units=sorted_units, windows=windows, settings=settings,
                   hall=hall)


SETTING_KEYS = {"number_pattern": str, "collective_threshold": int, "max_representatives": int,
                "due_soon_days": int, "repeats": dict,
                "holiday_rollover": bool, "deadline_rules": list, "calendar": dict,
                "review_organ_above_county": str, "county_government": str, "supervision": dict,
                "digest_rising_min": int, "screening": dict, "hall": dict}


def _parse_settings(raw: dict, entries: dict) -> dict:
    from county_net.deadlines.rules import RuleError, check_overrides

    if not isinstance(raw, dict):
        raise NetworkFileError("[settings] 格式错误")
    for key, value in raw.items():
        kind = SETTING_KEYS.get(key)
        if key in ("repeat_threshold", "repeat_window_days"):
            raise NetworkFileError(f"settings.{key}：已改为 [settings.repeats]（threshold、text_window_days、"
                                   "object_window_days），见 docs/repeats.md")
        if kind is None:
            raise NetworkFileError(f"settings.{key}：未知设置项")
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise NetworkFileError(f"settings.{key}：类型应为 {kind.__name__}")
    if "digest_rising_min" in raw and not 1 <= raw["digest_rising_min"] <= 1000:
        raise NetworkFileError("settings.digest_rising_min：应为 1–1000（领导摘报“上升议题”的本期最少件数）")
    # 《信访工作条例》(2022) Art. 20: at most five representatives; a county may ask for fewer, never more.
    if "max_representatives" in raw and not 1 <= raw["max_representatives"] <= 5:
        raise NetworkFileError("settings.max_representatives：应为 1–5（《信访工作条例》第二十条：代表不超过 5 人）")
    try:
        check_overrides(raw.get("deadline_rules", []))
    except RuleError as exc:
        raise NetworkFileError(str(exc)) from exc
    for index, rule in enumerate(raw.get("deadline_rules", [])):
        if rule.get("unit") is not None and rule["unit"] not in entries:
            raise NetworkFileError(f"settings.deadline_rules[{index}]：单位 {rule['unit']} 不存在")
    if "supervision" in raw:
        from county_net.supervision.settings import SettingsError, check

        try:
            check(raw["supervision"])
        except SettingsError as exc:
            raise NetworkFileError(str(exc)) from exc
    if "screening" in raw:
        from county_net.screening.settings import SettingsError as ScreeningSettingsError
        from county_net.screening.settings import check as check_screening

        try:
            check_screening(raw["screening"])
        except ScreeningSettingsError as exc:
            raise NetworkFileError(str(exc)) from exc
    if "repeats" in raw:
        from county_net.repeats.settings import SettingsError as RepeatSettingsError
        from county_net.repeats.settings import check as check_repeats

        try:
            check_repeats(raw["repeats"])
        except RepeatSettingsError as exc:
            raise NetworkFileError(str(exc)) from exc
    if "hall" in raw:
        from county_net.hall.settings import SettingsError as HallSettingsError
        from county_net.hall.settings import check as check_hall

        try:
            check_hall(raw["hall"])
        except HallSettingsError as exc:
            raise NetworkFileError(str(exc)) from exc
    pattern = raw.get("number_pattern")
    if pattern is not None:
        try:
            pattern.format(year=2026, seq=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise NetworkFileError(f"settings.number_pattern：格式无效（{exc}）") from exc
    calendar = raw.get("calendar", {})
    for key in ("off", "work"):
        for day in calendar.get(key, []):
            try:
                __import__("datetime").date.fromisoformat(str(day))
            except ValueError as exc:
                raise NetworkFileError(f"settings.calendar.{key}：日期 {day!r} 无效") from exc
    return raw


def _parents_first(entries: dict[str, UnitEntry], order: list[str]) -> list[UnitEntry]:
    depth: dict[str, int] = {}

    def depth_of(code: str) -> int:
        if code not in depth:
            parent = entries[code].parent
            depth[code] = 0 if parent is None else depth_of(parent) + 1
        return depth[code]

    return sorted((entries[c] for c in order), key=lambda e: (depth_of(e.code), e.index))


def _parse_windows(raw_windows, entries, hall: HallEntry | None = None) -> list[WindowEntry]:
    if not isinstance(raw_windows, list):
        raise NetworkFileError("[[windows]] 格式错误")
    windows: list[WindowEntry] = []
    numbers: set[int] = set()
    for index, raw in enumerate(raw_windows):
        where = f"windows[{index}]"
        if not isinstance(raw, dict):
            raise NetworkFileError(f"{where}：格式错误")
        number = raw.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 999:
            raise NetworkFileError(f"{where}：窗口号 number 必须是 1–999 的整数")
        where = f"windows[{index}]（窗口 {number}）"
        if number in numbers:
            raise NetworkFileError(f"{where}：窗口号重复")
        numbers.add(number)
        name = _text(raw, "name", where, max_len=60)
        stationed = raw.get("stationed") or []
        if not isinstance(stationed, list) or not all(isinstance(s, str) for s in stationed):
            raise NetworkFileError(f"{where}：stationed 必须是单位编码列表")
        for code in stationed:
            if code not in entries:
                raise NetworkFileError(f"{where}：入驻单位 {code} 不存在")
        if len(set(stationed)) != len(stationed):
            raise NetworkFileError(f"{where}：入驻单位重复")
        unknown = set(raw) - {"number", "name", "stationed", "subjects", "localities", "room"}
        if unknown:
            raise NetworkFileError(f"{where}：未知字段 {sorted(unknown)}")
        subjects = _codes(raw, "subjects", where, "事项类别编码")
        for code in subjects:
            if not SUBJECT_RE.match(code):
                raise NetworkFileError(f"{where}：事项类别编码 {code!r} 格式无效")
        localities = _codes(raw, "localities", where, "乡镇（街道）编码")
        for code in localities:
            if code not in entries or entries[code].kind != "township":
                raise NetworkFileError(f"{where}：属地 {code} 不是本文件中的乡镇（街道）")
        room = raw.get("room")
        if room is not None:
            rooms = {r.number for r in hall.rooms} if hall else set()
            if not isinstance(room, int) or isinstance(room, bool) or room not in rooms:
                raise NetworkFileError(f"{where}：房间 room = {room!r} 不在 hall.rooms 中")
        windows.append(WindowEntry(index, number, name, tuple(stationed), tuple(subjects), tuple(localities), room))
    return windows


SUBJECT_RE = re.compile(r"^[0-9A-Za-z-]{1,32}$")  # a category code, as the category list allows


def _codes(raw: dict, key: str, where: str, what: str) -> list[str]:
    values = raw.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise NetworkFileError(f"{where}：{key} 必须是{what}列表")
    if len(set(values)) != len(values):
        raise NetworkFileError(f"{where}：{key} 中有重复的编码")
    return values


def _tables(raw: dict, key: str, allowed: set[str]):
    """(index, table, its name for messages) of [[hall.<key>]], each checked to be a table of known fields."""
    items = raw.get(key) or []
    if not isinstance(items, list):
        raise NetworkFileError(f"[[hall.{key}]] 格式错误")
    for index, item in enumerate(items):
        where = f"hall.{key}[{index}]"
        if not isinstance(item, dict):
            raise NetworkFileError(f"{where}：格式错误")
        extra = set(item) - allowed
        if extra:
            raise NetworkFileError(f"{where}：未知字段 {sorted(extra)}")
        yield index, item, where


def _parse_hall(raw, entries: dict, raw_windows) -> HallEntry:
    from county_net.hall.models import ROOM_KINDS, STATION_MODES

    if not isinstance(raw, dict):
        raise NetworkFileError("[hall] 格式错误")
    unknown = set(raw) - {"rooms", "stations"}
    if unknown:
        raise NetworkFileError(f"[hall]：未知字段 {sorted(unknown)}")
    rooms: list[RoomEntry] = []
    numbers: set[int] = set()
    for index, item, where in _tables(raw, "rooms", {"number", "kind", "name"}):
        number = item.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 999:
            raise NetworkFileError(f"{where}：房间号 number 必须是 1–999 的整数")
        where = f"hall.rooms[{index}]（房间 {number}）"
        if number in numbers:
            raise NetworkFileError(f"{where}：房间号重复")
        numbers.add(number)
        kind = item.get("kind")
        if kind not in ROOM_KINDS:
            raise NetworkFileError(f"{where}：kind 应为 {'、'.join(f'{k}（{v}）' for k, v in ROOM_KINDS.items())}")
        name = _text(item, "name", where, max_len=60)
        rooms.append(RoomEntry(index, number, kind, name))

    at_windows = {c for w in (raw_windows if isinstance(raw_windows, list) else [])
                  if isinstance(w, dict) and isinstance(w.get("stationed"), list) for c in w["stationed"]}
    stations: list[StationEntry] = []
    seen: set[str] = set()
    fields = {"unit", "mode", "contact_person", "contact_phone", "response_minutes", "rota"}
    for index, item, where in _tables(raw, "stations", fields):
        code = _text(item, "unit", where, max_len=32)
        where = f"hall.stations[{index}]（单位 {code}）"
        if code not in entries:
            raise NetworkFileError(f"{where}：单位不存在")
        if code not in at_windows and entries[code].kind != "bureau":
            raise NetworkFileError(f"{where}：驻厅单位应为某个窗口的入驻单位或县级部门")
        if code in seen:
            raise NetworkFileError(f"{where}：单位重复")
        seen.add(code)
        mode = item.get("mode")
        if mode not in STATION_MODES:
            raise NetworkFileError(
                f"{where}：mode 应为 {'、'.join(f'{k}（{v}）' for k, v in STATION_MODES.items())}")
        contact_person = _text(item, "contact_person", where, required=False, max_len=30)
        contact_phone = _text(item, "contact_phone", where, required=False, max_len=40)
        if contact_phone is not None and not PHONE_RE.match(contact_phone):
            raise NetworkFileError(f"{where}：联系电话 contact_phone 格式无效（只能含数字、空格、括号、+、- 和“转”）")
        minutes = item.get("response_minutes")
        if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)
                                    or not 1 <= minutes <= 1440):
            raise NetworkFileError(f"{where}：response_minutes 应为 1–1440 的整数（分钟）")
        if mode == "on_call":
            if minutes is None:
                raise NetworkFileError(f"{where}：随叫随驻须写明到达时限 response_minutes（1–1440 分钟）")
            if contact_phone is None:
                raise NetworkFileError(f"{where}：随叫随驻须写明联系电话 contact_phone")
        rota = _parse_rota(item.get("rota"), where)
        if mode == "rotating" and not rota:
            raise NetworkFileError(f"{where}：阶段轮驻须有轮驻安排 rota（至少一段）")
        stations.append(StationEntry(index, code, mode, contact_person, contact_phone, minutes, tuple(rota)))
    return HallEntry(tuple(rooms), tuple(stations))


def _day(value) -> date | None:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _parse_rota(raw, where: str) -> list[RotaEntry]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise NetworkFileError(f"{where}：rota 应为列表，如 [{{from = 2026-11-01, to = 2026-12-31, staff = '姓名'}}]")
    spans: list[RotaEntry] = []
    for index, item in enumerate(raw):
        at = f"{where}.rota[{index}]"
        if not isinstance(item, dict) or set(item) - {"from", "to", "staff"}:
            raise NetworkFileError(f"{at}：只能有 from、to、staff 三项")
        starts, ends = _day(item.get("from")), _day(item.get("to"))
        if starts is None or ends is None:
            raise NetworkFileError(f"{at}：from 和 to 须为日期（如 2026-11-01）")
        if starts > ends:
            raise NetworkFileError(f"{at}：起始日期 {starts} 晚于结束日期 {ends}")
        staff = item.get("staff", "")
        if not isinstance(staff, str) or len(staff.strip()) > 60:
            raise NetworkFileError(f"{at}：staff 应为不超过 60 字的姓名")
        spans.append(RotaEntry(starts, ends, staff.strip()))
    ordered = sorted(spans, key=lambda r: r.starts_on)
    for before, after in zip(ordered, ordered[1:]):
        if after.starts_on <= before.ends_on:
            raise NetworkFileError(f"{where}：轮驻时段重叠（{before.starts_on}–{before.ends_on} 与 "
                                   f"{after.starts_on}–{after.ends_on}）")
    return ordered
