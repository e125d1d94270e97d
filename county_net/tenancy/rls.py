"""Layer 3: publish the scope to PostgreSQL per transaction (never per connection)."""
from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from county_net.tenancy.context import active_scope

_PUBLISH = text("SELECT set_config('county_net.unit_ids', :v, true), set_config('county_net.self_ids', :s, true)")


def _values() -> dict:
    scope = active_scope()
    if scope is None:
        return {"v": "", "s": ""}
    return {"v": scope.rls_value(), "s": scope.rls_self_value()}


def _enabled(connection) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    return not has_app_context() or current_app.config.get("TENANCY_RLS", True)


@event.listens_for(Session, "after_begin")
def _publish_scope(session, transaction, connection):
    if _enabled(connection):
        connection.execute(_PUBLISH, _values())


def republish_scope() -> None:
    """Called when the scope changes inside an open transaction."""
    if not has_app_context():
        return
    from county_net.extensions import db

    session = db.session()
    transaction = session.get_transaction()
    if transaction is None or not transaction.is_active:
        return  # none open, or a failed one about to be rolled back: nothing to publish to
    connection = session.connection()  # one bind: the transaction's own connection
    if _enabled(connection):
        connection.execute(_PUBLISH, _values())
