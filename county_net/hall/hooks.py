"""What the hall gives other capabilities: the matters its windows flagged 摘报, for the leaders' digest."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from county_net.digest.hooks import flag_source
from county_net.extensions import db
from county_net.hall.models import Visit
from county_net.petitions.models import Category, Petition


@flag_source
def flagged_matters(county_id: int, viewer_unit_id: int, lo: datetime, hi: datetime) -> list[dict]:
    """Matters registered from a visit ended with 摘报, received in [lo, hi), read under the caller's scope and
    with the digest's own rule for what a viewer may count."""
    from county_net.digest.queries import _MATTER_COLUMNS, _base, _matter

    flagged = select(Visit.petition_id).where(Visit.unit_id == county_id, Visit.flagged_digest.is_(True),
                                              Visit.petition_id.is_not(None))
    rows = db.session.execute(select(*_MATTER_COLUMNS).where(
        *_base(county_id, viewer_unit_id), Petition.id.in_(flagged), Petition.received_at >= lo,
        Petition.received_at < hi).order_by(Petition.received_at).limit(200)).all()
    categories = dict(db.session.execute(select(Category.id, Category.name)).all())
    return [_matter(row, categories) for row in rows]
