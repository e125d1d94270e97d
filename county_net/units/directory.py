"""The county directory: names, codes, kinds and paths of every unit of a county, read once per request in
one query and kept as plain values. It answers "which unit is this?" for routing, documents and deadlines;
it never carries a unit's records, so it is not tenant data."""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_app_context
from sqlalchemy import select

from county_net.core import reference
from county_net.extensions import db
from county_net.tenancy import system_scope
from county_net.units.models import Unit
from county_net.units.queries import under_path


@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_id: int | None
    path: str
    depth: int
    is_active: bool
    # The unit's public contact, printed on the notices it issues.
    contact_person: str | None = None
    contact_phone: str | None = None
    address: str | None = None

    @property
    def county_id(self) -> int:
        return int(self.path.strip("/").split("/")[0])

    @property
    def ancestor_ids(self) -> set[int]:
        return {int(p) for p in self.path.strip("/").split("/") if p}


def _cache() -> dict[int, UnitInfo]:
    """This request's index of the units it asked about; started again when the units change under it."""
    if not has_app_context():
        return {}
    stamp = reference.current().units
    held = g.get("_unit_directory")
    if held is None or held[0] != stamp:
        held = g._unit_directory = (stamp, {})
    return held[1]


def _load_county_of(unit_id: int, cache: dict) -> None:
    from county_net.tenancy.context import active_scope

    scope = active_scope()
    if scope is not None and scope.county_id is not None and scope.county_id not in cache:
        # Nearly every unit a request names is in the principal's own county, whose root is known.
        _load_county(scope.county_id, cache)
        if unit_id in cache:
            return
    root = reference.cached("units", ("county_of", unit_id), lambda: _county_root(unit_id))
    if root is not None:
        _load_county(root, cache)


def _county_root(unit_id: int) -> int | None:
    with system_scope("unit directory"):
        path = db.session.scalar(select(Unit.path).where(Unit.id == unit_id))
    return int(path.strip("/").split("/")[0]) if path is not None else None


def _load_county(root: int, cache: dict) -> None:
    for info in reference.cached("units", ("county", root), lambda: _read_county(root)):
        cache[info.id] = info


def _read_county(root: int) -> tuple[UnitInfo, ...]:
    """Kept per process until the units change (core/reference.py)."""
    with system_scope("unit directory"):
        rows = db.session.execute(select(Unit.id, Unit.code, Unit.name, Unit.short_name, Unit.kind, Unit.parent_id,
                                         Unit.path, Unit.depth, Unit.is_active, Unit.contact_person,
                                         Unit.contact_phone, Unit.address)
                                  .where(under_path(f"/{root}/"))).all()
    return tuple(UnitInfo(*row) for row in rows)


def unit_info(unit_id: int | None) -> UnitInfo | None:
    from county_net.core.schemas import valid_id

    if not valid_id(unit_id):
        return None
    cache = _cache()
    if unit_id not in cache:
        _load_county_of(unit_id, cache)
    return cache.get(unit_id)


def units_under(path: str, county_id: int | None = None) -> list[int]:
    """The ids of the units whose path starts with `path` (a unit and its subtree), from the directory."""
    county = county_id if county_id is not None else int(path.strip("/").split("/")[0])
    cache = _cache()
    if county not in cache:
        _load_county(county, cache)
    return [u.id for u in cache.values() if u.path.startswith(path)]


def county_directory(unit_id: int) -> list[UnitInfo]:
    """Every unit of the county `unit_id` belongs to, in tree order."""
    me = unit_info(unit_id)
    if me is None:
        return []
    county = me.county_id
    return sorted((u for u in _cache().values() if u.county_id == county), key=lambda u: u.path)


def forget() -> None:
    """After units change (a sync), drop what this request or command has read."""
    if has_app_context():
        g.pop("_unit_directory", None)
        reference.mark_stale()
