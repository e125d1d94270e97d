"""Layer 1 and 2: every ORM statement is filtered to the scope; every flush is checked against it; column
selects get the same predicates through `visible()` / `scoped()`."""
from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (ForeignKey, Integer, String, and_, any_, bindparam, cast, column, event, func, select, table,
                        true)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, with_loader_criteria
from sqlalchemy.sql import Alias, Join, Select
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.schema import Table
from sqlalchemy.sql.util import ClauseAdapter

from county_net.core.errors import NotVisible
from county_net.tenancy.context import NoScope, Scope, active_scope, current_scope, orm_criteria_enabled


class Scoped:
    """Marker: rows of this class are visible only within a Scope."""

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:  # the unit that owns a row
        raise NotImplementedError

    @classmethod
    def may_write(cls, obj, scope) -> bool:
        """Second line behind the services: may this scope write this row?"""
        return scope.may_see(cls.scope_owner_id(obj))


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
    depends on how many ids there are, so psycopg prepares each statement once per connection."""
    if _ARRAYS:
        return column == any_(id_array(ids))
    return column.in_(ids)


def not_among(column, ids):
    if _ARRAYS:
        return ~(column == any_(id_array(ids)))
    return column.not_in(ids)


# ---- the scope in SQL ------------------------------------------------------------------------------

# The unit table as the criteria read it (a plain table clause: the unit model's own criteria stay out).
_units = table("units", column("id", Integer), column("path", String))


def _subtree(path_range: tuple[str, str] | None):
    """The units of a subtree, one fixed-size expression whatever the subtree's size. PostgreSQL: an array
    from county_net_subtree_ids(prefix) (a PL/pgSQL function, so its plan is cached and the planner costs it
    as one call; an inline ARRAY(SELECT …) is costed once per row and pushes list counts over the JIT
    threshold, docs/performance.md). SQLite: `IN (SELECT id FROM units WHERE path >= :lo AND path < :hi)`,
    a range on the path index that SQLite materialises once per statement."""
    if path_range is None:
        return id_array([]) if _ARRAYS else bindparam(None, [], expanding=True)
    lo, hi = path_range
    if _ARRAYS:
        ids = func.county_net_subtree_ids(bindparam(None, lo, type_=String))
        return cast(select(ids).scalar_subquery(), ARRAY(Integer))
    return select(_units.c.id).where(_units.c.path >= bindparam(None, lo, type_=String),
                                     _units.c.path < bindparam(None, hi, type_=String))


def _listed(ids):
    ids = sorted(ids)
    return id_array(ids) if _ARRAYS else bindparam(None, ids, expanding=True)


def in_tree(col, tree):
    """`col`'s unit is one the scope sees (`tree` from RuleArgs)."""
    if _ARRAYS:
        return col == any_(tree)
    return col.in_(tree)


def not_blocked(col, blocked):
    """`col` is NULL or none of the principal's own unit and ancestors (`blocked` from RuleArgs)."""
    if _ARRAYS:
        return col.is_(None) | ~(col == any_(blocked))
    return col.is_(None) | col.not_in(blocked)


class RuleArgs(NamedTuple):
    """What a visibility rule knows of the scope: SQL elements (one set per scope, whatever its size) and how
    to read them."""
    mode: str  # "whole": a county center (its county is the rule); "county": within a county; "any"
    by_path: bool  # the subtree is a path range (False: the scope lists its units)
    tree: Any  # the visible units (in_tree)
    blocked: Any  # the principal's unit and its ancestors (not_blocked)
    county: Any  # the county id, a bound parameter (None in mode "any")
    lo: Any  # the path range, bound parameters (None unless by_path)
    hi: Any


def _parts(scope: Scope) -> dict:
    parts = {"tree": _listed(scope.listed) if scope.listed is not None else _subtree(scope.path_range),
             "blocked": _listed(scope.self_ids or [-1])}
    if scope.county_id is not None:
        parts["county"] = bindparam(None, scope.county_id, type_=Integer)
    if scope.listed is None and scope.path is not None:
        lo, hi = scope.path_range
        lo, hi = bindparam(None, lo, type_=String), bindparam(None, hi, type_=String)
        if _ARRAYS:  # byte-wise, as the policy and ix_units_path_c compare
            lo, hi = lo.collate("C"), hi.collate("C")
        parts["lo"], parts["hi"] = lo, hi
    return parts


def _mode(scope: Scope) -> tuple[str, bool]:
    mode = "any" if scope.county_id is None else "whole" if scope.whole_county else "county"
    return mode, scope.listed is None and scope.path is not None


# ---- rules ------------------------------------------------------------------------------------------

# (entity, rule): rule(m, args) -> the rows of `entity` (a model, or a mixin and every model using it) the
# scope sees. `m` gives the columns as attributes: the mapped class, an ORM alias of it, or a table's columns
# (visible() below), so one function is the rule for ORM statements and column selects alike. A probe into
# another table is written over a table alias with that table's rule spelled out, never left to nesting.
_VISIBILITY: list = []


def visibility(entity):
    def register(rule):
        _VISIBILITY.append((entity, rule))
        _rules_of.cache_clear()
        return rule
    return register


# Older rules: fn(scope) -> with_loader_criteria options, added beside the one option of the rules above.
_RULES: list = []


def scope_rule(fn):
    _RULES.append(fn)
    return fn


@lru_cache(maxsize=None)
def _rules_of(model) -> tuple:
    mro = getattr(model, "__mro__", ())
    return tuple(rule for entity, rule in _VISIBILITY if entity in mro)


def apply_rules(m, model, args: RuleArgs):
    rules = _rules_of(model) if isinstance(model, type) else ()
    parts = [rule(m, args) for rule in rules]
    return and_(*parts) if parts else true()


def _dispatch(cls, mode, by_path, tree, blocked, county, lo, hi):
    """The one loader criterion: the rules of whichever tenant model SQLAlchemy asks about."""
    info = getattr(cls, "_aliased_insp", None)
    model = info.mapper.class_ if info is not None else cls
    return apply_rules(cls, model, RuleArgs(mode, by_path, tree, blocked, county, lo, hi))


# One lambda per kind of scope, each closing over SQL elements only: SQLAlchemy caches the SQL per lambda and
# takes these elements' values (a handful of parameters) from each statement's scope. A single option for all
# tenant models keeps every statement's cache key and parameters small, whichever models it reads.
def _lambda_whole_path(tree, blocked, county, lo, hi):
    return lambda cls: _dispatch(cls, "whole", True, tree, blocked, county, lo, hi)


def _lambda_whole_listed(tree, blocked, county):
    return lambda cls: _dispatch(cls, "whole", False, tree, blocked, county, None, None)


def _lambda_county_path(tree, blocked, county, lo, hi):
    return lambda cls: _dispatch(cls, "county", True, tree, blocked, county, lo, hi)


def _lambda_county_listed(tree, blocked, county):
    return lambda cls: _dispatch(cls, "county", False, tree, blocked, county, None, None)


def _lambda_any_path(tree, blocked, lo, hi):
    return lambda cls: _dispatch(cls, "any", True, tree, blocked, None, lo, hi)


def _lambda_any_listed(tree, blocked):
    return lambda cls: _dispatch(cls, "any", False, tree, blocked, None, None, None)


_LAMBDAS = {("whole", True): _lambda_whole_path, ("whole", False): _lambda_whole_listed,
            ("county", True): _lambda_county_path, ("county", False): _lambda_county_listed,
            ("any", True): _lambda_any_path, ("any", False): _lambda_any_listed}


class UnitOwned(Scoped):
    """Owned by one unit through `unit_id`."""

    @declared_attr
    def unit_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("units.id"), index=True, nullable=False)

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return obj.unit_id


class ScopedSelf(Scoped):
    """The unit table itself: a unit is visible when its own path lies in the scope's range (or its id is
    among the listed ones)."""

    @declared_attr
    def id(cls) -> Mapped[int]:
        return mapped_column(Integer, primary_key=True)

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return obj.id


@visibility(UnitOwned)
def _owned_visible(m, r):
    return in_tree(m.unit_id, r.tree)


@visibility(ScopedSelf)
def _unit_visible(m, r):
    if r.by_path:  # its own path: no subquery, and nothing for the unit table's RLS policy to recurse into
        return and_(m.path >= r.lo, m.path < r.hi)
    return in_tree(m.id, r.tree)


class Criterion(NamedTuple):
    """An older rule's criterion (with_loader_criteria), kept for visible()."""
    entity: type
    where: Any


def _as_criteria(found) -> list[Criterion]:
    out = []
    for item in found:
        entity = item.entity.class_ if item.entity is not None else item.root_entity
        out.append(Criterion(entity, item._where_crit_orig))
    return out


_cache: dict = {}
_cache_lock = threading.Lock()


def _criteria_for(scope: Scope) -> tuple:
    """(the rules' arguments, older rules' criteria, the options), built once per scope key: a request runs
    a dozen statements under the same scope, and every principal of the same unit brings an equal key."""
    key = (scope.criteria_key(), scope.unit_id)
    found = _cache.get(key)
    if found is None:
        mode, by_path = _mode(scope)
        parts = _parts(scope)
        args = RuleArgs(mode, by_path, **{name: parts.get(name) for name in RuleArgs._fields[2:]})
        older = [option for rule in _RULES for option in rule(scope)]
        main = with_loader_criteria(Scoped, _LAMBDAS[mode, by_path](**parts), include_aliases=True)
        found = (args, tuple(_as_criteria(older)), (main, *older))
        with _cache_lock:
            if len(_cache) > 1024:
                _cache.clear()
            _cache[key] = found
    return found


def _options_for(scope) -> tuple:
    return _criteria_for(scope)[2]


class OutOfScope(NotVisible):
    """A write aimed outside the scope; answered as 404, nothing written."""


def _touches_scoped(state) -> bool:
    return any(issubclass(m.class_, Scoped) for m in state.all_mappers)


# ---- column selects ---------------------------------------------------------------------------------

_MARK = "county_net_visible"  # annotation on what visible() returns: the FROM it covers


class EscapedCriteria(RuntimeError):
    """A SELECT read a tenant table through its columns with neither the ORM criteria nor visible()."""


class Columns:
    """A table's (or an alias's) columns as attributes, for the rules' `where` functions."""

    __slots__ = ("_from",)

    def __init__(self, from_clause):
        object.__setattr__(self, "_from", from_clause)

    def __getattr__(self, name):
        return self._from.c[name]


@lru_cache(maxsize=1)
def _scoped_models() -> dict:
    found, stack = {}, list(Scoped.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        table_ = getattr(cls, "__table__", None)
        if isinstance(table_, Table):
            found[table_] = cls
    return found


def _base_table(from_clause):
    element = from_clause
    while isinstance(element, Alias):
        element = element.element
    return element._deannotate() if hasattr(element, "_deannotate") else element


def _target(target):
    """(the FROM a predicate is written for, its model) for a model, an ORM alias, a table or an alias."""
    from sqlalchemy import inspect as sa_inspect

    if isinstance(target, type):
        return target.__table__, target
    info = sa_inspect(target, raiseerr=False)
    if info is not None and getattr(info, "is_aliased_class", False):
        return info.selectable, info.mapper.class_
    model = _scoped_models().get(_base_table(target))
    return target, model


def visible(target, scope: Scope | None = None):
    """The rows of `target` (a model, a table, an alias of either) the scope may see: exactly the predicate
    the ORM criteria add for that model, written for the given FROM, so that a column select says
    `select(t.c.id, t.c.number).where(visible(t))` (or `scoped(select(...))`) and reads what the ORM would.
    Put it in an outer join's ON clause, not in WHERE."""
    scope = scope if scope is not None else current_scope()
    from_clause, model = _target(target)
    if model is None or not issubclass(model, Scoped):
        raise ValueError(f"{target!r} holds no tenant rows")
    if scope.sees_all or not orm_criteria_enabled():
        predicate = true()
    else:
        columns = Columns(from_clause)
        args, older, _ = _criteria_for(scope)
        parts = [apply_rules(columns, model, args)]
        for item in older:
            if not issubclass(model, item.entity):
                continue
            if callable(item.where):
                parts.append(item.where(columns))
            elif from_clause is model.__table__:
                parts.append(item.where)
            else:
                parts.append(ClauseAdapter(from_clause).traverse(item.where))
        predicate = and_(*parts)
    return predicate.self_group()._annotate({_MARK: from_clause})


def _leaves(from_clause):
    if isinstance(from_clause, Join):
        yield from _leaves(from_clause.left)
        yield from _leaves(from_clause.right)
    else:
        yield from_clause


def scoped(statement: Select) -> Select:
    """`statement` with visible() for every tenant table it reads from (inner joins only)."""
    models = _scoped_models()
    for from_clause in statement.get_final_froms():
        if isinstance(from_clause, Join) and any(j.isouter or j.full for j in _joins(from_clause)):
            raise ValueError("an outer join: put tenancy.visible(t) in its ON clause")
        for leaf in _leaves(from_clause):
            if _base_table(leaf) in models and not leaf._annotations.get("parententity"):
                statement = statement.where(visible(leaf))
    return statement


def _joins(join):
    yield join
    for side in (join.left, join.right):
        if isinstance(side, Join):
            yield from _joins(side)


def escaped_tables(statement) -> list[str]:
    """The tenant tables a statement reads through bare columns or tables without visible() for them (ORM
    entities and their attributes carry the criteria; text() is beyond this check). The test suite runs
    every statement it executes through it (TENANCY_CHECK_FROMS)."""
    models = _scoped_models()
    covered, touched, stack, seen = set(), {}, [statement], {}
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen[id(element)] = element  # held, so that no id is reused while the walk runs
        annotations = getattr(element, "_annotations", None) or {}
        if _MARK in annotations:
            covered.add(id(annotations[_MARK]))
            continue  # visible()'s own probes are part of the rule
        owner = annotations.get("proxy_owner")
        if owner is not None and "proxy_key" in annotations:
            prop = getattr(owner, "attrs", {}).get(annotations["proxy_key"])
            if getattr(prop, "direction", None) is not None:  # a join along a relationship: to an ORM entity
                covered.add(id(prop.mapper.local_table))
                continue
        entity = annotations.get("parententity")
        if entity is None:
            if isinstance(element, ColumnClause):
                source = element.table
                if source is not None and _base_table(source) in models:
                    touched[id(source)] = source
            elif isinstance(element, (Table, Alias)) and _base_table(element) in models:
                touched[id(element)] = element
        elif not getattr(entity, "is_aliased_class", False):
            # The model itself is in the statement: the criteria filter its table's FROM, whoever names it.
            covered.add(id(entity.local_table))
        if isinstance(element, Table) or (isinstance(element, Alias) and isinstance(_base_table(element), Table)):
            continue  # a table or its alias: its columns are not reads of their own
        stack.extend(element.get_children())
    return sorted({_base_table(t).name for key, t in touched.items() if key not in covered})


_check_froms = False  # TestingConfig turns it on (TENANCY_CHECK_FROMS): an escaping column select fails


def configure_from_check(enabled: bool) -> None:
    global _check_froms
    _check_froms = enabled


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
    if _check_froms and state.is_select:
        escaped = escaped_tables(state.statement)
        if escaped:
            raise EscapedCriteria(f"列查询绕过了租户条件：{escaped}（用 tenancy.visible() 或 scoped()）")
    state.statement = state.statement.options(*_options_for(scope))


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

