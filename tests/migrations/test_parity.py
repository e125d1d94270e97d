"""The schema is made only by migrations: upgrade on an empty database equals the models, and
downgrade to base leaves nothing behind (on the engine this run uses)."""
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url

from county_net.extensions import db
from tests.conftest import DatabaseUnderTest, make_app


@pytest.fixture
def empty_database(database, tmp_path):
    if database.kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'parity.sqlite3'}"
        yield DatabaseUnderTest("sqlite", url, url)
        return
    name = f"county_net_parity_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(database.owner_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(database.owner_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield DatabaseUnderTest("postgresql", url, url)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _tables(engine) -> set[str]:
    from county_net.repeats.models import engine_own

    return {t for t in sa.inspect(engine).get_table_names() if engine_own(None, t, "table", True, None)} \
        - {"alembic_version"}


def test_upgrade_gives_the_models_and_downgrade_removes_all(empty_database):
    app = make_app(empty_database)
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with db.engine.connect() as conn:
            from county_net.repeats.models import engine_own

            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True,
                                                                            "include_object": engine_own}),
                                    db.metadata)
        assert diff == [], diff
        check = runner.invoke(args=["db", "check"])
        assert check.exit_code == 0, check.output
        assert _tables(db.engine) == set(db.metadata.tables)

        # With a loaded county in it (rows pointing at units), downgrade must still work.
        assert runner.invoke(args=["demo", "load"]).exit_code == 0
        result = runner.invoke(args=["db", "downgrade", "base"])
        assert result.exit_code == 0, result.output
        assert _tables(db.engine) == set()
        if empty_database.kind == "postgresql":
            with db.engine.connect() as conn:
                assert conn.scalar(sa.text("SELECT count(*) FROM pg_policies")) == 0
                assert conn.scalar(sa.text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'county_net_%'")) == 0

        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0  # and back up again
        assert _tables(db.engine) == set(db.metadata.tables)
        db.engine.dispose()
