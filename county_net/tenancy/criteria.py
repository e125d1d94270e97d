"""Layer 1 and 2: every ORM statement is filtered to the scope; every flush is checked against it."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import ForeignKey, Integer, String, any_, bindparam, cast, event, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, with_loader_criteria

from county_net.core.errors import NotVisible
from county_net.tenancy.context import NoScope, active_scope, orm_criteria_enabled


class Scoped:
    """Marker: rows of this class are visible only within a Scope."""

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:  # the unit that owns a row
        raise NotImplementedError

    @classmethod
    def may_write(cls, obj, scope) -> bool:
        """Second line behind the services: may this scope write this row?"""
        owner = cls.scope_owner_id(obj)
        return owner is not None and owner in scope.unit_ids


_ARRAYS = False


def configure_dialect(name: str) -> None:
    global _ARRAYS
    _ARRAYS = name == "postgresql"


def id_array(ids):
    """An integer array sent as its text form ('{1,2,3}'): psycopg passes a string as it is, where a
    Python list would be inspected element by element on every execution. Read through a scalar subquery,
    which PostgreSQL runs once per statement (an InitPlan), like the RLS policies read their scope: a bare
    cast of a parameter is parsed again for every row, which costs a roll-up over thousands of rows ~10×."""
    text_form = bindparam(None, "{" + ",".join(str(int(i)) for i in ids) + "}", type_=String)
    return cast(select(cast(text_form, ARRAY(Integer))).scalar_subquery(), ARRAY(Integer))


def among(column, ids):
    """`column IN ids`. On PostgreSQL `column = ANY(:ids)`, one array parameter: the SQL text no longer
    depends on how many units a scope holds, so psycopg prepares each statement once per connection
    instead of PostgreSQL planning it again for every request (the RLS policies make plans costly)."""
    if _ARRAYS:
        return column == any_(id_array(ids))
    return column.in_(ids)


def not_among(column, ids):
    if _ARRAYS:
        return ~(column == any_(id_array(ids)))
    return column.not_in(ids)


# Criteria of models whose visibility is more than "owner in scope" (shared through grants).
# Each rule takes the Scope and returns with_loader_criteria options.
_RULES: list = []


def scope_rule(fn):
    _RULES.append(fn)
    return fn


class UnitOwned(Scoped):
    """Owned by one unit through `unit_id`."""

    @declared_attr
    def unit_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("units.id"), index=True, nullable=False)

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return obj.unit_id


class ScopedSelf(Scoped):
    """The unit table itself: a unit is visible when its own id is in scope."""

    @declared_attr
    def id(cls) -> Mapped[int]:
        return mapped_column(Integer, primary_key=True)

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return obj.id


class OutOfScope(NotVisible):
    """A write aimed outside the scope; answered as 404, nothing written."""


def _touches_scoped(state) -> bool:
    return any(issubclass(m.class_, Scoped) for m in state.all_mappers)


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state):
    if state.is_column_load or state.is_relationship_load:
        return  # the top-level statement's criteria already propagate to these loads
    if not (state.is_select or state.is_update or state.is_delete):
        return
    scope = active_scope()
    if scope is None:
        if _touches_scoped(state):
            names = sorted(m.class_.__name__ for m in state.all_mappers)
            raise NoScope(f"无租户范围的查询：{names}")
        return
    if scope.sees_all or not orm_criteria_enabled():
        return
    state.statement = state.statement.options(*_options_for(scope))


@lru_cache(maxsize=1024)
def _options_for(scope) -> tuple:
    """The criteria of one scope, built once: a request runs a dozen statements under the same scope, and
    the same user's next request brings an equal Scope again."""
    visible = sorted(scope.unit_ids)  # outside the lambda: the lambda's SQL is cached
    if _ARRAYS:
        ids = id_array(visible)  # a SQL element: the lambda tracks its value

        def owned(cls):
            return cls.unit_id == any_(ids)

        def itself(cls):
            return cls.id == any_(ids)
    else:
        def owned(cls):
            return cls.unit_id.in_(visible)

        def itself(cls):
            return cls.id.in_(visible)
    options = [
        with_loader_criteria(UnitOwned, owned, include_aliases=True),
        with_loader_criteria(ScopedSelf, itself, include_aliases=True),
    ]
    for rule in _RULES:
        options.extend(rule(scope))
    return tuple(options)


@event.listens_for(Session, "before_flush")
def _guard_writes(session, flush_context, instances):
    rows = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, Scoped)]
    if not rows:
        return
    scope = active_scope()
    if scope is None:
        raise NoScope("写入租户数据需要租户范围")
    if scope.sees_all:
        return
    for row in rows:
        if isinstance(row, ScopedSelf) and row in session.new:
            raise OutOfScope()  # only system work creates units
        if not type(row).may_write(row, scope):
            raise OutOfScope()
