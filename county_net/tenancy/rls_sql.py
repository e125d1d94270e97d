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


# ---- signed scope (revision f5c1a9d3e207) ----------------------------------------------------------
# Any session of the service's role can run set_config(), so a bare list of unit ids in a setting would
# let injected SQL widen its own scope. The service now publishes one signed token instead:
#
#   county_net.scope = v1|<backend pid>|<expires, unix seconds>|<unit ids, or *>|<self ids>|<hex HMAC-SHA256>
#
# county_net_verified_scope() (SECURITY DEFINER, owned by the migration owner) checks the HMAC with a key kept
# in a schema the service's role has no right to, and then the pid and the expiry, so a token copied from
# another connection or an earlier transaction is worth nothing. Anything wrong reads as "sees nothing".
# The policies still call county_net_sees_all() / county_net_scope_ids() / county_net_self_ids() through
# scalar subqueries, so the check runs once per statement per call site (InitPlans), never per row.

SCOPE_SETTING = "county_net.scope"
PRIVATE_SCHEMA = "county_net_private"
KEY_TABLE = f"{PRIVATE_SCHEMA}.scope_key"
KEY_ATTRIBUTE = "county_net_rls_scope_key"  # alembic Config.attributes: migrations/env.py puts the key here

PRIVATE_SETUP = [
    f"CREATE SCHEMA IF NOT EXISTS {PRIVATE_SCHEMA}",
    f"REVOKE ALL ON SCHEMA {PRIVATE_SCHEMA} FROM PUBLIC",
    # pgcrypto for hmac(); trusted since PostgreSQL 13, so the database owner may create it. Kept out of
    # public: the service's role has no use for it.
    f"CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA {PRIVATE_SCHEMA}",
    f"""CREATE TABLE IF NOT EXISTS {KEY_TABLE} (
  id smallint PRIMARY KEY CHECK (id = 1),
  key bytea NOT NULL CHECK (length(key) >= 16),
  installed_at timestamptz NOT NULL DEFAULT now()
)""",
    f"REVOKE ALL ON {KEY_TABLE} FROM PUBLIC",
]
PRIVATE_TEARDOWN = [f"DROP SCHEMA IF EXISTS {PRIVATE_SCHEMA} CASCADE"]  # with pgcrypto when it lives there

# Where pgcrypto lives (an existing installation in public is used as it is).
CRYPTO_SCHEMA = ("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                 "WHERE e.extname = 'pgcrypto'")
INSTALL_KEY = (f"INSERT INTO {KEY_TABLE} (id, key, installed_at) VALUES (1, :key, now()) "
               "ON CONFLICT (id) DO UPDATE SET key = EXCLUDED.key, installed_at = now() "
               f"WHERE {KEY_TABLE}.key IS DISTINCT FROM EXCLUDED.key")
# May this connection install the key? (The owner may; the service's role may not, and must not try.)
MAY_INSTALL_KEY = (f"SELECT CASE WHEN to_regnamespace('{PRIVATE_SCHEMA}') IS NULL THEN false "
                   f"WHEN NOT has_schema_privilege('{PRIVATE_SCHEMA}', 'USAGE') THEN false "
                   f"WHEN to_regclass('{KEY_TABLE}') IS NULL THEN false "
                   f"ELSE has_table_privilege('{KEY_TABLE}', 'INSERT') AND has_table_privilege('{KEY_TABLE}', 'UPDATE') END")


def _verify_function(crypto_schema: str) -> str:
    # Every comparison is NULL-safe: a NULL must never let a token through. The HMAC is checked before any
    # field is parsed, so a forged token cannot make the casts below raise.
    return f"""
CREATE OR REPLACE FUNCTION county_net_verified_scope() RETURNS text
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  token text := current_setting('{SCOPE_SETTING}', true);
  payload text;
  part text[];
BEGIN
  IF token IS NULL OR length(token) <= 65 OR substr(token, length(token) - 64, 1) IS DISTINCT FROM '|' THEN
    RETURN NULL;
  END IF;
  payload := left(token, length(token) - 65);
  IF encode({crypto_schema}.hmac(convert_to(payload, 'UTF8'),
                                 (SELECT k.key FROM {KEY_TABLE} k WHERE k.id = 1), 'sha256'), 'hex')
     IS DISTINCT FROM right(token, 64) THEN
    RETURN NULL;
  END IF;
  part := string_to_array(payload, '|');
  IF part[1] IS DISTINCT FROM 'v1' OR part[2] IS DISTINCT FROM pg_backend_pid()::text
     OR (part[3]::bigint >= extract(epoch FROM statement_timestamp())) IS NOT TRUE THEN
    RETURN NULL;
  END IF;
  RETURN part[4] || '|' || part[5];
END
$$"""


# The wrappers are single SQL expressions, so PostgreSQL inlines them into the policy's InitPlan (a SQL
# function with a FROM clause is planned afresh on every call, four times the cost of the check itself).
# An answer of "nothing" needs no check: sees_all() verifies only a token that claims '*', scope_ids() only
# one that claims ids. self_ids() always verifies: fewer self ids would show more (检举控告). PARALLEL
# RESTRICTED: pg_backend_pid() differs in a parallel worker. The checker is called schema-qualified.
_CLAIMED_UNITS = f"split_part(coalesce(current_setting('{SCOPE_SETTING}', true), ''), '|', 4)"
SIGNED_WRAPPERS = [
    f"""
CREATE OR REPLACE FUNCTION county_net_sees_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
  SELECT CASE WHEN {_CLAIMED_UNITS} = '*'
              THEN coalesce(split_part(public.county_net_verified_scope(), '|', 1) = '*', false)
              ELSE false END
$$""",
    f"""
CREATE OR REPLACE FUNCTION county_net_scope_ids() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
  SELECT CASE WHEN {_CLAIMED_UNITS} IN ('', '*') THEN '{{}}'::bigint[]
              ELSE coalesce(string_to_array(nullif(nullif(split_part(public.county_net_verified_scope(), '|', 1),
                                                          '*'), ''), ',')::bigint[], '{{}}'::bigint[]) END
$$""",
    """
CREATE OR REPLACE FUNCTION county_net_self_ids() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
  SELECT coalesce(string_to_array(nullif(split_part(public.county_net_verified_scope(), '|', 2), ''), ',')::bigint[],
                  '{}'::bigint[])
$$""",
    # The first functions are no longer in any policy; they follow the signed scope all the same, so that
    # nothing the service's role can call still trusts a bare setting.
    """
CREATE OR REPLACE FUNCTION county_net_may_see(uid bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
  SELECT public.county_net_sees_all() OR uid = ANY (public.county_net_scope_ids())
$$""",
    """
CREATE OR REPLACE FUNCTION county_net_is_self(uid bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
  SELECT uid IS NOT NULL AND uid = ANY (public.county_net_self_ids())
$$""",
]

SCOPE_FUNCTION_SIGNATURES = ("county_net_verified_scope()", "county_net_sees_all()", "county_net_scope_ids()",
                             "county_net_self_ids()", "county_net_may_see(bigint)", "county_net_is_self(bigint)")


def signed_scope_functions(crypto_schema: str) -> list[str]:
    return [_verify_function(crypto_schema), *SIGNED_WRAPPERS]


def grant_scope_functions(role: str) -> list[str]:
    # Functions are executable by PUBLIC by default: only the service's role (and the owner) keep the right.
    return [statement for signature in SCOPE_FUNCTION_SIGNATURES
            for statement in (f"REVOKE EXECUTE ON FUNCTION {signature} FROM PUBLIC",
                              f"GRANT EXECUTE ON FUNCTION {signature} TO {role}")]


def lock_down_public(role: str) -> list[str]:
    # Nothing the service's role creates can shadow or stand in for our functions. (PostgreSQL 15 already
    # creates public this way; older clusters and hand-made databases may not.) A REVOKE that finds
    # nothing to revoke only warns.
    return [f"REVOKE CREATE ON SCHEMA public FROM PUBLIC", f"REVOKE CREATE ON SCHEMA public FROM {role}",
            f"REVOKE ALL ON SCHEMA {PRIVATE_SCHEMA} FROM {role}"]


def unsigned_scope_functions(role: str) -> list[str]:
    """Downgrade: the functions as revision c7d2a9e41f10 and the first ones left them."""
    return [
        "DROP FUNCTION IF EXISTS county_net_verified_scope()",
        *SCOPE_FUNCTIONS, MAY_SEE_FUNCTION, IS_SELF_FUNCTION,
        *grant_functions(role),
        f"GRANT EXECUTE ON FUNCTION county_net_may_see(bigint) TO {role}",
        f"GRANT EXECUTE ON FUNCTION county_net_is_self(bigint) TO {role}",
    ]


# ---- the tables that were outside RLS (revision f5c1a9d3e207) ---------------------------------------
# The audit log: rows whose actor's unit is in scope (the county admin's page shows the county's own acts);
# rows without a unit (the command line, failed logins of names no account has) only in system scope.
AUDIT_VISIBLE = sees("actor_unit_id")
# Login sessions (token hashes, addresses, browsers): the service reads and writes them only in system scope.
SESSION_VISIBLE = "(SELECT county_net_sees_all())"
# A window's stationed units: exactly when the window is visible (its own policy applies inside).
STATION_VISIBLE = "EXISTS (SELECT 1 FROM windows w WHERE w.id = window_stations.window_id)"
# A county's number counter: any principal of that county (its root is among the principal's self ids).
COUNTER_VISIBLE = f"{sees('county_unit_id')} OR county_unit_id = ANY ((SELECT county_net_self_ids())::bigint[])"
# Categories are one list for every county: any principal reads them; only a county center's principal (the
# administrators work there; the service checks the role) or system work changes them.
CATEGORY_READ = "(SELECT county_net_sees_all()) OR cardinality((SELECT county_net_scope_ids())::bigint[]) > 0"
CATEGORY_WRITE = ("(SELECT county_net_sees_all()) OR EXISTS (SELECT 1 FROM units u WHERE u.parent_id IS NULL "
                  "AND u.id = ANY ((SELECT county_net_scope_ids())::bigint[]))")

# table -> [(policy name, command, expression)]
NEW_RLS_POLICIES = {
    "audit_records": [("audit_records_scope", "ALL", AUDIT_VISIBLE)],
    "auth_sessions": [("auth_sessions_scope", "ALL", SESSION_VISIBLE)],
    "window_stations": [("window_stations_scope", "ALL", STATION_VISIBLE)],
    "petition_counters": [("petition_counters_scope", "ALL", COUNTER_VISIBLE)],
    # One policy per writing command, so that a read checks the scope once (a FOR ALL policy would join in).
    "categories": [("categories_scope", "SELECT", CATEGORY_READ), ("categories_insert", "INSERT", CATEGORY_WRITE),
                   ("categories_update", "UPDATE", CATEGORY_WRITE), ("categories_delete", "DELETE", CATEGORY_WRITE)],
}


def enable_rls_policies(table: str, policies) -> list[str]:
    statements = [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY", f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY"]
    for name, command, expression in policies:
        using = "" if command == "INSERT" else f" USING ({expression})"
        check = "" if command in ("SELECT", "DELETE") else f" WITH CHECK ({expression})"
        statements.append(f"CREATE POLICY {name} ON {table} FOR {command}{using}{check}")
    return statements


def disable_rls_policies(table: str, policies) -> list[str]:
    return [*(f"DROP POLICY IF EXISTS {name} ON {table}" for name, _, _ in policies),
            f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY", f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"]


# ---- the scope as a range (revision 5b7e2c9d4a61) --------------------------------------------------------
# A principal's token names its unit's path ("/1/4/") where it named every unit of the subtree:
#
#   county_net.scope = v1|<pid>|<expires>|<path, or unit ids, or *>|<self ids>|<hex HMAC-SHA256>
#
# so the token, like the policies, is the same size for a village and for a county center. The subtree is
# read from units.path, compared byte-wise (COLLATE "C", served by ix_units_path_c): a range, never a LIKE.
# The unit table's own policy compares its own path, so reading the subtree never recurses into it. A
# county-wide token (a path of one unit: the county root) lets the matters and their child rows decide on
# the row alone: county_unit_id = the county, with the accused-unit test on the row's own copy.

_C = 'COLLATE pg_catalog."C"'
PATH_INDEX = f"CREATE INDEX IF NOT EXISTS ix_units_path_c ON units (path {_C})"
DROP_PATH_INDEX = "DROP INDEX IF EXISTS ix_units_path_c"

# For the ORM criteria too (tenancy/criteria.py): the ids under a path prefix, as the caller may see them
# (invoker rights: the unit table's policy applies). PL/pgSQL, so its plan is cached per connection and the
# planner costs the call once; the table is schema-qualified, so no temporary table can stand in for it.
SUBTREE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION county_net_subtree_ids(prefix text) RETURNS integer[]
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN ARRAY(SELECT u.id FROM public.units u
               WHERE u.path {_C} >= prefix AND u.path {_C} < left(prefix, -1) || '0' ORDER BY u.id);
END
$$"""

_PATH_PATTERN = "'^/([0-9]+/)+$'"
RANGE_FUNCTIONS = [
    SUBTREE_FUNCTION,
    # The scope's units as an array, whichever form the token has. Only a signed token is read.
    f"""
CREATE OR REPLACE FUNCTION county_net_scope_ids() RETURNS bigint[]
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $$
DECLARE
  units text;
BEGIN
  IF {_CLAIMED_UNITS} IN ('', '*') THEN
    RETURN '{{}}'::bigint[];
  END IF;
  units := split_part(public.county_net_verified_scope(), '|', 1);
  IF units IS NULL OR units IN ('', '*') THEN
    RETURN '{{}}'::bigint[];
  ELSIF units ~ {_PATH_PATTERN} THEN
    RETURN public.county_net_subtree_ids(units)::bigint[];
  ELSIF units ~ '^[0-9]+(,[0-9]+)*$' THEN
    RETURN string_to_array(units, ',')::bigint[];
  END IF;
  RETURN '{{}}'::bigint[];
END
$$""",
    # For the unit table's own policy: the listed ids only (a path token: none), so it never reads units.
    f"""
CREATE OR REPLACE FUNCTION county_net_listed_ids() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
  SELECT CASE WHEN {_CLAIMED_UNITS} ~ '^[0-9]+(,[0-9]+)*$'
              THEN coalesce(string_to_array(substring(split_part(public.county_net_verified_scope(), '|', 1)
                                                     from '^[0-9]+(?:,[0-9]+)*$'), ',')::bigint[], '{{}}'::bigint[])
              ELSE '{{}}'::bigint[] END
$$""",
    # The signed path, or NULL.
    f"""
CREATE OR REPLACE FUNCTION county_net_scope_prefix() RETURNS text
LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
  SELECT CASE WHEN {_CLAIMED_UNITS} ~ {_PATH_PATTERN}
              THEN substring(split_part(public.county_net_verified_scope(), '|', 1) from '^/(?:[0-9]+/)+$') END
$$""",
    # The county of a county-wide token (its path is the county root alone), or NULL.
    f"""
CREATE OR REPLACE FUNCTION county_net_whole_county() RETURNS bigint
LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
  SELECT CASE WHEN {_CLAIMED_UNITS} ~ '^/[0-9]+/$'
              THEN substring(split_part(public.county_net_verified_scope(), '|', 1) from '^/([0-9]+)/$')::bigint END
$$""",
]
RANGE_FUNCTION_SIGNATURES = ("county_net_subtree_ids(text)", "county_net_listed_ids()", "county_net_scope_prefix()",
                             "county_net_whole_county()")


def grant_range_functions(role: str) -> list[str]:
    return [statement for signature in RANGE_FUNCTION_SIGNATURES
            for statement in (f"REVOKE EXECUTE ON FUNCTION {signature} FROM PUBLIC",
                              f"GRANT EXECUTE ON FUNCTION {signature} TO {role}")]


DROP_RANGE_FUNCTIONS = [f"DROP FUNCTION IF EXISTS {signature}" for signature in RANGE_FUNCTION_SIGNATURES]

UNIT_VISIBLE_V3 = ("(SELECT county_net_sees_all()) OR id = ANY ((SELECT county_net_listed_ids())::bigint[]) "
                   "OR starts_with(path, (SELECT county_net_scope_prefix()))")
_WHOLE_COUNTY = "county_unit_id = (SELECT county_net_whole_county())"
_NOT_ACCUSING_SELF = "(accused_unit_id IS NULL OR NOT accused_unit_id = ANY ((SELECT county_net_self_ids())::bigint[]))"
PETITION_VISIBLE_V3 = (
    f"({_WHOLE_COUNTY} OR {sees('unit_id')} OR {sees('holder_unit_id')} OR EXISTS (SELECT 1 FROM petition_access a "
    f"WHERE a.petition_id = petitions.id AND a.is_active AND {sees('a.grantee_unit_id')})) AND {_NOT_ACCUSING_SELF}"
)


def child_visible_v3(table: str) -> str:
    """A matter's child row: a county-wide principal reads the row's own copies; anyone else probes the matter
    (whose own policy applies inside)."""
    return f"({_WHOLE_COUNTY} AND {_NOT_ACCUSING_SELF}) OR {child_visible(table)}"


PETITION_CHILD_TABLES = ("petition_parties", "petition_events", "petition_links", "petition_attachments",
                         "petition_readings")
