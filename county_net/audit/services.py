"""Writing and verifying the audit chain."""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from flask import current_app, has_request_context, request
from sqlalchemy import select, text

from county_net.audit.models import AuditRecord
from county_net.core.database import prepare_write
from county_net.core.models import utcnow
from county_net.extensions import db

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
    last = session.execute(select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)).first()
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

    def summary(self) -> str:
        if self.ok:
            return f"审计链完整：共 {self.checked} 条，链头 {self.head_hash}"
        return f"审计链在第 {self.broken_seq} 条处断开：{self.reason}（已核对 {self.checked} 条）"


def verify_chain(batch: int = 5000) -> VerifyResult:
    """Walk the chain in seq order; report the first broken link."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = db.session.scalars(
            select(AuditRecord).where(AuditRecord.seq > last_seq).order_by(AuditRecord.seq).limit(batch)
        ).all()
        if not rows:
            break
        for rec in rows:
            if rec.seq != expected_seq:
                return VerifyResult(False, checked, prev_hash, expected_seq, f"缺少第 {expected_seq} 条（记录被删除）")
            if rec.prev_hash != prev_hash:
                return VerifyResult(False, checked, prev_hash, rec.seq, "与前一条的链接不符")
            if not hmac.compare_digest(_digest(rec), rec.hash):
                return VerifyResult(False, checked, prev_hash, rec.seq, "内容与签名不符（记录被修改）")
            prev_hash, expected_seq, checked = rec.hash, rec.seq + 1, checked + 1
        last_seq = rows[-1].seq
        db.session.expunge_all()
    return VerifyResult(True, checked, prev_hash)
