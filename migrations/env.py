"""Alembic environment: the app's metadata; the owner URL when MIGRATION_DATABASE_URL is set."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import create_engine, text

from county_net.tenancy import rls_sql, system_scope
from county_net.tenancy.rls import scope_key

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

migrate_ext = current_app.extensions["migrate"]
metadata = migrate_ext.db.metadata


def _engine():
    owner_url = current_app.config.get("MIGRATION_DATABASE_URL")
    if owner_url:
        return create_engine(owner_url)
    return migrate_ext.db.engine


def _skip_empty(context_, revision, directives):
    # `flask db migrate` with nothing to do writes no empty file.
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def _install_scope_key(connection) -> None:
    """The database's copy of the key that signs published scopes must be the service's own. Only a role that
    may write the key table (the owner) installs it; the service's role has no right to it and skips this."""
    if connection.dialect.name != "postgresql":
        return
    if connection.execute(text(rls_sql.MAY_INSTALL_KEY)).scalar():
        connection.execute(text(rls_sql.INSTALL_KEY), {"key": scope_key(current_app)})


def run_offline():
    context.configure(url=str(_engine().url), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online():
    args = dict(migrate_ext.configure_args)
    args.setdefault("process_revision_directives", _skip_empty)
    engine = _engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds tables by copy-and-drop; with foreign keys on, a table that other rows
            # point at cannot be dropped. The pragma only takes effect outside a transaction.
            # Straight to the driver, before SQLAlchemy's BEGIN (core/database.py) opens a transaction.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        from county_net.repeats.models import engine_own

        args.setdefault("include_object", engine_own)
        context.configure(connection=connection, target_metadata=metadata, **args)
        # The revision that creates the key table installs the key from here, so that revisions after it in
        # the same run can already read under a signed system scope.
        config.attributes[rls_sql.KEY_ATTRIBUTE] = scope_key(current_app)
        # Migrations are system work: data migrations see every row even under FORCE ROW LEVEL SECURITY.
        with system_scope("migrations"), context.begin_transaction():
            _install_scope_key(connection)  # first, so a rotated key already holds for data migrations
            context.run_migrations()
        if sqlite:
            connection.commit()
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
    if engine is not migrate_ext.db.engine:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
