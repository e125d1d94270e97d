"""A hall incident written straight into the database, for the tenancy sweeps (no service, no request)."""
from __future__ import annotations

from datetime import timedelta


def seed_incident(app, county_unit_id: int, visit_id: int | None = None) -> dict:
    """An incident of the county center's hall (an hour ago, 其他扰乱公共秩序); returns {"incident_id": id}."""
    from county_net.core.models import utcnow
    from county_net.core.timeutil import to_local
    from county_net.extensions import db
    from county_net.hall.models import Incident
    from county_net.tenancy import system_scope

    with app.app_context(), system_scope("test seed"):
        at = utcnow() - timedelta(hours=1)
        incident = Incident(unit_id=county_unit_id, day=to_local(at).date(), visit_id=visit_id, kind="disorder",
                            occurred_at=at, who="来访人某甲", what="在大厅大声喧哗，经劝导后离开。", responders="staff",
                            outcome="", recorded_by_name="种子", version=1)
        db.session.add(incident)
        db.session.commit()
        seeded = {"incident_id": incident.id}
        db.session.remove()
    return seeded
