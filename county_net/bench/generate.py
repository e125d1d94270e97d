"""A synthetic province for benchmarks: several county networks, their users, petitioners and a history of
matters, written in bulk (COPY on PostgreSQL, executemany in large transactions on SQLite).

Everything is fictional: place names are made up, ID numbers use the unassigned region prefix 99 with a
valid check digit, phones sit in one made-up block. The same seed and the same `today` give the same data
(only the AES-GCM nonces differ)."""
from __future__ import annotations

import bisect
import itertools
import json
import math
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import create_engine

from county_net.core import crypto
from county_net.petitions.identity import check_digit, mask_id, mask_phone
from county_net.petitions.workflow import OPEN_STATES
from county_net.units.directory import UnitInfo

SIZES = {  # name: (units, petitions)
    "tiny": (200, 10_000),
    "10k": (200, 10_000),
    "100k": (2_000, 100_000),
    "1m": (2_000, 1_000_000),
}
PASSWORD = "Bench-2026!"
BIG_TABLES = ("petitioners", "petitions", "petition_parties", "petition_access", "petition_events",
              "petition_links", "audit_records", "users", "screening_reports", "disputes", "petition_readings",
              "repeat_index", "repeat_terms")
# What a dataset holds; bench/run regenerates a dataset whose marker names another version.
# 2: the repeat detector's tables (petition_readings, repeat_index, repeat_terms), every template names a place.
# 3: places of three syllables (two named every thing in ~7,500 matters: unlike any county).
# 4: the repeat index's terms are keyed to their county.
# Presets (below) are not versions: `stress` is version 4's shape, row for row, and each preset's datasets
# are kept and marked apart, so adding `realistic` changed no dataset already generated.
VERSION = 4
REPEAT_TABLES = ("petition_readings", "repeat_index", "repeat_terms")
CHUNK = 20_000  # matters per write batch

_SYLLABLES = ("清", "溪", "云", "岭", "松", "河", "柳", "塘", "石", "桥", "青", "山", "白", "沙", "东", "湖",
              "南", "林", "金", "谷", "平", "安", "兴", "隆", "长", "乐", "新", "丰", "龙", "泉", "梅", "溪")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_GIVEN = "建国华明英芳军平伟强丽敏静秀兰志红春梅海燕玉珍桂林德文勇金凤波涛成亮宇婷超刚霞"
_BUREAUS = ("人社局", "住建局", "自然资源局", "农业农村局", "教育局", "卫健委", "民政局", "公安局", "市场监管局",
            "生态环境局", "交通运输局", "水利局", "财政局", "司法局", "应急管理局", "城管局", "医保局", "退役军人事务局",
            "林业局", "文旅局", "商务局", "发改局", "统计局", "审计局", "信访督查室", "供电公司", "税务局", "金融办",
            "工信局", "残联", "妇联", "总工会")
_TOPICS = (
    ("拖欠工资", "{place}建筑工地拖欠{n}名农民工工资共计{m}万元，多次讨要未果", "请求督促支付拖欠工资"),
    ("征地补偿", "{place}村土地征收补偿款{m}万元迟迟未发放到户", "请求依法发放补偿款"),
    ("房屋质量", "{place}小区{n}号楼外墙渗水、地基下沉，开发商拒不维修", "请求责令开发商维修"),
    ("环境污染", "{place}附近养殖场臭气扰民，污水直排河道", "请求依法查处并整改"),
    ("社会保障", "{place}村村民申请城乡低保被拒，家中{n}口人无固定收入", "请求重新审核低保资格"),
    ("邻里纠纷", "{place}村村民与邻居因宅基地边界发生纠纷，村委会调解未果", "请求依法确权"),
    ("交通出行", "{place}路段坑洼积水，{n}个月无人修补", "请求尽快修复道路"),
    ("教育", "子女在{place}小学就近入学被拒，学校以学位已满为由推脱", "请求安排就近入学"),
    ("医疗", "在{place}镇卫生院手术后出现并发症，院方推卸责任", "请求组织医疗事故鉴定"),
    ("物业", "{place}小区物业费上涨{n}成且服务缩水", "请求规范物业收费"),
)

# States by how old a matter is, with their weights.
_OLD_STATES = (("closed", 690), ("declined", 40), ("redirected", 60), ("concluded", 30), ("handling", 50),
               ("replied", 10), ("reexamination", 8), ("final_review", 3), ("signed", 3), ("reported", 3))
_RECENT_STATES = (("registered", 150), ("transferred", 80), ("assigned", 50), ("signed", 80), ("handling", 380),
                  ("replied", 80), ("reported", 30), ("closed", 120), ("redirected", 20), ("declined", 10))
# A realistic course by age (docs/performance.md, "The method"): the county center disposes within 15 days, the
# unit it sends to accepts within 15, handling takes up to 60 days from acceptance and 30 more when extended;
# older matters are open only when in review (30 + 30 days) or overdue.
_DISPOSING_STATES = (("registered", 150), ("transferred", 110), ("assigned", 60), ("signed", 90), ("handling", 350),
                     ("replied", 10), ("closed", 90), ("redirected", 60), ("declined", 30))
_ACCEPTING_STATES = (("registered", 5), ("transferred", 15), ("assigned", 8), ("signed", 20), ("handling", 660),
                     ("replied", 40), ("reported", 5), ("closed", 150), ("redirected", 60), ("declined", 30))
_HANDLING_STATES = (("handling", 340), ("replied", 150), ("reported", 20), ("reexamination", 5), ("closed", 390),
                    ("redirected", 60), ("declined", 35))
_EXTENDED_STATES = (("handling", 30), ("replied", 100), ("reported", 10), ("reexamination", 20), ("closed", 730),
                    ("redirected", 60), ("declined", 40), ("concluded", 10))
_SETTLED_STATES = (("closed", 1580), ("declined", 80), ("redirected", 120), ("concluded", 212), ("handling", 1),
                   ("replied", 2), ("reexamination", 3), ("final_review", 2))
_CHANNELS = (("visit", 45), ("letter", 15), ("phone", 10), ("online", 28), ("other", 2))
_NATURES = (("demand", 70), ("suggestion", 6), ("inquiry", 10), ("accusation", 8), ("appeal", 6))


@dataclass(frozen=True)
class Shape:
    """How matters spread over counties, units and states: what a preset sets, the rest being common."""
    county_s: float  # Zipf exponent over the counties
    handler_s: float  # over a county's townships then bureaus, as the units a matter is sent to
    township_s: float  # over a county's townships, as the units registering what the center does not
    at_center: float  # share of matters registered at the county center
    states: tuple  # ((age in days up to which the band applies, or None, ((state, weight), ...)), ...)

    def describe(self) -> dict:
        def open_share(pairs) -> float:
            return round(sum(w for st, w in pairs if st in OPEN_STATES) / sum(w for _, w in pairs), 3)

        return {"county_s": self.county_s, "handler_s": self.handler_s, "township_s": self.township_s,
                "at_center": self.at_center,
                "open_by_age": [{"up_to_days": days, "open_share": open_share(pairs)} for days, pairs in self.states]}


PRESETS = {
    # The shape of every run before presets, kept as the stress case: a township holds thousands of open
    # matters at 1M.
    "stress": Shape(0.6, 1.1, 1.1, 0.7, ((90, _RECENT_STATES), (None, _OLD_STATES))),
    # Open matters a few hundred at the busiest unit at 1M: courses finish within their time limits, and work
    # spreads over a county's units as over townships of unlike size, not as a power law.
    "realistic": Shape(0.6, 0.2, 0.2, 0.7, ((15, _DISPOSING_STATES), (30, _ACCEPTING_STATES),
                                            (75, _HANDLING_STATES), (105, _EXTENDED_STATES),
                                            (None, _SETTLED_STATES))),
}


def open_distribution(open_by_unit: dict, handling_units, centers) -> dict:
    """Open matters per handling unit (townships and bureaus, those holding none included): the busiest, and
    p50/p90/p99 by nearest rank; the county centers apart (they hold what they have not yet disposed of)."""
    counts = sorted(open_by_unit.get(u, 0) for u in handling_units)
    at_centers = [open_by_unit.get(u, 0) for u in centers]

    def rank(q: float) -> int:
        return counts[max(0, math.ceil(len(counts) * q) - 1)] if counts else 0

    busiest = max(handling_units, key=lambda u: (open_by_unit.get(u, 0), -u), default=None)
    return {"open": sum(open_by_unit.values()), "handling_units": len(counts),
            "busiest_unit_id": busiest, "busiest": counts[-1] if counts else 0,
            "p50": rank(0.5), "p90": rank(0.9), "p99": rank(0.99),
            "busiest_center": max(at_centers, default=0), "at_centers": sum(at_centers)}


def _weighted(pairs):
    names = [p[0] for p in pairs]
    cum = list(itertools.accumulate(p[1] for p in pairs))
    return names, cum


class Picker:
    """Weighted choice with a precomputed cumulative table (random.choices recomputes it every call)."""

    def __init__(self, rng: random.Random, items, weights):
        self.rng, self.items = rng, list(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self):
        return self.items[bisect.bisect_right(self.cum, self.rng.random() * self.total)]


def zipf_picker(rng, items, s=1.1):
    return Picker(rng, items, [1 / (k + 1) ** s for k in range(len(items))])


@dataclass
class County:
    root: UnitInfo
    name: str
    abbr: str
    townships: list = field(default_factory=list)
    bureaus: list = field(default_factory=list)
    leaves: list = field(default_factory=list)
    clerks: dict = field(default_factory=dict)  # unit id -> [(user id, name)]
    people: list = field(default_factory=list)  # petitioner ids opened in this county
    last_matter_of: dict = field(default_factory=dict)  # petitioner id -> last matter id


class Progress:
    def __init__(self, label: str, total: int, out=sys.stderr):
        self.label, self.total, self.out, self.done, self.started = label, total, out, 0, time.monotonic()

    def step(self, n: int) -> None:
        self.done += n
        share = self.done / self.total if self.total else 1
        bar = "#" * int(share * 30)
        elapsed = time.monotonic() - self.started
        self.out.write(f"\r{self.label:<10} [{bar:<30}] {share:6.1%} {self.done:>9}/{self.total} {elapsed:6.1f} s")
        self.out.flush()

    def close(self) -> None:
        self.out.write("\n")


class BulkWriter:
    """COPY on PostgreSQL, executemany on SQLite; drops a big table's plain indexes during the load and
    builds them once at the end (far faster than maintaining them row by row)."""

    def __init__(self, url: str):
        self.engine = create_engine(url)
        self.dialect = self.engine.dialect.name
        self.raw = self.engine.raw_connection()
        self.cur = self.raw.cursor()
        self.dropped: list[str] = []
        if self.dialect == "sqlite":
            self.raw.driver_connection.isolation_level = ""  # implicit transactions: one per batch
            for pragma in ("foreign_keys=OFF", "synchronous=OFF", "journal_mode=WAL", "cache_size=-262144",
                           "temp_store=MEMORY"):
                self.cur.execute(f"PRAGMA {pragma}")
        else:
            self.cur.execute("SET synchronous_commit = off")
            self.cur.execute("SET maintenance_work_mem = '512MB'")
            try:  # superuser: skip FK and append-only triggers while loading consistent generated rows
                self.cur.execute("SET session_replication_role = replica")
            except Exception:
                self.raw.rollback()

    def empty(self) -> bool:
        self.cur.execute("SELECT count(*) FROM units")
        return self.cur.fetchone()[0] == 0

    def drop_indexes(self) -> None:
        for table in BIG_TABLES:
            if self.dialect == "sqlite":
                self.cur.execute("SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=? "
                                 "AND sql IS NOT NULL", (table,))
            else:
                self.cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename=%s AND indexname NOT IN "
                                 "(SELECT conname FROM pg_constraint)", (table,))
            for name, sql in self.cur.fetchall():
                self.cur.execute(f"DROP INDEX {name}")
                self.dropped.append((table, sql))
        self.raw.commit()

    def rebuild_indexes(self, progress: Progress) -> dict[str, float]:
        """Seconds spent per table."""
        spent: dict[str, float] = {}
        for table, sql in self.dropped:
            started = time.monotonic()
            self.cur.execute(sql)
            self.raw.commit()
            spent[table] = spent.get(table, 0.0) + time.monotonic() - started
            progress.step(1)
        self.dropped = []
        return spent

    def _adapt(self, value):
        if self.dialect != "sqlite":
            return value
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
        return value

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        names = ", ".join(columns)
        if self.dialect == "sqlite":
            marks = ", ".join("?" * len(columns))
            adapt = self._adapt
            self.cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                                 [tuple(adapt(v) for v in row) for row in rows])
        else:
            with self.cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def execute(self, sql: str, params=()) -> None:
        if self.dialect == "sqlite":
            sql = sql.replace("%s", "?")
        self.cur.execute(sql, params)

    def commit(self) -> None:
        self.raw.commit()

    def finish(self) -> None:
        if self.dialect == "sqlite":
            self.cur.execute("PRAGMA synchronous=FULL")
            self.cur.execute("ANALYZE")
            self.raw.commit()
        else:
            self.raw.commit()
            conn = self.raw.driver_connection
            conn.autocommit = True  # VACUUM refuses a transaction block
            with conn.cursor() as cur:
                for table in ("units", "users", *BIG_TABLES):
                    cur.execute(f"VACUUM (ANALYZE) {table}")
            conn.autocommit = False
        self.close()

    def close(self) -> None:
        self.raw.close()
        self.engine.dispose()


def bulk_url(config) -> str:
    """The owner's URL when there is one (dropping indexes, COPY), with the psycopg driver named."""
    url = config.get("MIGRATION_DATABASE_URL") or config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Generator:
    def __init__(self, *, units: int, petitions: int, seed: int, today: date, writer: BulkWriter, app,
                 out=sys.stderr, screening_months: int = 0, preset: str = "stress"):
        self.n_units, self.n_petitions, self.seed, self.today = units, petitions, seed, today
        self.preset, self.shape = preset, PRESETS[preset]
        self.open_by_unit: dict[int, int] = {}  # holder unit id -> open matters, for the manifest
        self.overdue = 0
        self.screening_months = screening_months
        self.w, self.app, self.out = writer, app, out
        self.rng = random.Random(seed)
        # Draws that only the texts use: adding one leaves the rest of the dataset as it was.
        self.text_rng = random.Random(f"texts|{seed}")
        self.counts = {k: 0 for k in ("units", "users", "petitioners", "petitions", "events", "access", "parties",
                                      "links", "audit", "screening_reports", "disputes")}
        self.counties: list[County] = []
        self.units: dict[int, UnitInfo] = {}
        self.user_rows: list[dict] = []
        self.next_petitioner_id = 1
        self.next_event_id = 1
        self.next_access_id = 1
        self.next_party_id = 1
        self.next_link_id = 1
        self.audit_seq = 0
        self.audit_prev = "0" * 64
        self.id_numbers: list[str] = []
        self.used_ids: set[str] = set()
        self.codes: set[str] = set()
        self.counters: dict[tuple[int, int], int] = {}
        self.category_ids: list[int] = []
        self.person_names: dict[int, str] = {}  # petitioner id -> name, for the repeat index
        # (matter id, county id, received_at, template, place, text, petitioner ids): read once all are drawn
        self.repeat_sources: list[tuple] = []
        self.repeat_seconds = 0.0
        self.accused_of: dict[int, int] = {}  # matter id -> accused unit, for its reading's copy

    # ---- the network ---------------------------------------------------------------------------

    def _place(self, n: int = 2) -> str:
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(n))

    def build_units(self) -> None:
        n_counties = max(2, self.n_units // 200)
        per = self.n_units // n_counties
        next_id = itertools.count(1)
        names_used: set[str] = set()
        for c in range(n_counties):
            while True:
                name = self._place() + "县"
                if name not in names_used:
                    names_used.add(name)
                    break
            root_id = next(next_id)
            code = f"C{c + 1:02d}"
            root = UnitInfo(root_id, code, f"{name}信访局（联合接待中心）", f"{name}信访局", "county_center", None,
                           f"/{root_id}/", 0, True)
            county = County(root=root, name=name, abbr=name[0])
            self.units[root_id] = root
            n_t, n_b = max(2, int(per * 0.12)), max(2, int(per * 0.16))
            n_leaves = max(2, per - 1 - n_t - n_b)
            for j in range(n_t):
                uid = next(next_id)
                short = self._place() + ("镇" if j % 4 else "街道")
                unit = UnitInfo(uid, f"{code}T{j + 1:02d}", f"{name}{short}", short, "township", root_id,
                               f"{root.path}{uid}/", 1, True)
                county.townships.append(unit)
            for j in range(n_b):
                uid = next(next_id)
                short = _BUREAUS[j % len(_BUREAUS)] + ("" if j < len(_BUREAUS) else str(j // len(_BUREAUS) + 1))
                unit = UnitInfo(uid, f"{code}B{j + 1:02d}", f"{name}{short}", short, "bureau", root_id,
                               f"{root.path}{uid}/", 1, True)
                county.bureaus.append(unit)
            for j in range(n_leaves):
                uid = next(next_id)
                if j % 5 < 3:
                    parent = county.townships[j % n_t]
                    kind, short = "village", self._place() + "村"
                else:
                    parent = (county.bureaus + county.townships)[j % (n_b + n_t)]
                    kind, short = "enterprise", self._place() + "公司"
                unit = UnitInfo(uid, f"{code}L{j + 1:03d}", f"{parent.short_name}{short}", short, kind, parent.id,
                               f"{parent.path}{uid}/", 2, True)
                county.leaves.append(unit)
            for unit in county.townships + county.bureaus + county.leaves:
                self.units[unit.id] = unit
            self.counties.append(county)
        now = datetime.now(timezone.utc)
        rows = []
        for u in self.units.values():
            settings = "{}"
            if u.kind == "county_center":
                county = next(c for c in self.counties if c.root.id == u.id)
                settings = json.dumps({"county_name": county.name,
                                       "number_pattern": county.abbr + "信〔{year}〕{seq:05d}号"}, ensure_ascii=False)
            rows.append((u.id, u.code, u.name, u.short_name, u.kind, u.parent_id, u.path, u.depth, u.id, True, now,
                         now, settings))
        self.w.write("units", ("id", "code", "name", "short_name", "kind", "parent_id", "path", "depth",
                               "sort_order", "is_active", "created_at", "updated_at", "settings"), rows)
        self.counts["units"] = len(rows)

    def build_users(self, password_hash: str) -> None:
        now = datetime.now(timezone.utc)
        rows = []
        uid = itertools.count(1)

        def add(unit: UnitInfo, role: str, n: int, county: County):
            for k in range(n):
                user_id = next(uid)
                name = self.rng.choice(_SURNAMES) + self.rng.choice(_GIVEN) + self.rng.choice(_GIVEN)
                username = f"{unit.code.lower()}{role[0]}{k + 1}"
                rows.append((user_id, username, name, password_hash, role, True, False, now, now, now, None, 1,
                             unit.id))
                self.user_rows.append({"id": user_id, "username": username, "unit_id": unit.id, "roles": [role],
                                       "unit_kind": unit.kind, "county_unit_id": county.root.id})
                if role in ("receptionist", "head"):
                    county.clerks.setdefault(unit.id, []).append((user_id, name))

        for index, county in enumerate(self.counties):
            if index == 0:
                user_id = next(uid)
                rows.append((user_id, "admin", "系统管理员", password_hash, "admin", True, False, now, now, now, None,
                             1, county.root.id))
            add(county.root, "receptionist", 6, county)
            add(county.root, "head", 2, county)
            for unit in county.townships + county.bureaus:
                add(unit, "receptionist", 4, county)
                add(unit, "head", 1, county)
            for j, unit in enumerate(county.leaves):
                add(unit, "liaison", 1 + j % 2, county)
        self.w.write("users", ("id", "username", "name", "password_hash", "roles", "is_enabled",
                               "must_change_password", "created_at", "updated_at", "password_changed_at",
                               "last_login_at", "version", "unit_id"), rows)
        self.counts["users"] = len(rows)

    # ---- people ----------------------------------------------------------------------------------

    def _id_number(self) -> str:
        while True:
            born = date(1940, 1, 1) + timedelta(days=self.rng.randrange(65 * 365))
            first = f"99{self.rng.randrange(10000):04d}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
            value = first + check_digit(first)
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def _person(self, unit_id: int, at: datetime, rows: list) -> int:
        pid = self.next_petitioner_id
        self.next_petitioner_id += 1
        name = self.rng.choice(_SURNAMES) + self.rng.choice(_GIVEN) + (self.rng.choice(_GIVEN)
                                                                      if self.rng.random() < 0.7 else "")
        id_number = self._id_number() if self.rng.random() < 0.92 else None
        phone = f"199{self.rng.randrange(10 ** 8):08d}" if self.rng.random() < 0.85 else None
        self.person_names[pid] = name
        if id_number and len(self.id_numbers) < 2000 and self.rng.random() < 0.05:
            self.id_numbers.append(id_number)
        rows.append((
            pid, unit_id, name,
            crypto.encrypt(id_number, "id_number"), crypto.lookup_hash(id_number, "id_number"),
            mask_id(id_number) if id_number else None,
            crypto.encrypt(phone, "phone"), crypto.lookup_hash(phone, "phone"),
            mask_phone(phone) if phone else None, phone[-4:] if phone else None,
            crypto.lookup_hash(f"{name}|{phone}", "name_phone") if phone else None,
            self._place() + "村" + f"{self.rng.randrange(1, 99)}号", at))
        return pid

    # ---- matters ---------------------------------------------------------------------------------

    def _time(self, day: date) -> datetime:
        local = datetime.combine(day, dtime(8, 30)) + timedelta(minutes=self.rng.randrange(9 * 60))
        return (local - timedelta(hours=8)).replace(tzinfo=timezone.utc)

    def _code(self) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        while True:
            value = "".join(self.rng.choice(alphabet) for _ in range(10))
            if value not in self.codes:
                self.codes.add(value)
                return value

    def _clerk(self, county: County, unit_id: int):
        return self.rng.choice(county.clerks[unit_id])

    def _audit(self, rows: list, at: datetime, actor, unit_id: int, action: str, target_type: str, target_id) -> None:
        from county_net.audit.services import _digest

        self.audit_seq += 1
        rec = SimpleNamespace(seq=self.audit_seq, occurred_at=at, actor_id=actor[0], actor_name=actor[1],
                              actor_unit_id=unit_id, action=action, target_type=target_type,
                              target_id=str(target_id), detail="{}", client_addr="127.0.0.1",
                              prev_hash=self.audit_prev)
        rec.hash = _digest(rec)
        self.audit_prev = rec.hash
        rows.append((self.audit_seq, self.audit_seq, at, rec.actor_id, rec.actor_name, unit_id, action, target_type,
                     rec.target_id, "{}", "127.0.0.1", rec.prev_hash, rec.hash))

    def build_matters(self) -> None:
        from county_net.petitions.services import current_deadline
        from county_net.petitions.settings import county_settings

        rng = self.rng
        days_back = 36 * 30
        start = self.today - timedelta(days=days_back)
        # Slightly more matters lately: the day offset is drawn from a rising density.
        offsets = sorted(int(days_back * (rng.random() ** 0.85)) for _ in range(self.n_petitions))
        shape = self.shape
        county_pick = zipf_picker(rng, self.counties, s=shape.county_s)
        pickers = {id(c): (zipf_picker(rng, c.townships + c.bureaus, s=shape.handler_s),
                           zipf_picker(rng, c.townships, s=shape.township_s)) for c in self.counties}
        # One draw a matter, from the first age band that holds it.
        bands = [(days, Picker(rng, *zip(*pairs))) for days, pairs in shape.states]
        channel_pick = Picker(rng, *zip(*_CHANNELS))
        nature_pick = Picker(rng, *zip(*_NATURES))
        category_pick = zipf_picker(rng, self.category_ids, s=0.8)
        settings = {c.root.id: county_settings(c.root.id) for c in self.counties}
        due_cache: dict = {}

        progress = Progress("matters", self.n_petitions, self.out)
        petitions, people, parties, access, events, links, audit = [], [], [], [], [], [], []
        for index, offset in enumerate(offsets):
            pid = index + 1
            county = county_pick()
            handlers, townships = pickers[id(county)]
            day = start + timedelta(days=offset)
            age = (self.today - day).days
            received = self._time(day)
            year = day.year
            seq = self.counters.get((county.root.id, year), 0) + 1
            self.counters[(county.root.id, year)] = seq
            at_center = rng.random() < shape.at_center
            owner = county.root if at_center else townships()
            clerk = self._clerk(county, owner.id)
            state = next(pick for days, pick in bands if days is None or age <= days)()
            nature = nature_pick()
            topic = rng.choice(_TOPICS)
            n, m, place = rng.randrange(2, 60), rng.randrange(1, 300), self._place()  # drawn in this order
            # A third syllable: some 32,000 estates, villages, schools and sites in the province, so that a
            # named thing is in a few dozen matters, not in thousands.
            place += self.text_rng.choice(_SYLLABLES)
            summary = topic[1].format(n=n, m=m, place=place)
            head_count, collective = 1, False
            if rng.random() < 0.05:
                head_count, collective = rng.randrange(5, 60), True

            # Who: a repeat visitor, or new files (collective visits bring up to five representatives).
            party_ids, repeat_of = [], None
            if county.people and not collective and rng.random() < 0.42:
                person = county.people[int(len(county.people) * (rng.random() ** 0.5))]
                party_ids.append(person)
                repeat_of = county.last_matter_of.get(person)
            else:
                for _ in range(rng.randrange(2, 6) if collective else 1):
                    person = self._person(owner.id, received, people)
                    county.people.append(person)
                    party_ids.append(person)
            for position, person in enumerate(party_ids):
                parties.append((self.next_party_id, pid, person, position, collective))
                self.next_party_id += 1
                county.last_matter_of[person] = pid

            # The course: where it went and what happened there.
            route = None
            holder = owner
            sender = handling = None
            if state in ("registered", "redirected") or (state == "declined" and rng.random() < 0.5):
                route = None
            elif owner.kind == "township" and rng.random() < 0.6:
                route = "self"
            else:
                route = "assign" if rng.random() < 0.25 else "transfer"
            if route in ("transfer", "assign"):
                holder = handlers()
                if holder.id == owner.id:
                    route = "self"
                    holder = owner
                else:
                    sender = owner
            steps = [("register", None, "registered", owner, received)]
            t = received
            received_by_unit = received
            accepted_at = replied_at = closed_at = None
            reex_at = final_at = None
            report_due = None
            flow = ["registered"]
            if route in ("transfer", "assign"):
                t += timedelta(hours=rng.randrange(2, 48))
                received_by_unit = t
                target_state = "transferred" if route == "transfer" else "assigned"
                steps.append((route, "registered", target_state, owner, t, holder))
                access.append((self.next_access_id, pid, owner.id, holder.id, route, True, t, None))
                self.next_access_id += 1
                if route == "assign":
                    report_due = (day + timedelta(days=rng.choice((30, 45, 60))))
                flow.append(target_state)
            order = ["signed", "handling", "replied", "reported", "closed", "reexamination", "final_review",
                     "concluded"]
            goal = state
            if state in ("transferred", "assigned") and route not in ("transfer", "assign"):
                goal = "registered"
            if state == "declined":
                if route in ("transfer", "assign"):
                    t += timedelta(hours=rng.randrange(2, 72))
                    steps.append(("sign_for", flow[-1], "signed", holder, t))
                    flow.append("signed")
                t += timedelta(days=rng.randrange(1, 10))
                steps.append(("decline", flow[-1], "declined", holder, t))
            elif state == "redirected":
                t += timedelta(hours=rng.randrange(1, 48))
                steps.append(("redirect", "registered", "redirected", owner, t))
            elif goal in order:
                for nxt in order:
                    if nxt == "signed" and route not in ("transfer", "assign"):
                        continue
                    if nxt == "reported" and route != "assign":
                        continue
                    if nxt == "signed":
                        t += timedelta(hours=rng.randrange(2, 72))
                        steps.append(("sign_for", flow[-1], "signed", holder, t))
                    elif nxt == "handling":
                        t += timedelta(days=rng.randrange(0, 12))
                        accepted_at = t
                        kind = "accept" if route in ("transfer", "assign") else "handle_self"
                        steps.append((kind, flow[-1], "handling", holder, t))
                        handling = holder
                    elif nxt == "replied":
                        t += timedelta(days=rng.randrange(8, 75))
                        replied_at = t
                        steps.append(("reply", flow[-1], "replied", holder, t))
                    elif nxt == "reported":
                        t += timedelta(days=rng.randrange(1, 6))
                        steps.append(("file_report", flow[-1], "reported", holder, t))
                    elif nxt == "closed":
                        t += timedelta(days=rng.randrange(1, 10))
                        if route == "assign":
                            steps.append(("approve_report", flow[-1], "closed", owner, t))
                        else:
                            steps.append(("close", flow[-1], "closed", holder, t))
                        closed_at = t
                    elif nxt == "reexamination":
                        t += timedelta(days=rng.randrange(2, 28))
                        reex_at = t
                        steps.append(("request_reexamination", flow[-1], "reexamination", holder, t))
                    elif nxt == "final_review":
                        t += timedelta(days=rng.randrange(20, 30))
                        steps.append(("decide_reexamination", flow[-1], "closed", county.root, t))
                        t += timedelta(days=rng.randrange(2, 28))
                        final_at = t
                        steps.append(("request_final_review", "closed", "final_review", holder, t))
                    elif nxt == "concluded":
                        t += timedelta(days=rng.randrange(20, 30))
                        steps.append(("decide_final_review", flow[-1], "concluded", county.root, t))
                    flow.append(nxt)
                    if nxt == goal:
                        break
            now = datetime.now(timezone.utc)
            # Never in the future: squeeze the course into the time that has passed.
            if t > now:
                span = (t - received).total_seconds() or 1
                room = max(60.0, (now - received).total_seconds() - 60)
                steps = [(s[0], s[1], s[2], s[3], received + timedelta(seconds=(s[4] - received).total_seconds()
                                                                       * room / span), *s[5:]) for s in steps]
                scale = room / span
                fix = (lambda v: None if v is None else received + timedelta(
                    seconds=(v - received).total_seconds() * scale))
                received_by_unit, accepted_at, replied_at, closed_at, reex_at, final_at = map(
                    fix, (received_by_unit, accepted_at, replied_at, closed_at, reex_at, final_at))
            final_state = steps[-1][2]
            for step in steps:
                kind, from_state, to_state, unit, when = step[:5]
                actor = self._clerk(county, unit.id) if unit.id in county.clerks else clerk
                target = step[5].id if len(step) > 5 else None
                payload = json.dumps({"number": None} if kind == "register" else {}, ensure_ascii=False)
                events.append((self.next_event_id, pid, kind, from_state, to_state, actor[0], actor[1], unit.id,
                               target, when, "", payload))
                self.next_event_id += 1

            accused = None
            if nature == "accusation":
                accused = rng.choice(county.leaves)  # a leaf is never above the unit handling it
                self._audit(audit, received, clerk, owner.id, "petition.confidential_registered", "petition", pid)
            elif rng.random() < 0.004:
                self._audit(audit, received + timedelta(minutes=5), clerk, owner.id, "petitioner.revealed",
                            "petitioner", party_ids[0])
            self.repeat_sources.append((pid, county.root.id, received, topic[0], place, summary + topic[2],
                                        tuple(party_ids)))
            if repeat_of is not None:
                links.append((self.next_link_id, pid, repeat_of, 100, "same_petitioner", "confirmed"))
                self.next_link_id += 1

            review_unit = county.root.id if final_state in ("reexamination", "final_review", "concluded") else None
            # A few clocks stand still (a hearing, missing materials); some pauses have run out, so the first
            # deadline sweep has real work: it resumes them.
            paused_since = paused_until = pause_reason = None
            if final_state == "handling" and accepted_at is not None and rng.random() < 0.02:
                paused_since = accepted_at + timedelta(days=rng.randrange(1, 10))
                if paused_since < now:
                    pause_reason = rng.choice(("materials", "hearing"))
                    paused_until = paused_since.date() + timedelta(days=rng.randrange(5, 30))
                    steps.append(("pause", "handling", "handling", holder, paused_since))
                    events.append((self.next_event_id, pid, "pause", "handling", "handling",
                                   self._clerk(county, holder.id)[0], self._clerk(county, holder.id)[1], holder.id,
                                   None, paused_since, "", "{}"))
                    self.next_event_id += 1
                else:
                    paused_since = None
            row = SimpleNamespace(
                state=final_state, holder_unit_id=holder.id, received_at=received,
                received_by_unit_at=received_by_unit, is_simple=False, accepted_at=accepted_at, extension_days=0,
                paused_days=0, paused_since=paused_since, paused_until=paused_until, route=route,
                report_due_on=report_due,
                reexamination_requested_at=reex_at, final_review_requested_at=final_at,
                county_unit_id=county.root.id)
            key = (final_state, holder.id, received_by_unit.date() if received_by_unit else None,
                   accepted_at.date() if accepted_at else None, route, report_due,
                   reex_at.date() if reex_at else None, final_at.date() if final_at else None, received.date())
            if paused_since is not None:
                due_step, due_on = current_deadline(row, settings[county.root.id])
            else:
                if key not in due_cache:
                    due_cache[key] = current_deadline(row, settings[county.root.id])
                due_step, due_on = due_cache[key]
            if final_state in OPEN_STATES:
                self.open_by_unit[holder.id] = self.open_by_unit.get(holder.id, 0) + 1
                self.overdue += due_on is not None and due_on < self.today
            number = settings[county.root.id]["number_pattern"].format(year=year, seq=seq)
            finished = final_state in ("closed", "declined", "redirected", "concluded")
            archived = finished and age > 400 and rng.random() < 0.8
            petitions.append((
                pid, owner.id, county.root.id, year, seq, number, self._code(), clerk[0], received, received,
                channel_pick(), head_count, collective, rng.choice(county.townships).id, category_pick(), nature,
                summary, topic[2], accused.id if accused else None, None, repeat_of is not None,
                repeat_of, False, False, False, final_state, holder.id,
                handling.id if handling else None, sender.id if sender else None, route, received_by_unit, report_due,
                accepted_at, replied_at, "support" if replied_at else None, closed_at, 0, 0, paused_since, pause_reason,
                paused_until,
                review_unit, f"{county.name}人民政府" if review_unit else None, reex_at, None, None, final_at, None, None,
                steps[-1][4] if final_state == "concluded" else None,
                rng.choice(("satisfied", "basically_satisfied", "unsatisfied")) if closed_at else None,
                closed_at, archived, steps[-1][4] if archived else None, due_step, due_on, len(steps)))
            if len(petitions) >= CHUNK:
                self._flush(petitions, people, parties, access, events, links, audit)
                progress.step(len(petitions))
                petitions, people, parties, access, events, links, audit = [], [], [], [], [], [], []
        if petitions:
            n = len(petitions)
            self._flush(petitions, people, parties, access, events, links, audit)
            progress.step(n)
        progress.close()

    PETITION_COLUMNS = (
        "id", "unit_id", "county_unit_id", "year", "seq", "number", "query_code", "registered_by_id", "received_at",
        "registered_at", "channel", "head_count", "is_collective", "locality_unit_id", "category_id", "nature",
        "summary", "demands", "accused_unit_id", "accused_description", "is_repeat", "thread_id",
        "is_no_longer_accepted", "is_major", "is_simple", "state", "holder_unit_id", "handling_unit_id",
        "sender_unit_id", "route", "received_by_unit_at", "report_due_on", "accepted_at", "replied_at",
        "reply_outcome", "closed_at", "extension_days", "paused_days", "paused_since", "pause_reason", "paused_until",
        "review_unit_id", "review_organ", "reexamination_requested_at", "reexamination_decided_at",
        "reexamination_result", "final_review_requested_at", "final_review_decided_at", "final_review_result",
        "concluded_at", "satisfaction", "satisfaction_at", "is_archived", "archived_at", "due_step", "due_on",
        "version")

    def _matter_copies(self, petitions) -> dict:
        """Each matter's county and accused unit, which its child rows carry (PetitionChild)."""
        county, accused = self.PETITION_COLUMNS.index("county_unit_id"), self.PETITION_COLUMNS.index("accused_unit_id")
        copies = {row[0]: (row[county], row[accused]) for row in petitions}
        self.accused_of.update((pid, c[1]) for pid, c in copies.items() if c[1] is not None)
        return copies

    def _flush(self, petitions, people, parties, access, events, links, audit) -> None:
        w = self.w
        copies = self._matter_copies(petitions)
        parties, events, links = ([(*row, *copies[row[1]]) for row in rows] for rows in (parties, events, links))
        w.write("petitioners", ("id", "unit_id", "name", "id_number_enc", "id_number_hash", "id_number_masked",
                                "phone_enc", "phone_hash", "phone_masked", "phone_last4", "name_phone_hash",
                                "address", "created_at"), people)
        w.write("petitions", self.PETITION_COLUMNS, petitions)
        w.write("petition_parties", ("id", "petition_id", "petitioner_id", "position", "is_representative",
                                     "county_unit_id", "accused_unit_id"), parties)
        w.write("petition_access", ("id", "petition_id", "unit_id", "grantee_unit_id", "via", "is_active",
                                    "created_at", "ended_at"), access)
        w.write("petition_events", ("id", "petition_id", "kind", "from_state", "to_state", "actor_id", "actor_name",
                                    "actor_unit_id", "target_unit_id", "occurred_at", "note", "payload",
                                    "county_unit_id", "accused_unit_id"), events)
        w.write("petition_links", ("id", "petition_id", "earlier_id", "score", "reason", "status", "county_unit_id",
                                   "accused_unit_id"), links)
        w.write("audit_records", ("id", "seq", "occurred_at", "actor_id", "actor_name", "actor_unit_id", "action",
                                  "target_type", "target_id", "detail", "client_addr", "prev_hash", "hash"), audit)
        w.commit()
        for key, rows in (("petitions", petitions), ("petitioners", people), ("parties", parties),
                          ("access", access), ("events", events), ("links", links), ("audit", audit)):
            self.counts[key] += len(rows)

    # ---- screening sheets (issue 11) -----------------------------------------------------------------

    SHEET_COLUMNS = ("id", "unit_id", "county_unit_id", "period_kind", "period_start", "period_end", "period_code",
                     "revision", "due_on", "is_nil", "note", "state", "counted", "late", "filled_by_name",
                     "submitted_at", "signed_by_name", "filed_at", "accepted_by_name", "accepted_at", "created_at",
                     "updated_at", "version")
    DISPUTE_COLUMNS = ("id", "report_id", "unit_id", "county_unit_id", "seq", "origin_key", "carried", "found_on",
                       "dispute_type", "parties", "people_count", "scale_band", "place", "summary", "risk_level",
                       "is_major", "collective_risk", "skip_level_risk", "measures", "responsible_unit",
                       "responsible_leader", "status", "target_date")

    def build_screening(self) -> None:
        """Every reporting unit's sheets for the last `screening_months` months (villages by half month, the
        others by month, as the default settings say): 0–6 lines each, open lines carried into the next
        sheet (same origin_key, a status that moves on), some nil, some late, a few missing; the newest filed
        revision counted. Written in bulk like the matters."""
        from county_net.deadlines.periods import MONTH, period_of, periods_back, periods_within, screening_due_on
        from county_net.petitions.settings import county_settings
        from county_net.screening.models import scale_band
        from county_net.screening.settings import DISPUTE_TYPES, ScreeningSettings

        rng = self.rng
        settings = ScreeningSettings({})
        months = list(reversed(periods_back(period_of(MONTH, self.today), self.screening_months)))
        calendars = {c.root.id: county_settings(c.root.id).calendar() for c in self.counties}
        type_pick = zipf_picker(rng, DISPUTE_TYPES, s=0.9)
        units = [(c, u) for c in self.counties for u in c.townships + c.bureaus + c.leaves
                 if settings.cadence(u.kind)]
        progress = Progress("screening", len(months), self.out)
        next_sheet, next_line = itertools.count(1), itertools.count(1)
        open_lines: dict[int, list] = {}  # unit id -> lines still open after its last sheet
        due_cache: dict = {}
        for month in months:
            sheets, lines = [], []
            for county, unit in units:
                kind = settings.cadence(unit.kind)
                for period in periods_within(kind, month.start, month.end):
                    if period.end > self.today or rng.random() < 0.03:
                        continue  # not due yet, or missing (缺报)
                    key = (county.root.id, period)
                    if key not in due_cache:
                        due_cache[key] = screening_due_on(period, settings.due_spec(kind), calendars[county.root.id])
                    due_on = due_cache[key]
                    late = rng.random() < 0.1
                    filed_day = due_on + timedelta(days=rng.randrange(1, 10)) if late else \
                        due_on - timedelta(days=rng.randrange(0, 6))
                    filed_at = self._time(filed_day)
                    sheet_id = next(next_sheet)
                    carried = [ln for ln in open_lines.get(unit.id, []) if rng.random() < 0.8][:6]
                    new = rng.choice((0, 1, 1, 2, 2, 3, 4)) if rng.random() < 0.75 else 0
                    body, still_open = [], []
                    for origin, dtype, people, found in carried:
                        status = rng.choice(("mediating", "mediating", "resolved", "resolved", "escalated"))
                        body.append((origin, dtype, people, found, True, status))
                    for _ in range(min(new, 6 - len(body))):
                        people = int(rng.paretovariate(1.1) * 2)
                        origin = f"b{sheet_id:07d}x{len(body)}"
                        body.append((origin, type_pick(), max(1, people), period.start + timedelta(
                            days=rng.randrange((period.end - period.start).days + 1)), False,
                            rng.choice(("screened", "screened", "mediating", "resolved"))))
                    accepted = rng.random() < 0.85
                    sheets.append((sheet_id, unit.id, county.root.id, kind, period.start, period.end, period.code, 1,
                                   due_on, not body, "", "accepted" if accepted else "filed", True, late, "信息员",
                                   filed_at, "负责人", filed_at, "上级" if accepted else None,
                                   filed_at + timedelta(days=1) if accepted else None, filed_at, filed_at, 1))
                    for seq, (origin, dtype, people, found, was_carried, status) in enumerate(body, 1):
                        level = "L3" if people > 30 else "L2" if people >= 10 else "L1" if people >= 3 else "L0"
                        lines.append((next(next_line), sheet_id, unit.id, county.root.id, seq, origin, was_carried,
                                      found, dtype, "张某与李某", people, scale_band(people), unit.short_name,
                                      "因合同履行发生争议", level, level in ("L2", "L3"), people >= 30, False,
                                      "已约谈双方", unit.short_name, "王某", status, None))
                        if status in ("screened", "mediating", "escalated"):
                            still_open.append((origin, dtype, people, found))
                    open_lines[unit.id] = still_open
            self.w.write("screening_reports", self.SHEET_COLUMNS, sheets)
            self.w.write("disputes", self.DISPUTE_COLUMNS, lines)
            self.w.commit()
            self.counts["screening_reports"] += len(sheets)
            self.counts["disputes"] += len(lines)
            progress.step(1)
        progress.close()
        # superseded_on, as the services keep it when a sheet is signed: the next counted line's period end.
        self.w.execute("""UPDATE disputes SET superseded_on = nxt.next_end FROM (
            SELECT d.id AS id, LEAD(r.period_end) OVER (PARTITION BY d.origin_key
                                                        ORDER BY r.period_end, r.id, d.id) AS next_end
            FROM disputes d JOIN screening_reports r ON r.id = d.report_id WHERE r.counted) AS nxt
            WHERE disputes.id = nxt.id AND nxt.next_end IS NOT NULL""")
        self.w.commit()

    # ---- the repeat detector's tables (issue 13) ---------------------------------------------------------

    def build_repeats(self) -> None:
        """Each matter's reading, its keyed-hash terms and the counties' document frequencies, the values
        county_net.repeats.index writes at registration (`flask repeats reindex` would write the same). A text
        is read once however many matters share it, and texts are read grouped by template and place, so
        that the segmenter's cache serves those that differ only in their figures."""
        from collections import Counter

        from county_net.repeats import index
        from county_net.repeats.text import mask_name, read

        started = time.monotonic()
        key = index.hash_key()
        sources = self.repeat_sources
        entries: dict[str, tuple] = {}  # text -> (reading row values, the reading)
        texts = sorted({(src[3], src[4], src[5]) for src in sources})
        progress = Progress("readings", len(texts), self.out)
        for done, (_, _, text) in enumerate(texts, 1):
            reading = read(text)
            values = index.reading_values(reading)
            entries[text] = ((values["words"], values["amounts"], values["objects"], values["names"],
                              values["reader_version"]), reading)
            if done % 5000 == 0:
                progress.step(5000)
        progress.step(len(texts) % 5000)
        progress.close()
        person_terms: dict[tuple, str | None] = {}
        own_terms: dict[tuple, frozenset] = {}  # (text, county): terms are keyed to their county

        def person_term(name: str, county_id: int) -> str | None:
            if (name, county_id) not in person_terms:
                masked = mask_name(name)
                person_terms[name, county_id] = index.term("p", masked, county_id, key) if masked else None
            return person_terms[name, county_id]

        def terms(text: str, county_id: int) -> frozenset:
            if (text, county_id) not in own_terms:
                own_terms[text, county_id] = frozenset(index.terms_of(entries[text][1], county_id, (), key))
            return own_terms[text, county_id]

        per_county: dict[int, Counter] = {}
        fts_triggers = self._drop_fts_triggers()
        progress = Progress("repeats", len(sources), self.out)
        for start in range(0, len(sources), CHUNK):
            readings, rows = [], []
            for pid, county_id, received, _, _, text, people in sources[start:start + CHUNK]:
                values = entries[text][0]
                keys = set(terms(text, county_id))
                keys.update(t for t in (person_term(self.person_names[p], county_id) for p in people) if t)
                readings.append((pid, pid, *values, county_id, self.accused_of.get(pid)))
                rows.append((pid, county_id, received, " ".join(sorted(keys))))
                per_county.setdefault(county_id, Counter())[text] += 1
            self.w.write("petition_readings", ("id", "petition_id", "words", "amounts", "objects", "names",
                                               "reader_version", "county_unit_id", "accused_unit_id"), readings)
            self.w.write("repeat_index", ("petition_id", "county_unit_id", "received_at", "terms"), rows)
            self.w.commit()
            progress.step(len(rows))
        progress.close()
        counts = []
        for county_id, by_text in sorted(per_county.items()):
            df: Counter = Counter()
            for text, count in by_text.items():
                for k in index.counted_terms(terms(text, county_id)):
                    df[k] += count
            df[index.DOCUMENTS] = sum(by_text.values())
            counts += [(county_id, k, n) for k, n in sorted(df.items())]
        self.w.write("repeat_terms", ("county_unit_id", "term", "df"), counts)
        self.w.commit()
        self._restore_fts(fts_triggers)
        self.counts["repeat_terms"] = len(counts)
        self.counts["distinct_texts"] = len(entries)
        self.repeat_sources = []
        self.repeat_seconds += time.monotonic() - started

    def _drop_fts_triggers(self) -> list[str]:
        """SQLite: the FTS5 table is filled in one rebuild after the load, not row by row by its triggers."""
        if self.w.dialect != "sqlite":
            return []
        self.w.cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'repeat_index'")
        found = self.w.cur.fetchall()
        for name, _ in found:
            self.w.execute(f"DROP TRIGGER {name}")
        self.w.commit()
        return [sql for _, sql in found]

    def _restore_fts(self, triggers: list[str]) -> None:
        if self.w.dialect != "sqlite":
            return
        self.w.execute("INSERT INTO repeat_index_fts(repeat_index_fts) VALUES ('rebuild')")
        for sql in triggers:  # as the migration wrote them
            self.w.execute(sql)
        self.w.commit()

    def write_counters(self) -> None:
        self.w.write("petition_counters", ("county_unit_id", "year", "last_seq"),
                     [(c, y, s) for (c, y), s in sorted(self.counters.items())])
        self.w.commit()

    def fix_sequences(self) -> None:
        if self.w.dialect != "postgresql":
            return
        for table in ("units", "users", "petitioners", "petitions", "petition_parties", "petition_access",
                      "petition_events", "petition_links", "audit_records", "screening_reports", "disputes",
                      "petition_readings"):
            self.w.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT COALESCE(max(id), 1) FROM {table}))")
        self.w.commit()

    def open_matters(self) -> dict:
        handling = [u.id for c in self.counties for u in c.townships + c.bureaus]
        found = open_distribution(self.open_by_unit, handling, [c.root.id for c in self.counties])
        found["overdue"] = self.overdue
        found["matters"] = self.counts["petitions"]
        return found

    def manifest(self, seconds: float) -> dict:
        """What the load driver needs: sample users of the busiest units, matters each can see, ID numbers."""
        from sqlalchemy import select

        from county_net.extensions import db
        from county_net.petitions.models import Petition, PetitionAccess
        from county_net.tenancy import system_scope

        db.session.remove()  # a read transaction opened before the load would not see what it wrote
        with system_scope("bench manifest"):
            busiest = db.session.execute(
                select(Petition.holder_unit_id, db.func.count()).group_by(Petition.holder_unit_id)
                .order_by(db.func.count().desc()).limit(24)).all()
            sample_units = [u for u, _ in busiest]
            for county in self.counties[:4]:
                if county.root.id not in sample_units:
                    sample_units.append(county.root.id)
            users = []
            for unit_id in sample_units:
                unit = self.units[unit_id]
                county = next(c for c in self.counties if c.root.id == unit.county_id)
                person = next(u for u in self.user_rows if u["unit_id"] == unit_id and u["roles"] == ["receptionist"])
                subtree = [u.id for u in self.units.values() if u.path.startswith(unit.path)]
                granted = select(PetitionAccess.petition_id).where(PetitionAccess.grantee_unit_id.in_(subtree))
                ids = db.session.scalars(
                    select(Petition.id).where(db.or_(Petition.unit_id.in_(subtree), Petition.id.in_(granted)),
                                              Petition.accused_unit_id.is_(None))
                    .order_by(Petition.id.desc()).limit(200)).all()
                users.append({**person, "petition_ids": list(ids),
                              "transfer_to": [u.id for u in (county.bureaus + county.townships)[:20]
                                              if u.id != unit_id],
                              "category_ids": self.category_ids})
        return {
            "engine": self.w.dialect, "seed": self.seed, "today": self.today.isoformat(),
            "sizes": {"units": self.counts["units"], "users": self.counts["users"],
                      "petitioners": self.counts["petitioners"], "petitions": self.counts["petitions"],
                      "events": self.counts["events"], "access": self.counts["access"],
                      "parties": self.counts["parties"], "links": self.counts["links"],
                      "audit": self.counts["audit"], "screening_reports": self.counts["screening_reports"],
                      "disputes": self.counts["disputes"], "repeat_terms": self.counts.get("repeat_terms", 0),
                      "distinct_texts": self.counts.get("distinct_texts", 0)},
            "preset": self.preset, "shape": self.shape.describe(), "open_matters": self.open_matters(),
            "version": VERSION, "password": PASSWORD, "generate_seconds": round(seconds, 1),
            "repeat_seconds": round(self.repeat_seconds, 1), "users": users,
            "id_numbers": self.id_numbers[:500],
            "counties": [{"unit_id": c.root.id, "name": c.name} for c in self.counties],
        }

    def build_network(self, password_hash: str) -> None:
        """The units and their users, and the migration's categories read: what the matters are drawn on."""
        from county_net.units.directory import forget

        self.w.execute("SELECT id FROM categories WHERE is_active = %s ORDER BY sort_order, id", (True,))
        self.category_ids = [r[0] for r in self.w.cur.fetchall()]
        self.build_units()
        self.build_users(password_hash)
        self.w.commit()
        forget()

    def run(self) -> dict:
        from county_net.accounts.passwords import hash_password

        started = time.monotonic()
        if not self.w.empty():
            raise RuntimeError("数据库中已有单位：请对一个刚迁移的空数据库生成测试数据")
        self.w.drop_indexes()
        self.build_network(hash_password(PASSWORD))
        self.build_matters()
        self.build_repeats()
        if self.screening_months:
            self.build_screening()
        self.write_counters()
        self.fix_sequences()
        progress = Progress("indexes", len(self.w.dropped), self.out)
        spent = self.w.rebuild_indexes(progress)
        self.repeat_seconds += sum(spent.get(t, 0.0) for t in REPEAT_TABLES)
        progress.close()
        self.out.write("analyze …\n")
        self.w.finish()
        self._recount_inboxes()
        return self.manifest(time.monotonic() - started)

    def _recount_inboxes(self) -> None:
        """The inbox counters the services keep, from the matters just written (flask petitions recount)."""
        from county_net.core.database import writing
        from county_net.extensions import db
        from county_net.petitions.boxes import recount

        db.session.remove()
        self.out.write("inbox counters …\n")
        with writing():
            recount()
            db.session.commit()
        db.session.remove()
