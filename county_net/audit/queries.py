"""Reading the audit log, and presenting its rows in Chinese: actions by label, actors and targets by name."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from county_net.audit.labels import DETAIL_KEYS, SYSTEM_ACTORS, action_label, target_type_label
from county_net.audit.models import AuditRecord
from county_net.extensions import db


def audit_query(action: str | None = None, actor: str | None = None):
    stmt = select(AuditRecord).order_by(AuditRecord.seq.desc())
    if action:
        stmt = stmt.where(AuditRecord.action.startswith(action, autoescape=True))
    if actor:
        stmt = stmt.where(AuditRecord.actor_name == actor)
    return stmt


@dataclass
class AuditRow:
    """One record as a reader sees it; the stored fields stay available for the API and for forensics."""

    record: AuditRecord
    action_label: str
    actor_label: str
    target_label: str
    details: list[tuple[str, str]] = field(default_factory=list)

    def __getattr__(self, name):
        return getattr(self.record, name)


def present(records) -> list[AuditRow]:
    """Names for a page of records, looked up in a few batched, tenant-scoped queries: what the reader may
    not see (another county's user or matter) falls back to the stored name or the bare id."""
    records = list(records)
    names = _Names(records)
    return [AuditRow(r, action_label(r.action), names.actor(r), names.target(r), _details(r, names.unit_codes))
            for r in records]


class _Names:
    def __init__(self, records):
        from county_net.accounts.models import User
        from county_net.petitions.models import Category, Petition
        from county_net.units.models import Unit

        def ids(kind=None, attr="target_id"):
            out = set()
            for r in records:
                value = getattr(r, attr)
                if value is not None and (kind is None or r.target_type == kind) and str(value).isdigit():
                    out.add(int(value))
            return out

        user_ids = ids(attr="actor_id") | ids("user")
        self.users = dict(db.session.execute(
            select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}
        unit_ids = ids(attr="actor_unit_id")
        self.units = dict(db.session.execute(
            select(Unit.id, Unit.short_name).where(Unit.id.in_(unit_ids))).all()) if unit_ids else {}
        petition_ids = ids("petition")
        self.petitions = dict(db.session.execute(
            select(Petition.id, Petition.number).where(Petition.id.in_(petition_ids))).all()) if petition_ids else {}
        category_ids = ids("category")
        self.categories = dict(db.session.execute(
            select(Category.id, Category.name).where(Category.id.in_(category_ids))).all()) if category_ids else {}
        codes = {r.target_id for r in records if r.target_type == "network" and r.target_id}
        codes |= {code for r in records for code in _unit_codes(r)}
        self.unit_codes = dict(db.session.execute(
            select(Unit.code, Unit.name).where(Unit.code.in_(codes))).all()) if codes else {}

    def actor(self, r) -> str:
        if r.actor_id is None:
            if r.actor_name in SYSTEM_ACTORS:
                return SYSTEM_ACTORS[r.actor_name]
            return f"未知用户名“{r.actor_name}”"  # a failed login with a name no account has
        name = self.users.get(r.actor_id, r.actor_name)
        unit = self.units.get(r.actor_unit_id)
        return f"{name}（{unit}）" if unit else name

    def target(self, r) -> str:
        kind, raw = r.target_type, r.target_id
        if not kind:
            return ""
        label = target_type_label(kind)
        if raw is None:
            return label
        key = int(raw) if raw.isdigit() else raw
        if kind == "petition" and key in self.petitions:
            return f"{label} {self.petitions[key]}"
        if kind == "user" and key in self.users:
            return f"{label} {self.users[key]}"
        if kind == "category" and key in self.categories:
            return f"{label}“{self.categories[key]}”"
        if kind == "network" and key in self.unit_codes:
            return f"{label}（{self.unit_codes[key]}）"
        return f"{label} #{raw}"


def _detail(r) -> dict:
    try:
        detail = json.loads(r.detail or "{}")
    except ValueError:
        return {"详情": r.detail}
    return detail if isinstance(detail, dict) else {"详情": str(detail)}


def _unit_codes(r) -> list[str]:
    """Unit codes a record's detail names ("unit": "T1", or a change ["T1", "T2"])."""
    value = _detail(r).get("unit")
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str)]


def _text(value, units: dict, key: str) -> str:
    from county_net.accounts.models import ROLES

    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_text(v, units, key) for v in value) or "无"
    if key == "roles":
        return ROLES.get(value, str(value))
    if key == "unit":
        return units.get(value, str(value))
    return str(value)


def _details(r, units: dict) -> list[tuple[str, str]]:
    out = []
    for key, value in _detail(r).items():
        if r.action == "user.updated" and isinstance(value, list) and len(value) == 2:
            # a change: [before, after]
            text = f"{_text(value[0], units, key)} → {_text(value[1], units, key)}"
        else:
            text = _text(value, units, key)
        out.append((DETAIL_KEYS.get(key, key), text))
    return out
