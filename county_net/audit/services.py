"""Writing and verifying the audit chain."""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field

from flask import current_app, has_request_context, request
from sqlalchemy import select, text

from county_net.audit import checkpoints
from county_net.audit.checkpoints import CheckpointSet
from county_net.audit.models import AuditRecord
from county_net.core.database import prepare_write
from county_net.core.models import utcnow
from county_net.extensions import db
from county_net.tenancy import system_scope

GENESIS = "0" * 64
_LOCK_KEY = 7_130_001  # pg_advisory_xact_lock key for the chain head


def _key() -> bytes:
    key = current_app.config.get("AUDIT_HMAC_KEY")
    if key:
        return key.encode()
    return hashlib.sha256(b"county_net audit|" + current_app.config["SECRET_KEY"].encode()).digest()


def _digest(rec: AuditRecord) -> str:
    content = json.dumps(
        [
            rec.seq,
            rec.occurred_at.isoformat(timespec="microseconds"),
            rec.actor_id,
            rec.actor_name,
            rec.actor_unit_id,
            rec.action,
            rec.target_type,
            rec.target_id,
            rec.detail,
            rec.client_addr,
            rec.prev_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hmac.new(_key(), content.encode(), hashlib.sha256).hexdigest()


def client_addr() -> str | None:
    return request.remote_addr if has_request_context() else None


def record(
    action: str,
    *,
    actor=None,
    actor_name: str | None = None,
    target_type: str | None = None,
    target_id=None,
    detail: dict | None = None,
) -> AuditRecord:
    """Append one record to the caller's transaction (the caller commits once)."""
    session = db.session
    prepare_write(session())  # a GET that audits what it shows must not meet SQLite's "database is locked"
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    with system_scope("audit chain head"):  # one chain for every scope: its head is nobody's own record
        last = session.execute(select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc())
                               .limit(1)).first()
    now = utcnow()
    rec = AuditRecord(
        seq=(last.seq + 1) if last else 1,
        occurred_at=now.replace(microsecond=now.microsecond),
        actor_id=getattr(actor, "id", None),
        actor_name=actor_name or (actor.username if actor is not None else "system"),
        actor_unit_id=getattr(actor, "unit_id", None),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str),
        client_addr=client_addr(),
        prev_hash=last.hash if last else GENESIS,
    )
    rec.hash = _digest(rec)
    session.add(rec)
    session.flush()
    return rec


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_hash: str
    broken_seq: int | None = None
    reason: str = ""
    # The highest checkpoint the table was held against (None: there was none).
    checkpoint_seq: int | None = None
    checkpoint_at: str | None = None
    problems: list[str] = field(default_factory=list)  # about the end of the table or the checkpoints
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.ok:
            text = f"审计链完整：共 {self.checked} 条，链头 {self.head_hash}"
            if self.checkpoint_seq is not None:
                text += f"；与检查点一致（第 {self.checkpoint_seq} 条，{local_time(self.checkpoint_at)}）"
            return "；".join([text, *self.notes])
        parts = []
        if self.reason:
            parts.append(f"审计链在第 {self.broken_seq} 条处断开：{self.reason}（已核对 {self.checked} 条）")
        return "；".join([*parts, *self.problems, *self.notes])


def local_time(at: str | None) -> str:
    from datetime import datetime

    from county_net.core.timeutil import format_local

    try:
        return format_local(datetime.fromisoformat(at or ""), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return at or ""


def chain_head() -> tuple[int, str] | None:
    last = select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)
    with system_scope("audit chain head"):  # one chain for every county
        row = db.session.execute(last).first()
    return (row.seq, row.hash) if row else None


def verify_chain(batch: int = 5000, anchors: CheckpointSet | None = None) -> VerifyResult:
    """Walk the chain in seq order and report the first broken link; then hold the table against the signed
    checkpoints kept outside it (`anchors`, by default the configured file): each checkpoint's row must be there
    with that hash, so the table cannot end before the highest one. Reads only; writes nothing. The chain is one
    for every county, so it is walked in system scope; the answer names no record's content."""
    with system_scope("audit verify"):
        return _verify_chain(batch, anchors)


def _verify_chain(batch: int, anchors: CheckpointSet | None) -> VerifyResult:
    anchors = checkpoints.configured() if anchors is None else anchors
    expected = anchors.by_seq
    top = anchors.latest
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    last_seq = 0

    def broken(seq: int, reason: str) -> VerifyResult:
        return VerifyResult(False, checked, prev_hash, seq, reason, problems=list(anchors.problems))

    while True:
        rows = db.session.scalars(
            select(AuditRecord).where(AuditRecord.seq > last_seq).order_by(AuditRecord.seq).limit(batch)
        ).all()
        if not rows:
            break
        for rec in rows:
            if rec.seq != expected_seq:
                return broken(expected_seq, f"缺少第 {expected_seq} 条（记录被删除）")
            if rec.prev_hash != prev_hash:
                return broken(rec.seq, "与前一条的链接不符")
            if not hmac.compare_digest(_digest(rec), rec.hash):
                return broken(rec.seq, "内容与签名不符（记录被修改）")
            anchor = expected.get(rec.seq)
            if anchor is not None and anchor.hash != rec.hash:
                return broken(rec.seq, f"与{local_time(anchor.at)}的检查点不符（之后的记录被删除后又写入了新记录，或被整体替换）")
            prev_hash, expected_seq, checked = rec.hash, rec.seq + 1, checked + 1
        last_seq = rows[-1].seq
        db.session.expunge_all()
    result = VerifyResult(not anchors.problems, checked, prev_hash, problems=list(anchors.problems))
    if top is not None:
        result.checkpoint_seq, result.checkpoint_at = top.seq, top.at
        if top.seq > checked:
            result.ok, result.broken_seq = False, checked + 1
            held = f"表中只到第 {checked} 条" if checked else "表中已没有记录"
            result.problems.insert(0, f"审计链末尾的记录被删除：检查点记录到第 {top.seq} 条（{local_time(top.at)}），{held}")
    elif checked:
        result.notes.append("没有检查点可核对（末尾记录被删除将无法发现）")
    if anchors.other_databases:
        result.notes.append(f"检查点文件中另有 {anchors.other_databases} 条属于其他数据库，已略过")
    if anchors.restore is not None:
        result.notes.append(f"曾于 {local_time(anchors.restore.at)} 从备份恢复（恢复时链头为第 {anchors.restore.seq} 条）")
    return result
