"""Benchmark databases: where they live, the product's environment, and generating them with the product's
own `flask bench generate`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from county_net.bench.generate import SIZES as GENERATOR_SIZES
from county_net.bench.generate import VERSION as GENERATOR_VERSION

# name: (petitions, units), the generator's own presets
SIZES = {name: (petitions, units) for name, (units, petitions) in GENERATOR_SIZES.items()}
PG_HOST = "127.0.0.1:5432"
PG_ADMIN = "postgres"
PG_APP_ROLE = "county_net_app"
# A fixed 32-byte key: county_net/core/crypto.py uses a 32-byte value as it is.
DATA_KEY = "bench-only-data-encryption-key32"

PRODUCT_ENV = {
    "COUNTY_NET_CONFIG": "production",
    "SESSION_COOKIE_SECURE": "0",
    "SECRET_KEY": "bench-secret",
    "AUDIT_HMAC_KEY": "bench-audit",
    "DATA_ENCRYPTION_KEY": DATA_KEY,
    "LOOKUP_HMAC_KEY": "bench-lookup",
    "RLS_SCOPE_KEY": "bench-only-rls-scope-key",
    "FLASK_APP": "wsgi.py",
    # Long runs: sessions must not idle out between the groups that use them.
    "AUTH_IDLE_MINUTES": "720",
    "API_TOKEN_HOURS": "24",
}


@dataclass
class Dataset:
    engine: str
    size: str
    repo: Path
    preset: str = "stress"  # the generator's shape (PRESETS); the scripts that predate presets measured stress

    @property
    def folder(self) -> Path:
        return self.repo / "instance" / "bench"

    @property
    def stem(self) -> str:
        """The dataset's name: its size, and its preset unless stress, which keeps the names it had before
        presets, so a stress dataset generated then is still found (and its marker still matches)."""
        return self.size if self.preset == "stress" else f"{self.size}-{self.preset}"

    @property
    def sqlite_path(self) -> Path:
        return self.folder / f"{self.stem}.sqlite3"

    @property
    def pg_name(self) -> str:
        # BENCH_PG_PREFIX: several people benchmarking on one PostgreSQL server keep their own databases.
        return f"{os.environ.get('BENCH_PG_PREFIX', 'county_net_bench')}_{self.stem.replace('-', '_')}"

    @property
    def manifest_path(self) -> Path:
        return self.folder / f"{self.engine}-{self.stem}.manifest.json"

    @property
    def marker_path(self) -> Path:
        return self.folder / f"{self.engine}-{self.stem}.marker.json"

    # URLs -----------------------------------------------------------------------------------------
    @property
    def app_url(self) -> str:
        """What the product runs as (on PostgreSQL the RLS-subject role)."""
        if self.engine == "sqlite":
            return f"sqlite:///{self.sqlite_path}"
        return f"postgresql+psycopg://{PG_APP_ROLE}@{PG_HOST}/{self.pg_name}"

    @property
    def owner_url(self) -> str:
        if self.engine == "sqlite":
            return self.app_url
        return f"postgresql+psycopg://{PG_ADMIN}@{PG_HOST}/{self.pg_name}"

    def dbapi_connect(self):
        """A plain DB-API connection for the harness's own reads (owner role: no RLS)."""
        if self.engine == "sqlite":
            import sqlite3

            conn = sqlite3.connect(str(self.sqlite_path), timeout=30)
            conn.execute("PRAGMA busy_timeout=30000")
            return conn
        import psycopg

        return psycopg.connect(f"postgresql://{PG_ADMIN}@{PG_HOST}/{self.pg_name}", autocommit=True)

    def placeholder(self) -> str:
        return "?" if self.engine == "sqlite" else "%s"

    # Environments ---------------------------------------------------------------------------------
    def product_env(self, *, no_criteria: bool = False, rls_off: bool = False) -> dict:
        env = dict(os.environ)
        for name in ("COUNTY_NET_BENCH_NO_CRITERIA", "COUNTY_NET_BENCHMARK", "TENANCY_RLS", "MIGRATION_DATABASE_URL"):
            env.pop(name, None)
        env.update(PRODUCT_ENV)
        env["DATABASE_URL"] = self.app_url
        if self.engine == "postgresql":
            env["MIGRATION_DATABASE_URL"] = self.owner_url
        if no_criteria or rls_off:
            env["COUNTY_NET_BENCHMARK"] = "1"  # production refuses the switches without it
        if no_criteria:
            env["COUNTY_NET_BENCH_NO_CRITERIA"] = "1"
        if rls_off:
            # Superuser bypasses RLS; the product stops publishing its scope too.
            env["DATABASE_URL"] = self.owner_url
            env["TENANCY_RLS"] = "0"
        return env

    def baseline_env(self) -> dict:
        env = dict(os.environ)
        env["BENCH_DATABASE_URL"] = self.owner_url
        env.pop("BENCH_RLS_DATABASE_URL", None)
        if self.engine == "postgresql":
            env["BENCH_RLS_DATABASE_URL"] = self.app_url
            env["RLS_SCOPE_KEY"] = PRODUCT_ENV["RLS_SCOPE_KEY"]  # B1r signs its scope as the product does
        return env

    # Generation -----------------------------------------------------------------------------------
    def exists(self) -> bool:
        if self.engine == "sqlite":
            return self.sqlite_path.exists()
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", PG_ADMIN, "-d", "postgres", "-tAc",
                              f"SELECT 1 FROM pg_database WHERE datname = '{self.pg_name}'"],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip() == "1"

    def marker_matches(self, seed: int) -> bool:
        try:
            marker = json.loads(self.marker_path.read_text())
        except (OSError, ValueError):
            return False
        petitions, units = SIZES[self.size]
        return (marker.get("seed") == seed and marker.get("petitions") == petitions and marker.get("units") == units
                and marker.get("version", 1) == GENERATOR_VERSION and marker.get("preset", "stress") == self.preset
                and self.manifest_path.exists() and self.exists())

    def drop(self) -> None:
        if self.engine == "sqlite":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(self.sqlite_path) + suffix).unlink(missing_ok=True)
        else:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", PG_ADMIN, "--if-exists", "--force", self.pg_name],
                           check=True)
        self.marker_path.unlink(missing_ok=True)

    def generate(self, seed: int, log) -> dict:
        petitions, units = SIZES[self.size]
        self.folder.mkdir(parents=True, exist_ok=True)
        self.drop()
        if self.engine == "postgresql":
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", PG_ADMIN, "-O", PG_ADMIN, self.pg_name], check=True)
        self.migrate(log)
        env = self.product_env()
        flask = str(self.repo / ".venv" / "bin" / "flask")
        log(f"generating {petitions} matters, {units} units (seed {seed}, preset {self.preset}) …")
        started = time.monotonic()
        subprocess.run([flask, "--app", "wsgi", "bench", "generate", "--petitions", str(petitions), "--units",
                        str(units), "--seed", str(seed), "--preset", self.preset, "--manifest",
                        str(self.manifest_path)], cwd=self.repo, env=env, check=True)
        seconds = time.monotonic() - started
        self.marker_path.write_text(json.dumps({"seed": seed, "size": self.size, "version": GENERATOR_VERSION,
                                                "preset": self.preset, "petitions": petitions,
                                                "units": units, "engine": self.engine,
                                                "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                                                "wall_seconds": round(seconds, 1)}, indent=1))
        return self.manifest()

    def migrate(self, log) -> None:
        """`flask db upgrade` as the owner: a reused dataset gets the migrations made since it was generated
        (and the database's copy of the key that signs published scopes)."""
        log(f"migrating {self.engine} {self.stem} …")
        subprocess.run([str(self.repo / ".venv" / "bin" / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=self.repo,
                       env=self.product_env(), check=True, stdout=subprocess.DEVNULL)

    def manifest(self) -> dict:
        return json.loads(self.manifest_path.read_text())


def tools_missing(engine: str) -> list[str]:
    needed = ["wrk"] + (["psql", "createdb", "dropdb"] if engine == "postgresql" else [])
    return [t for t in needed if shutil.which(t) is None]


def open_matters_from_db(ds: Dataset, today: str) -> dict:
    """The manifest's open-matter distribution, counted from the database: for a dataset whose manifest
    predates it (a stress dataset generated before presets)."""
    from county_net.bench.generate import open_distribution
    from county_net.petitions.workflow import OPEN_STATES

    conn = ds.dbapi_connect()
    ph = ds.placeholder()
    states = sorted(OPEN_STATES)
    marks = ",".join([ph] * len(states))
    try:
        held = {int(u): int(n) for u, n in conn.execute(
            f"SELECT holder_unit_id, count(*) FROM petitions WHERE state IN ({marks}) GROUP BY holder_unit_id",
            states).fetchall()}
        overdue = conn.execute(f"SELECT count(*) FROM petitions WHERE state IN ({marks}) AND due_on < {ph}",
                               [*states, today]).fetchone()[0]
        matters = conn.execute("SELECT count(*) FROM petitions").fetchone()[0]
        kinds = conn.execute("SELECT id, kind FROM units").fetchall()
    finally:
        conn.close()
    handling = [int(i) for i, kind in kinds if kind in ("township", "bureau")]
    centers = [int(i) for i, kind in kinds if kind == "county_center"]
    return {**open_distribution(held, handling, centers), "overdue": int(overdue), "matters": int(matters)}


def sample_users_from_db(ds: Dataset, max_units: int = 24) -> list[dict]:
    """Rebuild the manifest's user sample from the database, following the generator's recipe (busiest
    holder units plus the county centers; a receptionist of each; matters each can see). Used only when a
    manifest comes without usable users."""
    conn = ds.dbapi_connect()
    ph = ds.placeholder()
    try:
        units = {int(i): (p, k) for i, p, k in conn.execute("SELECT id, path, kind FROM units").fetchall()}
        busiest = [int(r[0]) for r in conn.execute(
            "SELECT holder_unit_id, count(*) FROM petitions GROUP BY holder_unit_id ORDER BY 2 DESC "
            f"LIMIT {int(max_units)}").fetchall()]
        roots = [i for i, (p, k) in units.items() if k == "county_center"]
        categories = [int(r[0]) for r in conn.execute(
            "SELECT id FROM categories WHERE is_active = " + ph + " ORDER BY sort_order, id", (True,)).fetchall()]
        out = []
        for unit_id in busiest + [r for r in roots if r not in busiest]:
            path, kind = units[unit_id]
            row = conn.execute(f"SELECT username FROM users WHERE unit_id = {ph} AND roles = 'receptionist' "
                               "AND is_enabled ORDER BY id LIMIT 1", (unit_id,)).fetchone()
            if row is None:
                continue
            subtree = [i for i, (p, _) in units.items() if p.startswith(path)]
            marks = ",".join(str(i) for i in subtree)
            ids = [int(r[0]) for r in conn.execute(
                f"SELECT id FROM petitions WHERE (unit_id IN ({marks}) OR id IN (SELECT petition_id FROM "
                f"petition_access WHERE grantee_unit_id IN ({marks}))) AND accused_unit_id IS NULL "
                "ORDER BY id DESC LIMIT 200").fetchall()]
            county = int(path.strip("/").split("/")[0])
            county_path = units[county][0]
            transfer_to = sorted(i for i, (p, k) in units.items()
                                 if k in ("bureau", "township") and p.startswith(county_path) and i != unit_id)[:20]
            out.append({"username": row[0], "unit_id": unit_id, "unit_kind": kind, "roles": ["receptionist"],
                        "county_unit_id": county, "petition_ids": ids, "transfer_to": transfer_to,
                        "category_ids": categories})
        return out
    finally:
        conn.close()
