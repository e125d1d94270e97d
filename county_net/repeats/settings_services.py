"""The county's repeat settings edited at its center (thresholds and windows), like every write: role check,
validation, audit record, one commit. A later `flask tenants sync` writes the network file's values over them."""
from __future__ import annotations

import json

from sqlalchemy import select

from county_net.audit import services as audit
from county_net.core.errors import InvalidInput, RoleRequired
from county_net.core import reference
from county_net.extensions import db
from county_net.repeats.settings import DEFAULTS, SettingsError, check
from county_net.tenancy import system_scope
from county_net.units.directory import unit_info
from county_net.units.models import Unit

EDITABLE = ("threshold", "text_window_days", "object_window_days", "max_suggestions")


def may_edit(actor) -> bool:
    unit = unit_info(actor.unit_id)
    return actor.has_role("admin") or (actor.has_role("head") and unit is not None and unit.kind == "county_center")


def update(actor, values: dict) -> dict:
    if not may_edit(actor):
        raise RoleRequired("只有县信访局一把手或系统管理员可以修改重复信访的识别设置")
    county_id = unit_info(actor.unit_id).county_id
    changes = {k: values[k] for k in EDITABLE if k in values and values[k] is not None}
    with system_scope("the county root's settings"):
        root = db.session.scalar(select(Unit).where(Unit.id == county_id).with_for_update())
        stored = json.loads(root.settings or "{}")
        current = dict(stored.get("repeats") or {})
        merged = {**current, **changes}
        try:
            check(merged)
        except SettingsError as exc:
            field = next((k for k in EDITABLE if f".{k}" in str(exc)), "threshold")
            raise InvalidInput(fields={field: [str(exc).split("：", 1)[-1]]}) from exc
        before = {k: current.get(k, DEFAULTS[k]) for k in EDITABLE}
        stored["repeats"] = merged
        root.settings = json.dumps(stored, ensure_ascii=False)
        audit.record("repeats.settings_updated", actor=actor, target_type="unit", target_id=county_id,
                     detail={"before": before, "after": {k: merged.get(k, DEFAULTS[k]) for k in EDITABLE}})
        db.session.commit()
    reference.mark_stale()  # this request reads the new values
    return merged
