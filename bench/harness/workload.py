"""Who the benchmark acts as, and the request lists each operation replays."""
from __future__ import annotations

import http.client
import json
import random
import re
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

# Kept in step with county_net/petitions/workflow.py (checked at start by bench/run).
OPEN_STATES = ("registered", "returned", "transferred", "assigned", "signed", "handling", "replied",
               "reported", "reexamination", "final_review")
SEARCH_STATES = ("handling", "closed", "registered", "signed", "replied")
CHANNELS = ("visit", "letter", "phone", "online")
NATURES = ("demand", "demand", "demand", "suggestion", "inquiry", "appeal")


@dataclass
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: str = ""

    def line(self) -> str:
        heads = "\x1f".join(f"{k}: {v}" for k, v in self.headers.items())
        for part in (self.method, self.path, heads, self.body):
            if any(c in part for c in "\t\n\r"):
                raise ValueError(f"request field holds a tab or newline: {part[:60]!r}")
        return f"{self.method}\t{self.path}\t{heads}\t{self.body}"


def write_requests(path: Path, requests: list[Request]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(r.line() + "\n" for r in requests), encoding="utf-8")
    return path


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# ---- logging in -----------------------------------------------------------------------------------

class LoginError(RuntimeError):
    pass


def _cookies(response) -> dict:
    jar = {}
    for raw in response.msg.get_all("Set-Cookie") or []:
        pair = raw.split(";", 1)[0]
        if "=" in pair:
            name, value = pair.split("=", 1)
            jar[name.strip()] = value.strip()
    return jar


def _http(port: int, method: str, path: str, headers=None, body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]*)"')


def web_login(port: int, username: str, password: str) -> str:
    """The `Cookie` header value of a logged-in browser session, via the real login form."""
    response, body = _http(port, "GET", "/login")
    jar = _cookies(response)
    tag = _CSRF.search(body.decode("utf-8", "replace"))
    if response.status != 200 or not tag or not _VALUE.search(tag.group(0)):
        raise LoginError(f"GET /login: {response.status}, no csrf_token")
    csrf = _VALUE.search(tag.group(0)).group(1)
    form = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": csrf}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
    response, body = _http(port, "POST", "/login", headers, form)
    if response.status not in (302, 303):
        raise LoginError(f"POST /login as {username}: {response.status} {body[:200]!r}")
    jar.update(_cookies(response))
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    response, body = _http(port, "GET", "/inbox", {"Cookie": cookie})
    if response.status != 200:
        raise LoginError(f"GET /inbox after login as {username}: {response.status}")
    return cookie


def api_login(port: int, username: str, password: str) -> str:
    response, body = _http(port, "POST", "/api/v1/auth/token", {"Content-Type": "application/json"},
                           _json({"username": username, "password": password}).encode())
    if response.status != 201:
        raise LoginError(f"POST /api/v1/auth/token as {username}: {response.status} {body[:200]!r}")
    return json.loads(body)["token"]


def probe(port: int, req: Request) -> tuple[int, str]:
    """Send one request and return (status, body excerpt): used to explain unexpected statuses."""
    response, body = _http(port, req.method, req.path, dict(req.headers), req.body.encode() if req.body else None)
    return response.status, body[:300].decode("utf-8", "replace")


# ---- the people ----------------------------------------------------------------------------------

@dataclass
class Actor:
    username: str
    unit_id: int
    unit_kind: str
    county_unit_id: int
    petition_ids: list
    transfer_to: list
    category_ids: list
    roles: list
    cookie: str = ""
    token: str = ""

    @property
    def web(self) -> dict:
        return {"Cookie": self.cookie}

    @property
    def api(self) -> dict:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    @property
    def is_center(self) -> bool:
        return self.unit_kind == "county_center"


def pick_actors(manifest: dict, max_users: int) -> list[Actor]:
    """County-center receptionists (all, up to a quarter of the sample) and inbox owners of distinct units."""
    users = manifest["users"]
    centers = [u for u in users if u["unit_kind"] == "county_center"]
    others = [u for u in users if u["unit_kind"] != "county_center"]
    chosen, seen_units = [], set()
    for u in centers[:max(2, max_users // 4)]:
        chosen.append(u)
    for u in sorted(others, key=lambda u: (-len(u.get("petition_ids") or []), u["username"])):
        if len(chosen) >= max_users:
            break
        if u["unit_id"] in seen_units:
            continue
        seen_units.add(u["unit_id"])
        chosen.append(u)
    return [Actor(username=u["username"], unit_id=u["unit_id"], unit_kind=u["unit_kind"],
                  county_unit_id=u.get("county_unit_id") or 0, petition_ids=list(u.get("petition_ids") or []),
                  transfer_to=list(u.get("transfer_to") or []), category_ids=list(u.get("category_ids") or []),
                  roles=list(u.get("roles") or [])) for u in chosen]


# ---- synthetic registration bodies ------------------------------------------------------------------

_SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华平刚桂兰玉珍春梅海燕"
_PLACES = ("东关", "西河", "南岭", "北塘", "青石", "柳湾", "白沙", "桃源", "石桥", "龙泉")
_TEMPLATES = (
    ("{place}某建筑公司拖欠{name}等{n}名工人{year}年工资共计{m}万元，多次讨要未果。", "请求督促支付拖欠工资。"),
    ("{place}村土地征收补偿款{m}万元至今未发放到户，{name}多次反映无果。", "请求依法发放补偿款。"),
    ("{place}小区{n}号楼外墙渗水、地基下沉，开发商拒不维修，{name}代表业主反映。", "请求责令开发商维修。"),
    ("{place}附近养殖场臭气扰民、污水直排河道，已持续{n}个月。", "请求依法查处并整改。"),
    ("{name}申请城乡低保被拒，家中{n}口人无固定收入，生活困难。", "请求重新审核低保资格。"),
    ("{place}路段坑洼积水{n}个月无人修补，{name}反映出行困难。", "请求尽快修复道路。"),
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def synthetic_id(rng: random.Random) -> str:
    """A checksum-valid ID number in the unassigned region 98 (never a real person's)."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
    first = f"98{rng.randrange(10000):04d}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first + _CHECK[sum(int(d) * w for d, w in zip(first, _WEIGHTS)) % 11]


def synthetic_person(rng: random.Random, id_numbers: list) -> dict:
    name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
    # About half are people already on file, so repeat detection has something to find.
    id_number = rng.choice(id_numbers) if id_numbers and rng.random() < 0.5 else synthetic_id(rng)
    return {"name": name, "id_number": id_number, "phone": f"139{rng.randrange(10**8):08d}"}


def registration_body(rng: random.Random, actor: Actor, id_numbers: list) -> dict:
    person = synthetic_person(rng, id_numbers)
    summary, demands = rng.choice(_TEMPLATES)
    fill = {"place": rng.choice(_PLACES), "name": person["name"], "n": rng.randrange(2, 40),
            "m": round(rng.uniform(0.5, 80), 2), "year": rng.choice((2024, 2025, 2026))}
    return {"channel": rng.choice(CHANNELS), "nature": rng.choice(NATURES),
            "category_id": rng.choice(actor.category_ids) if actor.category_ids else 1,
            "summary": summary.format(**fill), "demands": demands, "petitioners": [person]}


# ---- request lists ----------------------------------------------------------------------------------

def read_pairs(actors: list[Actor], rng: random.Random, count: int) -> list[tuple[Actor, int]]:
    pool = [(a, pid) for a in actors for pid in a.petition_ids]
    if not pool:
        raise RuntimeError("the manifest lists no petition_ids for the sampled users")
    return [rng.choice(pool) for _ in range(count)]


def b1(pairs) -> list[Request]:
    return [Request("GET", f"/b/petition/{pid}") for _, pid in pairs]


def b1r(pairs) -> list[Request]:
    return [Request("GET", f"/b/petition-rls/{pid}?unit={a.unit_id}") for a, pid in pairs]


def matter_page(pairs) -> list[Request]:
    return [Request("GET", f"/petitions/{pid}", a.web) for a, pid in pairs]


def b2(units: list[int], rng: random.Random, count: int, page: int = 1) -> list[Request]:
    return [Request("GET", f"/b/inbox/{rng.choice(units)}?page={page}") for _ in range(count)]


def inbox_p1(actors: list[Actor], rng: random.Random, count: int) -> list[Request]:
    out = []
    for i in range(count):
        a = rng.choice(actors)
        out.append(Request("GET", "/inbox" if i % 2 == 0 else "/inbox?box=to_sign", a.web))
    return out


def inbox_p50(actors: list[Actor], rng: random.Random, count: int) -> list[Request]:
    return [Request("GET", "/inbox?box=all_open&page=50", rng.choice(actors).web) for _ in range(count)]


def search(actors: list[Actor], rng: random.Random, count: int, today: date) -> list[Request]:
    out = []
    for _ in range(count):
        a = rng.choice(actors)
        since = today - timedelta(days=rng.choice((90, 180, 365, 730)))
        query = urllib.parse.urlencode({"state": rng.choice(SEARCH_STATES),
                                        "category_id": rng.choice(a.category_ids or [1]),
                                        "received_from": since.isoformat()})
        out.append(Request("GET", f"/petitions?{query}", a.web))
    return out


def board(centers: list[Actor], rng: random.Random, count: int) -> list[Request]:
    """The county center's board (督办看板): its home's figures, by unit, with their links."""
    return [Request("GET", "/desk", rng.choice(centers).web) for _ in range(count)]


def timeline(pairs) -> list[Request]:
    return [Request("GET", f"/api/v1/petitions/{pid}/events", {"Authorization": a.api["Authorization"]})
            for a, pid in pairs]


def lookup(actors: list[Actor], id_numbers: list, rng: random.Random, count: int) -> list[Request]:
    if not id_numbers:
        raise RuntimeError("the manifest lists no id_numbers")
    return [Request("POST", "/api/v1/petitioners/lookup", rng.choice(actors).api,
                    _json({"id_number": rng.choice(id_numbers)})) for _ in range(count)]


def api_list(actors: list[Actor], rng: random.Random, count: int) -> list[Request]:
    out = []
    for i in range(count):
        a = rng.choice(actors)
        if i % 2 == 0:
            path = "/api/v1/petitions?box=all_open&page=1"
        else:
            path = "/api/v1/petitions?" + urllib.parse.urlencode(
                {"state": rng.choice(SEARCH_STATES), "category_id": rng.choice(a.category_ids or [1])})
        out.append(Request("GET", path, {"Authorization": a.api["Authorization"]}))
    return out


def register(centers: list[Actor], id_numbers: list, rng: random.Random, count: int) -> list[Request]:
    out = []
    for _ in range(count):
        a = rng.choice(centers)
        out.append(Request("POST", "/api/v1/petitions", a.api, _json(registration_body(rng, a, id_numbers))))
    return out


def repeat_preview(items: list[dict], center_of: dict) -> list[Request]:
    """The desk's two lists before saving, as the county center's receptionist (bench/repeat_preview.py)."""
    return [Request("POST", "/api/v1/repeats/preview", center_of[it["county"]].api, _json(it["body"]))
            for it in items]


def b4(items: list[dict]) -> list[Request]:
    """The same bodies' index queries, run bare on repeat_index."""
    return [Request("POST", "/b/repeat-candidates", {"Content-Type": "application/json"},
                    _json({"county": it["county"], "queries": it["queries"]})) for it in items]


def b3(pids: list[int], rng: random.Random, count: int) -> list[Request]:
    return [Request("POST", "/b/petition-note", {"Content-Type": "application/json"},
                    _json({"petition_id": rng.choice(pids), "note": "基准写入"})) for _ in range(count)]


def transfer(candidates: list[tuple], by_unit: dict) -> list[Request]:
    """candidates: (id, version, holder_unit_id, to_unit_id); by_unit: holder unit → its center actor."""
    return [Request("POST", f"/api/v1/petitions/{pid}/transfer", by_unit[holder].api,
                    _json({"version": version, "to_unit_id": to_unit}))
            for pid, version, holder, to_unit in candidates]


MIX = (("matter_page", 30, "b1"), ("inbox_p1", 25, "b2"), ("timeline", 15, "b2"), ("register", 8, "b3"),
       ("transfer", 12, "b3"), ("api_list", 10, "b2"))


def mix_slots(rng: random.Random, count: int) -> list[str]:
    """The op of each slot of a mixed list, in the MIX proportions, shuffled."""
    slots = []
    for name, weight, _ in MIX:
        slots += [name] * round(count * weight / 100)
    rng.shuffle(slots)
    return slots
