"""Backup and restore: one tar file holding the database, the audit checkpoints and the attachments.

PostgreSQL: pg_dump in its custom format, read as a role that bypasses row-level security (pg_dump turns row
security off and stops at the first table whose policies would hide rows from it); pg_restore as the owner into an
empty database (the policies and FORCE come back after the data, so the owner's COPY is not filtered).
SQLite: the online backup API, which copies a consistent snapshot while the service keeps writing.
The keys (SECRET_KEY, AUDIT_HMAC_KEY, DATA_ENCRYPTION_KEY, LOOKUP_HMAC_KEY) are never in a backup.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import make_url

from county_net.audit import checkpoints
from county_net.audit import services as audit
from county_net.core.models import utcnow
from county_net.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
CHECKPOINTS = "audit-checkpoints.log"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
ATTACHMENTS = "attachments"
NOT_INCLUDED = [
    "密钥（SECRET_KEY、AUDIT_HMAC_KEY、DATA_ENCRYPTION_KEY、LOOKUP_HMAC_KEY）：另行保管，恢复时必须是同一组",
    "实例目录中的其他文件（开发用的 secret_key、旧备份）和应用日志",
]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


@dataclass
class BackupReport:
    path: Path
    engine: str
    size: int
    checkpoints: int
    attachments: int | None  # None: left out on purpose


@dataclass
class RestoreReport:
    engine: str
    created_at: str
    rows: dict[str, int]
    attachments: int
    verify: audit.VerifyResult
    notes: list[str] = field(default_factory=list)


# ---- where ------------------------------------------------------------------------------------------

def _engine_name(url: str) -> str:
    return make_url(_sqlalchemy_url(url)).get_backend_name()


def _sqlalchemy_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _libpq(url: str) -> tuple[str, dict]:
    """A libpq URI without the password, and the environment that carries it (never on a command line)."""
    parsed = make_url(_sqlalchemy_url(url))
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def backup_url() -> str:
    config = current_app.config
    return (config.get("BACKUP_DATABASE_URL") or config.get("MIGRATION_DATABASE_URL")
            or db.engine.url.render_as_string(hide_password=False))


def owner_url() -> str:
    return current_app.config.get("MIGRATION_DATABASE_URL") or db.engine.url.render_as_string(hide_password=False)


def _sqlite_path() -> Path:
    path = db.engine.url.database  # Flask-SQLAlchemy has made a relative path absolute (instance folder)
    if not path or path == ":memory:":
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复")
    return Path(path)


def _pg_tool(name: str) -> str:
    folder = current_app.config.get("PG_BIN_DIR") or ""
    tool = str(Path(folder) / name) if folder else shutil.which(name)
    if not tool or not Path(tool).exists():
        raise BackupError(f"找不到 {name}：请安装与数据库服务器主版本相同或更新的 PostgreSQL 客户端，或设置 PG_BIN_DIR")
    return tool


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise BackupError(f"{Path(args[0]).name} 失败：" + " ".join(detail))


def default_target() -> Path:
    folder = current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups"
    return Path(folder) / f"county_net-{utcnow():%Y%m%d-%H%M%S}.tar"


# ---- backup -----------------------------------------------------------------------------------------

_RLS_SUBJECT = sa.text("""
SELECT r.rolsuper OR r.rolbypassrls AS bypasses,
       (SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relrowsecurity
           AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'USAGE'))) AS filtered
  FROM pg_roles r WHERE r.rolname = current_user
""")


def _check_reader(url: str) -> None:
    """pg_dump sets row_security = off and fails at the first table whose policies apply to it (FORCE makes them
    apply to the owner too). Say so before starting, with the remedy."""
    engine = sa.create_engine(_sqlalchemy_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            row = conn.execute(_RLS_SUBJECT).one()
            user = conn.scalar(sa.text("SELECT current_user"))
    except sa.exc.OperationalError as exc:
        raise BackupError(f"无法连接数据库：{exc.orig}") from exc
    finally:
        engine.dispose()
    if not row.bypasses and row.filtered:
        raise BackupError(
            f"备份账号 {user} 受行级安全（RLS）约束，pg_dump 读不到全部数据（{row.filtered}）。请用能绕过 RLS 的只读账号备份："
            "由超级用户执行 CREATE ROLE county_net_backup LOGIN BYPASSRLS PASSWORD '…'; "
            "GRANT pg_read_all_data TO county_net_backup; 然后把 BACKUP_DATABASE_URL 设为该账号（见 docs/operations.md）")


def _dump_postgres(url: str, into: Path) -> None:
    _check_reader(url)
    conninfo, env = _libpq(url)
    _run([_pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={into}", f"--dbname={conninfo}"], env)


def _copy_sqlite(source: Path, into: Path) -> None:
    """The online backup API: a consistent copy even while the service writes."""
    if not source.exists():
        raise BackupError(f"数据库文件不存在：{source}")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(into)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("备份副本未通过 integrity_check")
    finally:
        dst.close()
        src.close()


def _attachment_dir() -> Path:
    from county_net.petitions.attachments import store_dir

    return store_dir()


def create_backup(target: Path | None = None, *, attachments: bool = True) -> BackupReport:
    target = Path(target) if target else default_target()
    if target.is_dir():
        target = target / default_target().name
    target.parent.mkdir(parents=True, exist_ok=True)
    engine = db.engine.url.get_backend_name()
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=target.parent))  # beside the target: dumps can be large
    partial = target.with_name(target.name + ".partial")
    try:
        # Checkpoints first, database second: every checkpoint copied then names a committed row the dump holds.
        kept = 0
        source = checkpoints.checkpoint_file()
        if source is not None and source.exists():
            shutil.copyfile(source, work / CHECKPOINTS)
            kept = sum(1 for line in (work / CHECKPOINTS).read_text(errors="replace").splitlines() if line.strip())
        dump = work / DUMPS[engine]
        if engine == "postgresql":
            _dump_postgres(backup_url(), dump)
        else:
            _copy_sqlite(_sqlite_path(), dump)
        folder = _attachment_dir() if attachments else None
        files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder else []
        manifest = {
            "format": FORMAT, "engine": engine, "created_at": utcnow().isoformat(timespec="seconds"),
            "county": current_app.config.get("COUNTY_NAME"), "checkpoints": kept,
            "database": checkpoints.database_id(),  # whose lines in the checkpoint file anchor this dump
            "attachments": len(files) if attachments else None, "not_included": NOT_INCLUDED
            + ([] if attachments else ["附件（本次用 --no-attachments 略去）"]),
        }
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # people's data: owner only
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(utcnow().timestamp())
            tar.addfile(info, io.BytesIO(body))
            if kept:
                tar.add(work / CHECKPOINTS, CHECKPOINTS)
            tar.add(dump, dump.name)
            for path in files:
                tar.add(path, f"{ATTACHMENTS}/{path.relative_to(folder).as_posix()}", recursive=False)
            tar.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        partial.unlink(missing_ok=True)
    return BackupReport(target, engine, target.stat().st_size, kept, len(files) if attachments else None)


# ---- restore ----------------------------------------------------------------------------------------

def _read_backup(source: Path, into: Path) -> dict:
    """Unpacks only what a backup holds, by name; nothing outside `into` is ever written."""
    try:
        tar = tarfile.open(source, "r")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法读取备份文件 {source}：{exc}") from exc
    with tar:
        try:
            manifest = json.loads(tar.extractfile(MANIFEST).read())
        except (KeyError, AttributeError, ValueError) as exc:
            raise BackupError(f"{source} 不是 county_net 的备份（没有 {MANIFEST}）") from exc
        if manifest.get("format") != FORMAT or manifest.get("engine") not in DUMPS:
            raise BackupError(f"不认识的备份格式：{manifest.get('format')!r}")
        wanted = {CHECKPOINTS, DUMPS[manifest["engine"]]}
        for member in tar:
            name = PurePosixPath(member.name)
            inside = name.parts[:1] == (ATTACHMENTS,) and len(name.parts) > 1 and ".." not in name.parts
            if not member.isfile() or name.is_absolute() or (member.name not in wanted and not inside):
                continue
            target = into.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
    if not (into / DUMPS[manifest["engine"]]).exists():
        raise BackupError("备份中没有数据库")
    return manifest


_PG_OBJECTS = sa.text("""
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('public', 'county_net_private') AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
""")


def _existing_tables(engine_name: str) -> int:
    if engine_name == "sqlite":
        path = _sqlite_path()
        if not path.exists():
            return 0
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        finally:
            conn.close()
    engine = sa.create_engine(_sqlalchemy_url(owner_url()), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return conn.scalar(_PG_OBJECTS)
    finally:
        engine.dispose()


def _load_postgres(dump: Path, force: bool) -> None:
    url = owner_url()
    if force:
        # Everything the service has lives in the public schema and county_net_private; start them afresh
        # (needs their owner: the database owner on PostgreSQL 15+).
        engine = sa.create_engine(_sqlalchemy_url(url), poolclass=sa.pool.NullPool)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
                # The key that signs published scopes (and pgcrypto) live beside it; the dump brings them back.
                conn.execute(sa.text("DROP SCHEMA IF EXISTS county_net_private CASCADE"))
        finally:
            engine.dispose()
    conninfo, env = _libpq(url)
    # One transaction: a restore that fails half way leaves the database as empty as it found it.
    _run([_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction", "--no-password",
          f"--dbname={conninfo}", str(dump)], env)
    engine = sa.create_engine(_sqlalchemy_url(url), poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE"))  # pg_restore leaves the planner without statistics
    finally:
        engine.dispose()


def _load_sqlite(copy: Path) -> None:
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # replaces every page of the target, whatever it held
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("恢复后的数据库未通过 integrity_check")
    finally:
        dst.close()
        src.close()


def _put_back_attachments(unpacked: Path) -> int:
    source = unpacked / ATTACHMENTS
    if not source.exists():
        return 0
    folder, count = _attachment_dir(), 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        target = folder / path.relative_to(source)
        if target.exists():
            continue  # storage keys are random and files never change: the same name is the same file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        count += 1
    return count


def row_counts() -> dict[str, int]:
    """Rows per table, read by the service's own role (under system scope, so RLS shows everything)."""
    names = sorted(sa.inspect(db.session.connection()).get_table_names())
    return {name: db.session.scalar(sa.text(f'SELECT count(*) FROM "{name}"')) for name in names}


def _schema_note(manifest: dict) -> list[str]:
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    current = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    if current in heads:
        return []
    return [f"恢复的数据库结构版本是 {current}，当前程序需要 {', '.join(sorted(heads))}：请运行 flask db upgrade"]


def restore_backup(source: Path, *, force: bool = False) -> RestoreReport:
    """Into an empty database (or, with force, over one), then hold the restored audit chain against the
    checkpoints the backup carried, anchor the restored head in the live checkpoint sinks, and verify."""
    from county_net.core.database import writing
    from county_net.tenancy import system_scope

    engine = db.engine.url.get_backend_name()
    work = Path(tempfile.mkdtemp(prefix=".restore-"))
    try:
        manifest = _read_backup(Path(source), work)
        if manifest["engine"] != engine:
            raise BackupError(f"备份来自 {manifest['engine']}，而本服务使用 {engine}")
        existing = _existing_tables(engine)
        if existing and not force:
            raise BackupError(f"目标数据库不是空的（已有 {existing} 个表或序列）。恢复会覆盖其中的全部数据；确认后加 --force")
        db.session.remove()
        db.engine.dispose()  # no connection of ours stays on the database being replaced
        if engine == "postgresql":
            _load_postgres(work / DUMPS[engine], force)
        else:
            _load_sqlite(work / DUMPS[engine])
        db.engine.dispose()  # prepared statements and caches of the old database go too
        restored_files = _put_back_attachments(work)
        carried = checkpoints.read(work / CHECKPOINTS, database=manifest.get("database"))
        live = checkpoints.configured()
        with system_scope("restore"):
            rows = row_counts()
            notes = _schema_note(manifest)
            against_backup = audit.verify_chain(anchors=carried)
            if not against_backup.ok:
                db.session.remove()
                return RestoreReport(engine, manifest["created_at"], rows, restored_files, against_backup,
                                     ["审计链与备份中的检查点不符：数据已恢复，但请勿投入使用，先查明原因", *notes])
            head = audit.chain_head() or (0, audit.GENESIS)
            lost = live.latest
            if lost is not None and lost.seq > head[0]:
                notes.append(f"恢复前的检查点记录到第 {lost.seq} 条，备份只到第 {head[0]} 条："
                             f"备份之后写入的 {lost.seq - head[0]} 条审计记录没有恢复")
            # The live checkpoints after this line bind the restored chain; those before it are history.
            failures = checkpoints.emit(checkpoints.make(head[0], head[1], kind="restore"))
            notes.extend(failures)
            with writing():
                audit.record("system.restored", actor_name="cli",
                             detail={"source": Path(source).name, "created_at": manifest["created_at"],
                                     "audit_head": head[0]})
                db.session.commit()
            result = audit.verify_chain()
            db.session.remove()
        return RestoreReport(engine, manifest["created_at"], rows, restored_files, result, notes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
