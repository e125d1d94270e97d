"""SQL for PostgreSQL row-level security, used by migrations (plain strings, no app import)."""

SETTING = "county_net.unit_ids"

# '*' = sees all; '' or unset = sees nothing; otherwise a comma list of unit ids. CASE keeps the order of evaluation.
MAY_SEE_FUNCTION = """
CREATE OR REPLACE FUNCTION county_net_may_see(uid bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE coalesce(current_setting('county_net.unit_ids', true), '')
           WHEN '*' THEN true
           WHEN '' THEN false
           ELSE uid = ANY (string_to_array(current_setting('county_net.unit_ids', true), ',')::bigint[])
         END
$$
"""

DROP_MAY_SEE_FUNCTION = "DROP FUNCTION IF EXISTS county_net_may_see(bigint)"


def enable_rls(table: str, column: str = "unit_id") -> list[str]:
    policy = f"{table}_scope"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {policy} ON {table} USING (county_net_may_see({column})) "
        f"WITH CHECK (county_net_may_see({column}))",
    ]


def disable_rls(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {table}_scope ON {table}",
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


def ensure_app_role(role: str) -> str:
    # Needs CREATEROLE; where a DBA made the role beforehand this does nothing.
    return f"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
    CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$"""


def grant_app_role(role: str) -> list[str]:
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"GRANT EXECUTE ON FUNCTION county_net_may_see(bigint) TO {role}",
        # The audit log is append-only for the service.
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_records FROM {role}",
    ]


# The principal's own unit and its ancestors: a matter accusing one of them is hidden (检举控告).
IS_SELF_FUNCTION = """
CREATE OR REPLACE FUNCTION county_net_is_self(uid bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT uid IS NOT NULL AND coalesce(current_setting('county_net.self_ids', true), '') <> ''
         AND uid = ANY (string_to_array(current_setting('county_net.self_ids', true), ',')::bigint[])
$$
"""

DROP_IS_SELF_FUNCTION = "DROP FUNCTION IF EXISTS county_net_is_self(bigint)"


def enable_rls_expression(table: str, expression: str) -> list[str]:
    """RLS with a policy of its own (shared through grants, or reached through a parent row)."""
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {table}_scope ON {table} USING ({expression}) WITH CHECK ({expression})",
    ]


PETITION_VISIBLE = (
    "(county_net_may_see(unit_id) OR EXISTS (SELECT 1 FROM petition_access a WHERE a.petition_id = petitions.id "
    "AND a.is_active AND county_net_may_see(a.grantee_unit_id))) AND NOT county_net_is_self(accused_unit_id)"
)
GRANT_VISIBLE = "county_net_may_see(unit_id) OR county_net_may_see(grantee_unit_id)"
PETITIONER_VISIBLE = (
    "county_net_may_see(unit_id) OR EXISTS (SELECT 1 FROM petition_parties pp "
    "WHERE pp.petitioner_id = petitioners.id)"
)


def child_visible(table: str) -> str:
    return f"EXISTS (SELECT 1 FROM petitions p WHERE p.id = {table}.petition_id)"


# ---- province scale (revision c7d2a9e41f10) ------------------------------------------------------
# The scope is parsed once per statement: each policy reads it through a scalar subquery, which
# PostgreSQL runs once as an InitPlan, instead of splitting the setting again for every row.
SCOPE_FUNCTIONS = [
    """
CREATE OR REPLACE FUNCTION county_net_sees_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(current_setting('county_net.unit_ids', true), '') = '*'
$$
""",
    """
CREATE OR REPLACE FUNCTION county_net_scope_ids() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE coalesce(current_setting('county_net.unit_ids', true), '')
           WHEN '*' THEN '{}'::bigint[]
           WHEN '' THEN '{}'::bigint[]
           ELSE string_to_array(current_setting('county_net.unit_ids', true), ',')::bigint[]
         END
$$
""",
    """
CREATE OR REPLACE FUNCTION county_net_self_ids() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE coalesce(current_setting('county_net.self_ids', true), '')
           WHEN '' THEN '{}'::bigint[]
           ELSE string_to_array(current_setting('county_net.self_ids', true), ',')::bigint[]
         END
$$
""",
]
DROP_SCOPE_FUNCTIONS = ["DROP FUNCTION IF EXISTS county_net_sees_all()", "DROP FUNCTION IF EXISTS county_net_scope_ids()",
                        "DROP FUNCTION IF EXISTS county_net_self_ids()"]


def sees(column: str) -> str:
    return f"((SELECT county_net_sees_all()) OR {column} = ANY ((SELECT county_net_scope_ids())::bigint[]))"


PETITION_VISIBLE_V2 = (
    f"({sees('unit_id')} OR {sees('holder_unit_id')} OR EXISTS (SELECT 1 FROM petition_access a WHERE a.petition_id = petitions.id "
    f"AND a.is_active AND {sees('a.grantee_unit_id')})) "
    "AND (accused_unit_id IS NULL OR NOT accused_unit_id = ANY ((SELECT county_net_self_ids())::bigint[]))"
)
GRANT_VISIBLE_V2 = f"{sees('unit_id')} OR {sees('grantee_unit_id')}"
PETITIONER_VISIBLE_V2 = (
    f"{sees('unit_id')} OR EXISTS (SELECT 1 FROM petition_parties pp WHERE pp.petitioner_id = petitioners.id)"
)

# A petitioner's contact history: visible exactly when the petitioner's file is (its own policy applies inside).
CONTACT_CHANGE_VISIBLE = ("EXISTS (SELECT 1 FROM petitioners pe "
                          "WHERE pe.id = petitioner_contact_changes.petitioner_id)")


def replace_policy(table: str, expression: str) -> list[str]:
    return [f"DROP POLICY IF EXISTS {table}_scope ON {table}",
            f"CREATE POLICY {table}_scope ON {table} USING ({expression}) WITH CHECK ({expression})"]


def grant_functions(role: str) -> list[str]:
    return [f"GRANT EXECUTE ON FUNCTION {name}() TO {role}"
            for name in ("county_net_sees_all", "county_net_scope_ids", "county_net_self_ids")]
