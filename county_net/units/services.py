"""The only writer of units and windows: syncing a county network file."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from county_net.audit import services as audit
from county_net.core import reference
from county_net.extensions import db
from county_net.tenancy import current_scope
from county_net.units.models import Unit, Window, WindowStation
from county_net.units.network_file import Network, NetworkFileError


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    windows_changed: list[int] = field(default_factory=list)
    settings_changed: bool = False
    hall_changed: list[str] = field(default_factory=list)  # rooms, stations, rotas ([hall]), in words

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated or self.windows_changed
                    or self.settings_changed or self.hall_changed)

    def summary(self) -> str:
        if not self.changed:
            return "无变化：数据库已与文件一致"
        return (f"新增 {len(self.created)} 个单位，更新 {len(self.updated)} 个，停用 {len(self.deactivated)} 个，"
                f"窗口变更 {len(self.windows_changed)} 个" + ("，设置已更新" if self.settings_changed else "")
                + (f"，大厅设置变更 {len(self.hall_changed)} 项（{'；'.join(self.hall_changed[:10])}）"
                   if self.hall_changed else ""))


def sync_units(network: Network, actor=None) -> SyncReport:
    """Create or update the network's units and windows in one transaction; idempotent.
    Units of the same tree missing from the file are deactivated, never deleted (history points at them)."""
    if not current_scope().sees_all:
        raise PermissionError("tenants sync runs in system scope")
    from county_net.hall.setup_services import check_window_subjects

    check_window_subjects(network)
    report = SyncReport()
    codes = [e.code for e in network.units]
    existing = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(codes)))}
    root_entry = network.root
    root_existing = existing.get(root_entry.code)
    old_root_path = root_existing.path if root_existing else None
    if root_existing is None and db.session.scalar(select(Unit.id).where(Unit.code == root_entry.code)):
        raise NetworkFileError(f"{root_entry.label()}：编码冲突")

    by_code: dict[str, Unit] = {}
    moved: set[int] = set()
    for order, entry in enumerate(network.units):
        parent = by_code.get(entry.parent) if entry.parent else None
        unit = existing.get(entry.code)
        wanted = {
            "name": entry.name,
            "short_name": entry.short_name,
            "kind": entry.kind,
            "parent_id": parent.id if parent else None,
            "sort_order": order,
            "is_active": True,
            "depth": parent.depth + 1 if parent else 0,
            "contact_person": entry.contact_person,
            "contact_phone": entry.contact_phone,
            "address": entry.address,
        }
        if unit is None:
            unit = Unit(code=entry.code, path="/", **wanted)
            db.session.add(unit)
            db.session.flush()  # the id is part of the path
            report.created.append(entry.code)
        else:
            diff = {k: v for k, v in wanted.items() if getattr(unit, k) != v}
            if diff:
                for key, value in diff.items():
                    setattr(unit, key, value)
                report.updated.append(entry.code)
        path = f"{parent.path if parent else '/'}{unit.id}/"
        if unit.path != path:
            if entry.code not in report.created:
                moved.add(unit.id)
            unit.path = path
            if entry.code not in report.created and entry.code not in report.updated:
                report.updated.append(entry.code)
        by_code[entry.code] = unit

    if old_root_path:  # units of this tree that the file no longer lists
        stale = db.session.scalars(
            select(Unit).where(Unit.path.startswith(old_root_path, autoescape=True), Unit.code.not_in(codes),
                               Unit.is_active.is_(True))
        )
        for unit in stale:
            unit.is_active = False
            report.deactivated.append(unit.code)

    windows = _sync_windows(network, by_code, report)
    root = by_code[network.root.code]
    from county_net.hall.setup_services import sync_hall, sync_window_routing

    db.session.flush()  # new windows need their rows before routing and rooms are compared
    for number in sync_window_routing(network, windows):
        if number not in report.windows_changed:
            report.windows_changed.append(number)
    report.hall_changed = sync_hall(network.hall, root.id, {code: unit.id for code, unit in by_code.items()})
    settings = json.dumps({**network.settings, "county_name": network.county}, ensure_ascii=False, sort_keys=True)
    if (root.settings or "{}") != settings:
        root.settings = settings
        report.settings_changed = True

    if moved:
        # A unit's path says which accusations it may not see, its held ones included: its counters again.
        from county_net.petitions.boxes import recount

        db.session.flush()
        recount(moved)
    reference.mark_stale()  # what this context read about units and settings is stale now
    if report.changed:
        audit.record("tenants.sync", actor=actor, actor_name=None if actor else "cli", target_type="network",
                     target_id=root_entry.code,
                     detail={"version": network.version, "created": len(report.created),
                             "updated": report.updated[:50], "deactivated": report.deactivated,
                             "windows": report.windows_changed, "hall": report.hall_changed[:50]})
        db.session.commit()
    else:
        db.session.rollback()
    return report


def _sync_windows(network: Network, by_code: dict[str, Unit], report: SyncReport) -> dict[int, Window]:
    """The file's windows by number (new ones added to the session)."""
    root = by_code[network.root.code]
    current = {w.number: w for w in db.session.scalars(select(Window).where(Window.unit_id == root.id))}
    kept: dict[int, Window] = {}
    for entry in network.windows:
        window = current.pop(entry.number, None)
        stationed = [by_code[c].id for c in entry.stationed]
        if window is None:
            window = Window(unit_id=root.id, number=entry.number, name=entry.name, is_active=True)
            window.stations = [WindowStation(stationed_unit_id=i) for i in stationed]
            db.session.add(window)
            report.windows_changed.append(entry.number)
            kept[entry.number] = window
            continue
        kept[entry.number] = window
        changed = False
        if window.name != entry.name or not window.is_active:
            window.name, window.is_active, changed = entry.name, True, True
        if [s.stationed_unit_id for s in window.stations] != stationed:
            window.stations = [WindowStation(stationed_unit_id=i) for i in stationed]
            changed = True
        if changed:
            report.windows_changed.append(entry.number)
    for window in current.values():
        if window.is_active:
            window.is_active = False
            report.windows_changed.append(window.number)
    return kept
