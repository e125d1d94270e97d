"""Does this matter repeat that one? A sum of signals, each with a weight and a reason in words, so that a clerk
sees why. Words count by how rare they are in the county's own matters (IDF), so template wording weighs little
and the estate, company or person named weighs a lot; amounts and named things that differ count against.
Pure: the facts about people and the IDF come from the caller."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from county_net.repeats.text import Reading

STRONG_OBJECTS = ("estate", "company", "school", "hospital", "project", "road")
OBJECT_LABELS = {"estate": "小区/楼盘", "company": "企业", "school": "学校", "hospital": "医院", "project": "项目/工程",
                 "road": "道路", "village": "村/社区"}
AMOUNT_LABELS = {"money": "金额", "area_mu": "面积（亩）", "area_m2": "面积（平方米）", "year": "年份"}
# Kinds whose values pin a matter down: a different figure of these says "another matter".
PINNING_AMOUNTS = ("money", "area_mu", "area_m2")


# Which signal names a suggestion, when several fired: the person and the subject, then who is named, then
# the place, object and demand.
REASON_ORDER = ("same_person_text", "named_earlier", "same_object_text", "same_name", "same_amount", "core_text",
                "text")


@dataclass(frozen=True)
class Facts:
    """What the caller knows beyond the two texts."""
    same_person: bool = False  # one petitioner file in both (ID number, or name and phone)
    same_name: bool = False  # a petitioner of the same name, not known to be the same file
    named_earlier: str | None = None  # a person the new text names who petitioned the earlier matter
    same_category: bool = True
    other_locality: bool = False  # both have a locality and they differ
    age_days: int = 0
    people_known: bool = True  # both matters name their petitioners
    object_idf_full: float = 4.0  # an object name at least this rare counts in full


@dataclass
class Signal:
    code: str
    label: str
    weight: float

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "weight": round(self.weight, 2)}


@dataclass
class Verdict:
    score: float
    signals: list[Signal] = field(default_factory=list)

    @property
    def reason(self) -> str:
        """The reason in one code, kept on the link: the most telling signal that fired for it."""
        fired = {s.code for s in self.signals if s.weight > 0}
        for code in REASON_ORDER:
            if code in fired:
                return code
        return "text"

    @property
    def reason_text(self) -> str:
        return "；".join(s.label for s in sorted(self.signals, key=lambda s: -s.weight) if s.weight > 0)


def _core(words: set[str], keys: set[str]) -> set[str]:
    """The words that say what is asked, without the names of places and things (a person's village or estate
    is in all of that person's matters)."""
    return {w for w in words if w[-1] not in "村镇县乡组" and not any(w in k or k in w for k in keys)}


def text_similarity(a: Reading, b: Reading, idf, core: bool = False) -> float:
    """IDF-weighted overlap of the two texts' words: half Dice, half overlap with the shorter text (a short
    retelling inside a long first letter still scores). `core`: without places and named things."""
    x, y = a.word_set, b.word_set
    if core:
        keys = set(a.objects) | set(b.objects)
        x, y = _core(x, keys), _core(y, keys)
    if not x or not y:
        return 0.0
    weight = {w: idf(w) for w in x | y}
    shared = sum(weight[w] for w in x & y)
    total_x, total_y = sum(weight[w] for w in x), sum(weight[w] for w in y)
    if not total_x or not total_y:
        return 0.0
    return 0.5 * (2 * shared / (total_x + total_y)) + 0.5 * shared / min(total_x, total_y)


def _same_value(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.011 * max(abs(a), abs(b)), 0.001)


def _same_thing(x: str, y: str) -> bool:
    """One named thing in a short and a long form: 铁山 and 铁山矿业, 中心小学 and 柳河中心小学."""
    return x == y or (len(x) >= 2 and len(y) >= 2 and (x in y or y in x))


def features(new: Reading, earlier: Reading, facts: Facts, idf) -> tuple[dict[str, float], dict[str, str]]:
    """The signals' values (0–1 or counts) and what each says in words."""
    values: dict[str, float] = {}
    labels: dict[str, str] = {}
    similarity = text_similarity(new, earlier, idf)
    values["text"] = similarity
    labels["text"] = f"内容相似（{round(similarity * 100)}%）"
    core = text_similarity(new, earlier, idf, core=True)
    values["core_text"] = core
    labels["core_text"] = f"诉求相似（{round(core * 100)}%）"
    if facts.same_person:
        # The same person alone is no repeat (本人其他事项 lists those): it counts with what is asked.
        values["same_person_text"] = core
        labels["same_person_text"] = f"同一信访人，诉求相似（{round(core * 100)}%）"
    elif facts.same_name:
        values["same_name"] = 1.0
        labels["same_name"] = "信访人同名（电话或证件不同）"
    if facts.named_earlier:
        values["named_earlier"] = 1.0
        labels["named_earlier"] = f"文中提到以往信访人{facts.named_earlier}"
    if not (facts.same_person or facts.same_name or facts.named_earlier) and facts.people_known:
        values["other_person"] = 1.0
        labels["other_person"] = "信访人不同且未提及以往信访人"
    if not facts.same_category:
        values["other_category"] = 1.0
        labels["other_category"] = "问题类别不同"
    if facts.other_locality:
        values["other_locality"] = 1.0
        labels["other_locality"] = "问题属地不同"

    pairs = [(k, j) for k in new.objects for j in earlier.objects if _same_thing(k, j)
             and (new.objects[k] == earlier.objects[j]
                  or (new.objects[k] in STRONG_OBJECTS and earlier.objects[j] in STRONG_OBJECTS))]
    strong = [(k, j) for k, j in pairs if new.objects[k] in STRONG_OBJECTS]
    if strong:
        rare = max(min(1.0, idf(k) / facts.object_idf_full) for k, _ in strong)
        names = "、".join(dict.fromkeys(k for k, _ in strong[:3]))
        # A rarer name counts more; with the demand it is "same place, object and demand".
        values["same_object_text"] = core * (0.4 + 0.6 * rare)
        labels["same_object_text"] = f"涉及同一对象（{names}），诉求相似"
    shared_villages = [k for k, j in pairs if (k, j) not in strong]
    if shared_villages and not strong:
        values["same_village"] = 1.0
        labels["same_village"] = f"同一村（社区）：{'、'.join(shared_villages[:2])}"
    matched_keys = {k for k, _ in pairs} | {j for _, j in pairs}
    for kind in (*STRONG_OBJECTS, "village"):
        mine = {k for k, v in new.objects.items() if v == kind and k not in matched_keys}
        theirs = {k for k, v in earlier.objects.items() if v == kind and k not in matched_keys}
        if mine and theirs and not strong:
            code = "other_village" if kind == "village" else "other_object"
            if code not in values:
                values[code] = 1.0
                labels[code] = (f"涉及的{OBJECT_LABELS[kind]}不同：{'、'.join(sorted(mine)[:2])} / "
                                f"{'、'.join(sorted(theirs)[:2])}")

    matched, conflicting = [], []
    for kind in ("money", "area_mu", "area_m2", "year"):
        mine, theirs = new.amounts.get(kind, set()), earlier.amounts.get(kind, set())
        if not mine or not theirs:
            continue
        if any(_same_value(a, b) for a in mine for b in theirs):
            matched.append(kind)
        elif kind in PINNING_AMOUNTS:
            conflicting.append(kind)
    pinned = [k for k in matched if k in PINNING_AMOUNTS]
    if pinned:
        values["same_amount"] = float(min(len(pinned), 2))
        labels["same_amount"] = f"{'、'.join(AMOUNT_LABELS[k] for k in pinned)}一致"
    years_new, years_old = new.amounts.get("year", set()), earlier.amounts.get("year", set())
    if years_new and years_old and not years_new & years_old:
        values["other_year"] = 1.0
        labels["other_year"] = f"年份不一致（{'、'.join(str(int(y)) for y in sorted(years_new)[:2])} / " \
                               f"{'、'.join(str(int(y)) for y in sorted(years_old)[:2])}）"
    if conflicting:
        values["other_amount"] = 1.0 if not pinned else 0.5
        labels["other_amount"] = f"{'、'.join(AMOUNT_LABELS[k] for k in conflicting)}不一致"
    return values, labels


def judge(new: Reading, earlier: Reading, facts: Facts, idf, weights: dict) -> Verdict:
    values, labels = features(new, earlier, facts, idf)
    signals = [Signal(code, labels[code], weights.get(code, 0.0) * value) for code, value in values.items()
               if weights.get(code, 0.0) * value]
    z = weights.get("bias", 0.0) + sum(s.weight for s in signals)
    return Verdict(score=1 / (1 + math.exp(-z)), signals=signals)


def idf_from(df: dict[str, int], documents: int):
    """A smoothed IDF over the county's matters; an unseen word is as rare as a word seen once."""
    n = max(documents, 1)

    def idf(word: str) -> float:
        return math.log(1 + (n + 1) / (df.get(word, 0) + 1))
    return idf


def reaches(facts: Facts, verdict: Verdict, settings) -> bool:
    """The detector's look-back windows (elapsed days, not a legal limit): the same person at any age; a shared named object, a named or same-named petitioner within
    the object window; similar text alone within the text window."""
    if facts.same_person:
        return True
    far = facts.named_earlier or facts.same_name or any(s.code == "same_object_text" for s in verdict.signals)
    limit = settings["object_window_days"] if far else settings["text_window_days"]
    return facts.age_days <= limit


def decide(new: Reading, earlier: Reading, facts: Facts, idf, settings) -> Verdict | None:
    """A suggestion, or None."""
    verdict = judge(new, earlier, facts, idf, settings.weights)
    if verdict.score < settings["threshold"] or not reaches(facts, verdict, settings):
        return None
    return verdict


def people_facts(new_people: list[dict], earlier_people: list[dict], new: Reading, earlier: Reading) -> dict:
    """same_person / same_name / named_earlier from the two matters' petitioners. A person is
    {"keys": set of identity keys (ID hash, name+phone hash), "name": masked name}."""
    new_keys = set().union(*(p["keys"] for p in new_people)) if new_people else set()
    earlier_keys = set().union(*(p["keys"] for p in earlier_people)) if earlier_people else set()
    same_person = bool(new_keys & earlier_keys)
    new_names = {p["name"] for p in new_people if p.get("name")}
    earlier_names = {p["name"] for p in earlier_people if p.get("name")}
    same_name = not same_person and bool(new_names & earlier_names)
    # A text naming its own petitioner (王某兵又来了) names no one else; nor does the same person's earlier matter.
    named = [] if same_person else sorted((new.names - new_names) & (earlier_names | earlier.names))
    return {"same_person": same_person, "same_name": same_name, "named_earlier": named[0] if named else None}
