"""The one writer of digest issues: publish_weekly() stores a county's figures for a past week (once) and tells
the county center's heads."""
from __future__ import annotations

import json
from datetime import date

from flask import url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from county_net.audit.services import record
from county_net.core.database import writing
from county_net.core.errors import RoleRequired
from county_net.core.timeutil import local_today
from county_net.digest import queries
from county_net.digest.models import DigestIssue
from county_net.extensions import db
from county_net.tenancy import system_scope
from county_net.units.models import Unit


READERS = ("head", "receptionist")


def require_reader(actor) -> None:
    """The digest is for heads and receptionists (the county center's, or a township's for its subtree)."""
    if not actor.has_role(*READERS):
        raise RoleRequired("领导摘报仅供负责人和接访员查看")


def _counties() -> list[int]:
    return list(db.session.scalars(select(Unit.id).where(Unit.parent_id.is_(None), Unit.kind == "county_center",
                                                         Unit.is_active.is_(True)).order_by(Unit.id)))


def _link(label: str) -> str:
    try:
        return url_for("digest.issue", label=label, _external=False)
    except RuntimeError:  # outside a request (cron): the same path, built by hand from the blueprint's rule
        return f"/digest/issues/{label}"


def publish_weekly(*, today: date | None = None, county_unit_id: int | None = None,
                   period: queries.Period | None = None) -> list[dict]:
    """Store the digest of the last full week (Mon–Sun, Asia/Shanghai) for every county, or one; idempotent per
    county and week: an issue already stored is kept as published and nobody is notified again. Returns what
    happened per county. Runs as system work (cron, the job queue, `flask digest publish`), commits once."""
    from county_net.notifications.services import notify

    period = period or queries.last_full_week(today)
    as_of = today or local_today()
    if not period.is_week:
        raise ValueError("a weekly issue covers one ISO week, Monday to Sunday")
    results = []
    # writing(): on SQLite the transaction takes the write lock up front, whoever calls (cron, a job, the CLI).
    with system_scope("digest: weekly issue"), writing():
        counties = [county_unit_id] if county_unit_id is not None else _counties()
        for county in counties:
            issue = db.session.scalar(select(DigestIssue).where(
                DigestIssue.unit_id == county, DigestIssue.kind == "weekly",
                DigestIssue.period_start == period.start))
            created = issue is None
            if created:
                figures = queries.compute(county, period, as_of=as_of)
                issue = DigestIssue(unit_id=county, kind="weekly", label=period.label, period_start=period.start,
                                    period_end=period.end, figures=json.dumps(figures, ensure_ascii=False))
                try:
                    with db.session.begin_nested():  # cron and the job queue may race: the first one stores it
                        db.session.add(issue)
                        db.session.flush()
                except IntegrityError:
                    issue = db.session.scalar(select(DigestIssue).where(
                        DigestIssue.unit_id == county, DigestIssue.kind == "weekly",
                        DigestIssue.period_start == period.start))
                    created = False
            if created:
                record("digest.published", actor_name="system", target_type="digest_issue", target_id=issue.id,
                       detail={"county_unit_id": county, "week": period.label})
            else:
                figures = queries.issue_figures(issue)
            items = figures["totals"]["items"]
            # The key is stable per county and week: a rerun (or a crash between flush and commit) notifies once.
            notified = notify(kind="digest_published", event_key=f"digest:{county}:{period.label}", unit_id=county,
                              audience="heads", title=f"领导摘报 {period.label} 已生成",
                              body=f"{period.start.isoformat()} 至 {period.end.isoformat()} 新登记 {items['current']} 件"
                                   f"（上期 {items['previous']} 件）",
                              link=_link(period.label), object_type="digest_issue", object_id=issue.id)
            results.append({"county_unit_id": county, "label": period.label, "issue_id": issue.id,
                            "created": created, "notified": notified})
        db.session.commit()
    return results
