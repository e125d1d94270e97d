"""Reads for the desk and the matter page: the two lists as the screens and the API show them."""
from __future__ import annotations

import json
from types import SimpleNamespace

from county_net.core.timeutil import to_local
from county_net.petitions import page
from county_net.petitions.models import Petition
from county_net.petitions.workflow import state_label

REASON_LABELS = {
    "same_person_text": "同一信访人反映同一问题",
    "same_object_text": "同一对象、同一诉求",
    "named_earlier": "文中提到以往信访人",
    "same_person": "同一信访人",
    "same_name": "信访人同名",
    "same_object": "涉及同一对象",
    "same_amount": "金额或面积一致",
    "core_text": "诉求相似",
    "text": "内容相似",
    # links written before issue 13
    "same_petitioner": "同一信访人",
    "similar_text": "属地、类别相同且内容相似",
}


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, code)


def _categories() -> dict[int, str]:
    from county_net.petitions.queries import category_names

    return category_names()


def own_views(petitions: list[Petition]) -> list[dict]:
    categories = _categories()
    return [{"id": p.id, "number": p.number, "received_on": to_local(p.received_at).date(),
             "category": categories.get(p.category_id, ""), "state": p.state, "state_label": state_label(p.state),
             "summary": p.summary[:80]} for p in petitions]


def suggestion_views(suggestions) -> list[dict]:
    categories = _categories()
    return [{"earlier_id": s.petition.id, "number": s.petition.number, "score": round(s.verdict.score * 100),
             "reason": s.verdict.reason, "reason_label": reason_label(s.verdict.reason),
             "reason_text": s.verdict.reason_text, "signals": [x.as_dict() for x in s.verdict.signals],
             "received_on": to_local(s.petition.received_at).date(),
             "category": categories.get(s.petition.category_id, ""), "summary": s.petition.summary[:80],
             "state_label": state_label(s.petition.state)} for s in suggestions]


def signals_of(stored: str | None) -> list[dict]:
    """A link's stored signals (JSON text)."""
    try:
        return json.loads(stored or "[]")
    except ValueError:
        return []


def matter_own(actor, petition: Petition) -> list[dict]:
    """本人其他事项 of a registered matter: only for a viewer who may see who petitioned (检举控告)."""
    from county_net.petitions.services import may_see_identity
    from county_net.repeats.services import own_matters, person_from_file

    if not may_see_identity(actor, petition):
        return []
    rows = page.preloaded(petition, "own_matters")
    if rows is not None:
        return own_views([SimpleNamespace(**r) for r in
                          sorted(rows, key=lambda r: (r["received_at"], r["id"]), reverse=True)])
    people = [person_from_file(party.petitioner) for party in petition.parties]
    return own_views(own_matters(people, exclude_id=petition.id))


@page.part("own_matters")
def _own_matters_part(actor, petition):
    """本人其他事项 as a part of the matter page's one statement (petitions/page.py)."""
    from sqlalchemy import select

    from county_net.core.jsonrows import json_rows
    from county_net.petitions.services import may_see_identity
    from county_net.repeats.services import own_matters_query, person_from_file

    if not may_see_identity(actor, petition):
        return None
    people = [person_from_file(party.petitioner) for party in petition.parties]
    latest = own_matters_query(select(Petition.id), people, exclude_id=petition.id)
    if latest is None:
        return None
    # The latest ones' ids in a subquery of their own (not correlated: it names petitions too).
    return json_rows({name: getattr(Petition, name) for name in ("id", "number", "received_at", "category_id",
                                                                  "state", "summary")},
                     Petition.id.in_(latest.correlate(None)))
