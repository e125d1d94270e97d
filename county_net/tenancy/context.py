"""Who the current principal may see: built once per request, or opened explicitly for system work."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app, g, has_app_context, has_request_context


_FIELDS = ("listed", "sees_all", "reason", "self_ids", "unit_id", "county_id", "whole_county", "path")


class Scope:
    """What a principal may see, immutable and hashable (criteria are cached per scope).

    A principal's scope is a subtree: `path` is its unit's materialised path ("/1/4/"), and every unit whose
    path starts with it is visible. The SQL says so with a range on `units.path`, so a statement and its
    parameters are the same size for a village and for a county center. A scope may also list its units
    (`Scope(frozenset(ids))`: tests and tools), which the SQL then names one by one."""

    __slots__ = (*_FIELDS, "_app")

    def __init__(self, unit_ids: frozenset[int] | None = None, sees_all: bool = False, reason: str = "request",
                 self_ids: frozenset[int] = frozenset(), unit_id: int | None = None, county_id: int | None = None,
                 whole_county: bool = False, path: str | None = None):
        values = (None if unit_ids is None else frozenset(unit_ids), sees_all, reason, frozenset(self_ids),
                  unit_id, county_id, whole_county, path)
        for name, value in zip(_FIELDS, values):
            object.__setattr__(self, name, value)
        # Where a range scope reads its units when asked outside any app context (not part of its identity).
        object.__setattr__(self, "_app", current_app._get_current_object() if has_app_context() else None)
        # self_ids: the principal's own unit and its ancestors: matters accusing any of them stay hidden (检举控告).
        # county_id: the root of the principal's path; nothing a unit can see lies outside that county.
        # whole_county: the principal's unit is that root, so its subtree is exactly the county.

    @classmethod
    def of_unit(cls, unit_id: int, path: str, *, active: bool = True, reason: str = "request") -> Scope:
        """The scope of a principal working at `unit_id`: its subtree (nothing when the unit is inactive)."""
        ancestors = tuple(int(p) for p in path.strip("/").split("/") if p)
        return cls(None, reason=reason, self_ids=frozenset(ancestors), unit_id=unit_id,
                   county_id=ancestors[0] if ancestors else None, whole_county=ancestors == (unit_id,),
                   path=path if active else None)

    def __setattr__(self, name, value):
        raise AttributeError("Scope is immutable")

    def _key(self) -> tuple:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __eq__(self, other) -> bool:
        return isinstance(other, Scope) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS if getattr(self, name) not in
                          (None, False, frozenset()))
        return f"Scope({shown})"

    def __reduce__(self):
        return (Scope, (self.listed, self.sees_all, self.reason, self.self_ids, self.unit_id, self.county_id,
                        self.whole_county, self.path))

    @property
    def is_range(self) -> bool:
        """True when the SQL reads the scope as a path range, False when it names its units."""
        return not self.sees_all and self.listed is None

    @property
    def path_range(self) -> tuple[str, str] | None:
        """[low, high) on units.path: every path that starts with `path`. Paths hold digits and "/" only,
        and "0" follows "/", so the upper bound is the path with its last "/" made "0"."""
        if self.path is None:
            return None
        return self.path, self.path[:-1] + "0"

    @property
    def unit_ids(self) -> frozenset[int]:
        """The visible units by id, for Python callers (never for SQL: its size follows the subtree). A range
        scope answers from the county directory, so a unit moved in the tree counts where it is now."""
        if self.listed is not None:
            return self.listed
        if self.sees_all or self.path is None:
            return frozenset()
        from county_net.units.directory import units_under

        if has_app_context() or self._app is None:
            return frozenset(units_under(self.path, self.county_id))
        with self._app.app_context():
            return frozenset(units_under(self.path, self.county_id))

    def may_see(self, unit_id: int | None) -> bool:
        if self.sees_all:
            return True
        if unit_id is None:
            return False
        if self.listed is not None:
            return unit_id in self.listed
        if self.path is None:
            return False
        from county_net.units.directory import unit_info

        info = unit_info(unit_id)
        return info is not None and info.path.startswith(self.path)

    def sees_any(self, unit_ids) -> bool:
        return any(self.may_see(u) for u in unit_ids)

    def criteria_key(self) -> tuple:
        """What the SQL of this scope depends on: principals of one unit share their criteria."""
        if self.sees_all:
            return ("all",)
        if self.listed is not None:
            return ("listed", self.listed, self.self_ids, self.county_id, self.whole_county)
        return ("range", self.path, self.self_ids, self.county_id, self.whole_county)

    def rls_value(self) -> str:
        """The scope's units as the database reads them: "*", ids, or a path ("/1/4/"), which the policy
        functions turn into the subtree themselves."""
        if self.sees_all:
            return "*"
        if self.listed is not None:
            return ",".join(str(i) for i in sorted(self.listed))
        return self.path or ""

    def rls_self_value(self) -> str:
        return ",".join(str(i) for i in sorted(self.self_ids))


EMPTY_SCOPE = Scope(frozenset(), reason="anonymous")

_system: ContextVar[Scope | None] = ContextVar("county_net_system_scope", default=None)
# Tests flip this to prove that PostgreSQL RLS holds on its own.
_criteria_enabled: ContextVar[bool] = ContextVar("county_net_orm_criteria", default=True)


class NoScope(RuntimeError):
    """Tenant-owned data touched outside a request and outside system_scope()."""


def active_scope() -> Scope | None:
    system = _system.get()
    if system is not None:
        return system
    if has_request_context():
        return g.get("scope")
    return None


def current_scope() -> Scope:
    scope = active_scope()
    if scope is None:
        raise NoScope("没有租户范围：请在请求内访问，或使用 `with system_scope(reason):`")
    return scope


@contextmanager
def system_scope(reason: str):
    """The one escape hatch: sees everything. Every use names its reason."""
    if not reason:
        raise ValueError("system_scope needs a reason")
    token = _system.set(Scope(frozenset(), sees_all=True, reason=reason))
    try:
        yield
    finally:
        _system.reset(token)


def set_request_scope(scope: Scope) -> None:
    g.scope = scope


@contextmanager
def orm_criteria_disabled():
    token = _criteria_enabled.set(False)
    try:
        yield
    finally:
        _criteria_enabled.reset(token)


_criteria_configured = True  # False only under the benchmark switch (config TENANCY_ORM_CRITERIA)


def configure_criteria(enabled: bool) -> None:
    global _criteria_configured
    _criteria_configured = enabled


def orm_criteria_enabled() -> bool:
    return _criteria_configured and _criteria_enabled.get()
