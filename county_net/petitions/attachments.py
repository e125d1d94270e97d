"""Attachments: type and size checked by content, kept in a folder outside the database, streamed back
only to those who may see the matter."""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from pathlib import Path

from flask import current_app

from county_net.core.errors import InvalidInput, RoleRequired
from county_net.core.models import utcnow
from county_net.extensions import db
from county_net.petitions.models import PetitionAttachment, PetitionEvent

# Magic numbers: the declared type is not trusted.
SIGNATURES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"II*\x00": ("image/tiff", ".tif"),
    b"MM\x00*": ("image/tiff", ".tif"),
}
_UNSAFE = re.compile(r"[^\w.\-（）()\u4e00-\u9fff ]+")


def store_dir() -> Path:
    folder = Path(current_app.config.get("ATTACHMENT_DIR") or Path(current_app.instance_path) / "attachments")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, kind in SIGNATURES.items():
        if head.startswith(magic):
            return kind
    return None


def clean_name(name: str, extension: str) -> str:
    stem = _UNSAFE.sub("_", Path(name or "附件").stem).strip(" ._")[:80] or "附件"
    return stem + extension


def path_for(key: str) -> Path:
    return store_dir() / key[:2] / key


def add_attachments(actor, petition, files, *, commit: bool = True) -> list[PetitionAttachment]:
    """Checks every file before writing any; a failed transaction removes what it wrote."""
    if not actor.has_role("receptionist", "head"):
        raise RoleRequired("上传附件需要接访员或一把手角色")
    limit = current_app.config.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    allowed = len(files) <= current_app.config.get("ATTACHMENT_MAX_FILES", 10)
    if not allowed:
        raise InvalidInput(fields={"files": ["一次最多上传 10 个附件"]})
    checked = []
    for index, storage in enumerate(files):
        data = storage.read(limit + 1)
        if len(data) > limit:
            raise InvalidInput(fields={"files": [f"{storage.filename}：超过 {limit // (1024 * 1024)} MB"]})
        if not data:
            raise InvalidInput(fields={"files": [f"{storage.filename or index + 1}：文件为空"]})
        kind = sniff(data[:16])
        if kind is None:
            raise InvalidInput(fields={"files": [f"{storage.filename}：只接受 PDF、JPEG、PNG、TIFF 文件"]})
        checked.append((storage.filename, data, kind))
    written, rows = [], []
    try:
        for filename, data, (content_type, extension) in checked:
            key = secrets.token_hex(16)
            target = path_for(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(target)
            row = PetitionAttachment(petition_id=petition.id, filename=clean_name(filename, extension),
                                     content_type=content_type, size=len(data),
                                     sha256=hashlib.sha256(data).hexdigest(), storage_key=key,
                                     uploaded_by_id=actor.id, uploaded_by_name=actor.name)
            db.session.add(row)
            rows.append(row)
        petition.version += 1
        from county_net.petitions.services import write_event

        write_event(petition, PetitionEvent(
            petition_id=petition.id, kind="attachments_added", from_state=petition.state, to_state=petition.state,
            actor_id=actor.id, actor_name=actor.name, actor_unit_id=actor.unit_id, occurred_at=utcnow(),
            payload=json.dumps({"files": [r.filename for r in rows]}, ensure_ascii=False)))
        if commit:
            db.session.commit()
        else:
            db.session.flush()
    except Exception:
        for target in written:
            target.unlink(missing_ok=True)
        raise
    return rows


def read(attachment: PetitionAttachment) -> bytes:
    return path_for(attachment.storage_key).read_bytes()
