"""Key rotation: the contact history stays append-only, except that an old phone's ciphertext may be re-sealed
under a new data key (`flask petitions rekey`). Every other column is still refused on UPDATE, and DELETE is.

Revision ID: f1c3a5e7b902
Revises: d3e8b1f5a720
Created: 2026-11-30
"""
import os

from alembic import op

revision = "f1c3a5e7b902"
down_revision = "d3e8b1f5a720"
branch_labels = None
depends_on = None

TABLE = "petitioner_contact_changes"
OTHER_COLUMNS = ("id", "petitioner_id", "petition_id", "source", "changed_at", "actor_id", "actor_name",
                 "actor_unit_id", "old_phone_masked", "new_phone_masked", "old_address", "new_address")

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION county_net_reseal_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'old_phone_enc') = (to_jsonb(OLD) - 'old_phone_enc') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$"""


def _role() -> str:
    return os.environ.get("DATABASE_APP_ROLE", "county_net_app")


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in OTHER_COLUMNS)
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update")
        op.execute(f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} WHEN {changed} "
                   f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END")
    elif dialect == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
        op.execute(f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                   "FOR EACH ROW EXECUTE FUNCTION county_net_reseal_only()")
        op.execute(f"GRANT UPDATE (old_phone_enc) ON {TABLE} TO {_role()}")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update")
        op.execute(f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
                   f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END")
    elif dialect == "postgresql":
        op.execute(f"REVOKE UPDATE (old_phone_enc) ON {TABLE} FROM {_role()}")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
        op.execute(f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                   "FOR EACH ROW EXECUTE FUNCTION county_net_append_only()")
        op.execute("DROP FUNCTION IF EXISTS county_net_reseal_only()")
