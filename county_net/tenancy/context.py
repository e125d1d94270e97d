"""Who the current principal may see: built once per request, or opened explicitly for system work."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import g, has_request_context


@dataclass(frozen=True)
class Scope:
    unit_ids: frozenset[int]
    sees_all: bool = False
    reason: str = "request"
    # The principal's own unit and its ancestors: matters accusing any of them stay hidden (检举控告).
    self_ids: frozenset[int] = frozenset()
    unit_id: int | None = None
    # The county the principal works in (the root of its unit's path); nothing a unit can see lies outside
    # it. `whole_county`: the principal's unit is that root, so its subtree is exactly the county.
    county_id: int | None = None
    whole_county: bool = False
    # Later capabilities (transfer, assignment, coordination) widen per-object access through grants.

    def may_see(self, unit_id: int | None) -> bool:
        return self.sees_all or (unit_id is not None and unit_id in self.unit_ids)

    def rls_value(self) -> str:
        if self.sees_all:
            return "*"
        return ",".join(str(i) for i in sorted(self.unit_ids))

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
