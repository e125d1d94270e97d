"""The embedded default: SQLite in WAL mode, foreign keys on, a busy timeout."""
import sqlalchemy as sa

from county_net.extensions import db
from tests.conftest import ON_POSTGRES


def test_engine_settings(app):
    with app.app_context():
        with db.engine.connect() as conn:
            if ON_POSTGRES:
                assert conn.dialect.driver == "psycopg"  # psycopg 3
                assert conn.scalar(sa.text("SHOW server_version_num")).isdigit()
                return
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
