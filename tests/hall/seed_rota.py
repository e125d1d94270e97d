"""One reception day of 西镇 (T2) with one item, written directly for the tenancy sweeps (the course of a
session has its own tests in test_rota.py)."""
from __future__ import annotations

from datetime import date


def seed_rota(app, net, unit: str = "T2") -> dict:
    """Returns {"reception_day_id": …, "reception_item_id": …} owned by `unit` (default 西镇)."""
    from county_net.extensions import db
    from county_net.hall.models import ReceptionDay, ReceptionItem
    from county_net.tenancy import system_scope

    unit_id = net.units[unit]
    with app.app_context(), system_scope("test seed"):
        day = ReceptionDay(unit_id=unit_id, day=date(2026, 12, 10), starts="09:00", ends="11:30", form="fixed",
                           place="西镇人民政府接待室", leader_name="西镇镇长", leader_post="镇长", state="held",
                           summary="接待群众一批。", created_by_name="一把手", version=3)
        db.session.add(day)
        db.session.flush()
        item = ReceptionItem(reception_day_id=day.id, unit_id=unit_id, whom="西镇某村村民代表", head_count=3,
                             problem="西镇某村道路损坏。", instruction="请镇建设办一周内修复。", actor_name="接访员")
        db.session.add(item)
        db.session.commit()
        ids = {"reception_day_id": day.id, "reception_item_id": item.id}
        db.session.remove()
    return ids
