"""First visit or repeat: earlier matters of the same petitioners, and recent matters on the same locality and
category with similar text. Character bigrams suit Chinese (no word segmentation needed); numbers and other
specific tokens (amounts, house numbers, plot numbers) weigh extra because they pin down the same matter."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from county_net.core.models import utcnow
from county_net.extensions import db

_DROP = re.compile(r"[\s，。、；：！？“”‘’（）()《》〈〉【】\[\],.;:!?\"'…—\-]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# Words every petition uses: they say nothing about which matter it is.
_COMMON = ("要求", "反映", "问题", "解决", "希望", "请求", "政府", "有关部门", "相关部门", "至今", "没有", "一直",
           "我们", "本人", "他们", "已经", "仍未", "情况", "处理", "落实", "给予", "上次", "再次", "还是")


def normalise(text: str) -> str:
    text = _DROP.sub("", text or "")
    for word in _COMMON:
        text = text.replace(word, "")
    return text


def bigrams(text: str) -> set[str]:
    text = normalise(text)
    return {text[i:i + 2] for i in range(len(text) - 1)} if len(text) > 1 else ({text} if text else set())


def similarity(a: str, b: str) -> float:
    """Dice over character bigrams, blended with overlap (a short repeat inside a long text still scores),
    plus a bonus for shared numbers such as amounts and plot numbers."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    shared = len(x & y)
    dice = 2 * shared / (len(x) + len(y))
    overlap = shared / min(len(x), len(y))
    score = 0.5 * dice + 0.5 * overlap
    numbers_a, numbers_b = set(_NUMBER.findall(a or "")), set(_NUMBER.findall(b or ""))
    if numbers_a and numbers_b:
        score += 0.15 * len(numbers_a & numbers_b) / min(len(numbers_a), len(numbers_b))
    return min(score, 1.0)


def text_of(petition) -> str:
    return f"{petition.summary}{petition.demands or ''}"


def candidates(*, text: str, locality_unit_id: int | None, category_id: int | None, petitioner_ids: list[int],
               settings, exclude_id: int | None = None, limit: int = 10) -> list[tuple[int, int, str]]:
    """[(earlier_id, score x 100, reason)] among matters the caller may see, best first."""
    from county_net.petitions.models import Petition, PetitionParty, Petitioner

    found: dict[int, tuple[int, str]] = {}
    if petitioner_ids:
        # The same people: match their files by ID hash or name+phone hash, so that two files of one person
        # (opened at different units) still meet.
        people = db.session.execute(select(Petitioner.id_number_hash, Petitioner.name_phone_hash)
                                    .where(Petitioner.id.in_(petitioner_ids))).all()
        id_hashes = [p.id_number_hash for p in people if p.id_number_hash]
        np_hashes = [p.name_phone_hash for p in people if p.name_phone_hash]
        same = select(Petitioner.id).where(Petitioner.id.in_(petitioner_ids)
                                           | Petitioner.id_number_hash.in_(id_hashes or ["-"])
                                           | Petitioner.name_phone_hash.in_(np_hashes or ["-"]))
        stmt = (select(Petition).join(PetitionParty, PetitionParty.petition_id == Petition.id)
                .where(PetitionParty.petitioner_id.in_(same)).order_by(Petition.received_at.desc()).limit(50))
        if exclude_id:
            stmt = stmt.where(Petition.id != exclude_id)
        for earlier in db.session.scalars(stmt).unique():
            found[earlier.id] = (round(100 * similarity(text, text_of(earlier))), "same_petitioner")
    if locality_unit_id and category_id:
        since = utcnow() - timedelta(days=settings["repeat_window_days"])
        stmt = (select(Petition).where(Petition.locality_unit_id == locality_unit_id,
                                       Petition.category_id == category_id, Petition.received_at >= since)
                .order_by(Petition.received_at.desc()).limit(300))
        if exclude_id:
            stmt = stmt.where(Petition.id != exclude_id)
        threshold = settings["repeat_threshold"]
        for earlier in db.session.scalars(stmt):
            if earlier.id in found:
                continue
            score = similarity(text, text_of(earlier))
            if score >= threshold:
                found[earlier.id] = (round(100 * score), "similar_text")
    ranked = sorted(found.items(), key=lambda kv: (kv[1][1] != "same_petitioner", -kv[1][0]))
    return [(pid, score, reason) for pid, (score, reason) in ranked[:limit]]


def propose_links(petition, petitioner_ids: list[int], settings) -> list[tuple[int, int, str]]:
    return candidates(text=text_of(petition), locality_unit_id=petition.locality_unit_id,
                      category_id=petition.category_id, petitioner_ids=petitioner_ids, settings=settings,
                      exclude_id=petition.id)
