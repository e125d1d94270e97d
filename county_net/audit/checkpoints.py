"""Signed checkpoints of the audit chain's head, kept where the database role cannot rewrite them.

The hash chain proves that no row before the last one was changed or removed, but a table cut short at its end is
still a valid chain. A checkpoint (seq and hash of the head, the time, an HMAC with the audit key) written outside
the database after each commit that appended records lets `verify_chain` see that the table ends before a head it
once had. Sinks: an append-only file (one JSON line per checkpoint), the log `county_net.audit.checkpoint`, and
optionally a callable named in AUDIT_CHECKPOINT_SINK.

A line of kind "restore" is written by `flask restore`: the chain was put back to that head from a backup, and the
checkpoints before the line no longer bind it. Each line names the database it anchors (a hash of its host, port
and name, or of the SQLite file's path), so a file shared by several databases (a benchmark run beside a
development database, say) does not mix their chains.
"""
from __future__ import annotations

import hashlib
import hmac
import importlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from county_net.audit.models import AuditRecord
from county_net.core.models import utcnow

LOGGER = logging.getLogger("county_net.audit.checkpoint")
DEFAULT_FILE = "audit-checkpoints.log"
LOG_MARKER = "audit checkpoint "
_PENDING = "county_net_audit_head"  # session.info: (seq, hash, records appended) flushed in this transaction
_TAG = "county_net audit checkpoint v1"  # keeps these signatures apart from the row HMACs made with the same key


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str  # UTC, ISO 8601
    db: str  # database_id() of the database whose chain this anchors
    kind: str = "head"  # or "restore"
    sig: str = ""
    line_no: int = 0  # where it was read, for messages

    def _mac(self, key: bytes) -> str:
        content = json.dumps([_TAG, self.db, self.kind, self.seq, self.hash, self.at], separators=(",", ":"))
        return hmac.new(key, content.encode(), hashlib.sha256).hexdigest()

    def signed(self, key: bytes) -> Checkpoint:
        return replace(self, sig=self._mac(key))

    def valid(self, key: bytes) -> bool:
        return hmac.compare_digest(self._mac(key), self.sig)

    def line(self) -> str:
        body = {"seq": self.seq, "hash": self.hash, "at": self.at, "db": self.db, "kind": self.kind, "sig": self.sig}
        return json.dumps(body, separators=(",", ":")) + "\n"


def parse(text: str, line_no: int = 0) -> Checkpoint:
    """One line as written by `Checkpoint.line`; ValueError for anything else."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError("不是检查点格式") from exc
    if not isinstance(body, dict):
        raise ValueError("不是检查点格式")
    seq, head, at, database, kind, sig = (body.get(k) for k in ("seq", "hash", "at", "db", "kind", "sig"))
    if (type(seq) is not int or seq < (0 if kind == "restore" else 1) or not isinstance(head, str) or len(head) != 64
            or not all(isinstance(v, str) for v in (at, database, sig)) or kind not in ("head", "restore")):
        raise ValueError("检查点字段不全或有误")
    return Checkpoint(seq, head, at, database, kind, sig, line_no)


def key() -> bytes:
    from county_net.audit.services import _key

    return _key()


def database_id(url=None) -> str:
    """Which database a chain lives in: host, port and name (or the SQLite file), never the role or password, so
    the service, cron and `flask backup` name it alike."""
    from county_net.extensions import db

    url = url or db.engine.url
    where = [url.get_backend_name(), url.host or "", str(url.port or ""), url.database or ""]
    return hashlib.sha256("|".join(where).encode()).hexdigest()[:16]


def make(seq: int, head_hash: str, kind: str = "head") -> Checkpoint:
    return Checkpoint(seq, head_hash, utcnow().isoformat(timespec="seconds"), database_id(), kind).signed(key())


# ---- writing -------------------------------------------------------------------------------------

def checkpoint_file(app=None) -> Path | None:
    app = app or current_app
    value = app.config.get("AUDIT_CHECKPOINT_FILE")
    if value is None:
        return Path(app.instance_path) / DEFAULT_FILE
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else Path(app.instance_path) / path


def append_line(path: Path, line: str) -> None:
    """One write() on a descriptor opened with O_APPEND: the kernel puts each line at the end whole, so several
    workers (processes or threads) can append to the same file without interleaving."""
    data = line.encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        written = os.write(fd, data)
    finally:
        os.close(fd)
    if written != len(data):
        raise OSError(f"只写入了 {written}/{len(data)} 字节")


def _load_sink(dotted: str):
    module, _, name = dotted.partition(":")
    if not module or not name:
        raise RuntimeError(f"AUDIT_CHECKPOINT_SINK 应写作 包.模块:函数，而不是 {dotted!r}")
    sink = getattr(importlib.import_module(module), name, None)
    if not callable(sink):
        raise RuntimeError(f"AUDIT_CHECKPOINT_SINK：{dotted} 不是可调用的函数")
    return sink


def emit(checkpoint: Checkpoint) -> list[str]:
    """Sends one checkpoint to every sink; each failure is logged and returned, none is raised."""
    failures = []
    path = checkpoint_file()
    if path is not None:
        try:
            append_line(path, checkpoint.line())
        except OSError as exc:
            failures.append(f"检查点文件 {path}：{exc}")
    LOGGER.info("%s%s", LOG_MARKER, checkpoint.line().rstrip("\n"))
    sink = current_app.extensions["audit_checkpoints"].sink
    if sink is not None:
        try:
            sink(checkpoint)
        except Exception as exc:  # someone else's code: it must not fail the request
            failures.append(f"AUDIT_CHECKPOINT_SINK：{exc!r}")
    for failure in failures:
        LOGGER.error("审计检查点未能写入：%s", failure)
    return failures


@dataclass
class _WorkerState:
    """Per process: how much was appended since this worker's last checkpoint."""
    sink: object = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    records: int = 0
    last_at: float | None = None


def _due(state: _WorkerState, appended: int) -> bool:
    config = current_app.config
    with state.lock:
        state.records += appended
        now = time.monotonic()
        due = (state.last_at is None
               or state.records >= config["AUDIT_CHECKPOINT_EVERY_RECORDS"]
               or now - state.last_at >= config["AUDIT_CHECKPOINT_EVERY_SECONDS"])
        if due:
            state.records, state.last_at = 0, now
        return due


# ---- when: after a commit that appended records --------------------------------------------------

@event.listens_for(Session, "after_flush")
def _note_head(session, flush_context):
    top, count = None, 0
    for obj in session.new:  # still the pre-flush lists here
        if isinstance(obj, AuditRecord):
            count += 1
            if top is None or obj.seq > top.seq:
                top = obj
    if top is None:
        return
    held = session.info.get(_PENDING)
    if held is None or top.seq > held[0]:
        session.info[_PENDING] = (top.seq, top.hash, count + (held[2] if held else 0))
    else:
        session.info[_PENDING] = (held[0], held[1], held[2] + count)


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released; the outer transaction may still roll back
    head = session.info.pop(_PENDING, None)
    if head is None or not has_app_context() or "audit_checkpoints" not in current_app.extensions:
        return
    try:
        if _due(current_app.extensions["audit_checkpoints"], head[2]):
            emit(make(head[0], head[1]))
    except Exception:  # the user's change is committed; a lost checkpoint only weakens the next verify
        LOGGER.exception("审计检查点未能写入")


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session, previous_transaction):
    # Also a savepoint's rollback: dropping the outer transaction's head too only costs one checkpoint.
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_on_end(session, transaction):
    if transaction.parent is None:  # closed without a commit (the commit path popped it already)
        session.info.pop(_PENDING, None)


def init_app(app) -> None:
    dotted = app.config.get("AUDIT_CHECKPOINT_SINK") or ""
    app.extensions["audit_checkpoints"] = _WorkerState(sink=_load_sink(dotted) if dotted else None)
    app.logger  # noqa: B018  (Flask adds its stderr handler on first use; the checkpoint log goes there)
    if LOGGER.level == logging.NOTSET:
        LOGGER.setLevel(logging.INFO)


# ---- reading ---------------------------------------------------------------------------------------

@dataclass
class CheckpointSet:
    """What a file (or log) says about the chain: the checkpoints in force (after the last restore line), by
    seq, and the lines that are not valid checkpoints."""
    source: str = ""
    by_seq: dict[int, Checkpoint] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    restore: Checkpoint | None = None
    superseded: int = 0  # checkpoints before the last restore line
    superseded_top: int = 0
    other_databases: int = 0  # lines anchoring another database's chain, skipped

    @property
    def latest(self) -> Checkpoint | None:
        return self.by_seq[max(self.by_seq)] if self.by_seq else None

    def add(self, cp: Checkpoint, where: str, database: str | None) -> None:
        if database is not None and cp.db != database:
            self.other_databases += 1
            return
        if cp.kind == "restore":
            self.superseded += len(self.by_seq)
            self.superseded_top = max([self.superseded_top, *self.by_seq])
            self.by_seq = {}
            self.restore = cp
        held = self.by_seq.get(cp.seq)
        if held is not None and held.hash != cp.hash:
            self.problems.append(f"{where}与第 {held.line_no} 行对第 {cp.seq} 条给出不同的哈希")
            return
        if held is None:
            self.by_seq[cp.seq] = cp


def read(path: Path, *, from_log: bool = False, database: str | None = "") -> CheckpointSet:
    """A checkpoint file, or (from_log) an application log whose other lines are skipped, for one database (by
    default this service's; None: every line). A missing file gives an empty set; an unreadable one, a problem."""
    database = database_id() if database == "" else database
    found = CheckpointSet(source=str(path))
    try:
        handle = open(path, encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return found
    except OSError as exc:
        found.problems.append(f"无法读取检查点文件 {path}：{exc.strerror or exc}")
        return found
    signing_key = key()
    with handle:
        for line_no, raw in enumerate(handle, 1):
            text = raw.strip()
            if from_log:
                at = text.find(LOG_MARKER + "{")
                if at < 0:
                    continue
                text = text[at + len(LOG_MARKER):]
            elif not text:
                continue
            where = f"检查点文件第 {line_no} 行"
            try:
                cp = parse(text, line_no)
            except ValueError as exc:
                found.problems.append(f"{where}无法识别（{exc}）")
                continue
            if not cp.valid(signing_key):
                found.problems.append(f"{where}签名无效（检查点被伪造或改动），已拒绝")
                continue
            found.add(cp, where, database)
    return found


def configured() -> CheckpointSet:
    path = checkpoint_file()
    return read(path) if path is not None else CheckpointSet()


def holds(path: Path, seq: int, head_hash: str, tail_bytes: int = 65536) -> bool:
    """Whether one of the file's last lines already anchors this head (the cron command then writes nothing)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - tail_bytes))
            tail = fh.read().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return False
    signing_key, database = key(), database_id()
    for text in reversed(tail):
        try:
            cp = parse(text.strip())
        except ValueError:
            continue
        if cp.db != database:
            continue
        if cp.kind == "restore":
            return cp.seq == seq and cp.hash == head_hash and cp.valid(signing_key)
        if cp.seq == seq and cp.hash == head_hash and cp.valid(signing_key):
            return True
    return False
