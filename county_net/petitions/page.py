"""The matter page (and the API detail) in a handful of statements (issue 14): the matter itself with its
parties (one statement, `queries.get_petition`), then everything that hangs off it — links, attachments,
grants, the timeline, the person's other matters, and the sections other packages add (supervision, meetings,
disputes) — as JSON arrays of correlated subqueries in ONE more statement.

Each part is an ORM select, so the tenant criteria apply inside it exactly as they would to a query of its
own (a link to a matter the reader may not see is not there), and RLS applies on PostgreSQL. What the reader
may see of a person (masking, 检举控告) is still decided in Python on read, by the same functions as before:
a part only fills the per-version caches those functions already kept.

A package adds a part with `@part("name")`: `build(actor, petition)` returns `(subquery, decode)` or None, and
`fill(petition, rows)` puts the decoded rows where the package's own reader looks first."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import has_request_context
from sqlalchemy import select

from county_net.extensions import db


@dataclass(frozen=True)
class Part:
    name: str
    build: Callable
    fill: Callable


_PARTS: dict[str, Part] = {}


def part(name: str, fill: Callable | None = None):
    """Register a part; by default its rows are kept for `preloaded(petition, name)`."""
    def register(build):
        _PARTS[name] = Part(name, build, fill or (lambda petition, rows: keep(petition, name, rows)))
        return build
    return register


def preload(actor, petition, only: tuple[str, ...] | None = None) -> None:
    """Read every part of the page for this version of the matter in one statement (once per request)."""
    if not has_request_context():
        return
    loaded = getattr(petition, "_page_loaded", None)
    done = loaded[1] if loaded is not None and loaded[0] == petition.version else set()
    wanted = [p for p in _PARTS.values() if p.name not in done and (only is None or p.name in only)]
    built = []
    for p in wanted:
        made = p.build(actor, petition)
        if made is not None:
            built.append((p, *made))
        else:
            p.fill(petition, [])  # nothing to read: the reader gets an empty part, not a query of its own
    if built:
        row = db.session.execute(select(*(sub.label(p.name) for p, sub, _ in built))).one()
        for (p, _, decode), value in zip(built, row):
            p.fill(petition, decode(value))
    petition._page_loaded = (petition.version, done | {p.name for p in wanted})


def rows_of(petition, name: str, made) -> list[dict]:
    """The part's rows: preloaded for this version, or read now on their own (`made`: the part's builder
    result, a (subquery, decode) pair)."""
    rows = preloaded(petition, name)
    if rows is None:
        subquery, decode = made
        rows = decode(db.session.scalar(select(subquery)))
    return rows


def preloaded(petition, name: str):
    """The rows a part filled for the matter's current version, or None (then the caller reads them itself)."""
    held = getattr(petition, "_page_parts", {}).get(name)
    if held is None or held[0] != petition.version:
        return None
    return held[1]


def keep(petition, name: str, rows) -> None:
    """A `fill` for parts whose reader asks `preloaded(petition, name)`."""
    parts = getattr(petition, "_page_parts", None)
    if parts is None:
        parts = petition._page_parts = {}
    parts[name] = (petition.version, rows)


# The parts `queries.present` needs (the API detail and a write's answer); the page adds the other packages'.
MATTER_PARTS = ("links", "attachments", "events", "grants", "own_matters")
