"""Where the joint reception hall (not built yet) plugs in the matters its staff flag 摘报 (brief the leaders).

The hall registers a source: `@flag_source def f(county_id, viewer_unit_id, lo, hi) -> list[dict]` returning the
flagged matters received in [lo, hi), each shaped like the digest's other matter rows (id, number, received_at,
channel, head_count, category, locality, summary) and read through the caller's scope. With no source registered
the section says so, rather than showing an empty list as if nothing had been flagged."""
from __future__ import annotations

from datetime import datetime

_SOURCES: list = []


def flag_source(fn):
    _SOURCES.append(fn)
    return fn


def flagged(county_id: int, viewer_unit_id: int, lo: datetime, hi: datetime) -> dict:
    from county_net.digest.queries import FLAG_NOTE

    if not _SOURCES:
        return {"available": False, "note": FLAG_NOTE, "matters": []}
    matters = [m for source in _SOURCES for m in source(county_id, viewer_unit_id, lo, hi)]
    return {"available": True, "note": "", "matters": matters}
