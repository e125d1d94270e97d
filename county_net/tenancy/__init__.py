"""Tenancy in one place: the principal's scope, ORM criteria, the flush guard, PostgreSQL RLS."""
from county_net.tenancy import criteria, rls  # noqa: F401  (registers the session events)
from county_net.tenancy.context import (  # noqa: F401
    EMPTY_SCOPE,
    NoScope,
    Scope,
    current_scope,
    orm_criteria_disabled,
    set_request_scope,
    system_scope,
)
from county_net.tenancy.criteria import (  # noqa: F401
    EscapedCriteria,
    OutOfScope,
    Scoped,
    ScopedSelf,
    UnitOwned,
    escaped_tables,
    scope_rule,
    scoped,
    visible,
)


def scope_for_user(user) -> Scope:
    """A unit sees itself and its subtree: every unit whose path starts with its own, read by the SQL as a
    range on `units.path` (no id list, whatever the subtree's size). The county center is the root of its
    county, so it sees the whole county and no other county: no request ever gets `sees_all`. An inactive
    unit sees nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    with system_scope("resolve principal"):
        unit = user.unit
        return Scope.of_unit(user.unit_id, unit.path, active=unit.is_active, reason=f"user:{user.id}")


def principal_scope(user) -> Scope:
    """`scope_for_user`, kept per process until the units change (core/reference.py): a unit added, moved,
    closed or reopened anywhere gives every process a fresh scope on its next request."""
    from county_net.core import reference

    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    return reference.cached("units", ("scope", user.id, user.unit_id), lambda: scope_for_user(user))


def init_app(app):
    from flask_login import current_user

    from county_net.tenancy.context import configure_criteria

    configure_criteria(app.config.get("TENANCY_ORM_CRITERIA", True))
    criteria.configure_from_check(app.config.get("TENANCY_CHECK_FROMS", False))
    criteria._scoped_models.cache_clear()  # the models are all imported by now
    rls.init_app(app)
    from county_net.tenancy.cli import tenancy_cli

    app.cli.add_command(tenancy_cli)
    criteria.configure_dialect(app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0].split("+", 1)[0])

    @app.before_request
    def _resolve_scope():
        set_request_scope(EMPTY_SCOPE)  # until the principal is known, nothing is visible
        user = current_user._get_current_object()
        set_request_scope(principal_scope(user))
