"""摘报: a stored weekly issue keeps the figures exactly as published, so a past week reads the same later."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from county_net.core.models import UTCDateTime, utcnow
from county_net.extensions import db
from county_net.tenancy.criteria import UnitOwned

KINDS = {"weekly": "周报"}


class DigestIssue(UnitOwned, db.Model):
    """One published digest of a county (owned by its county center): the period, and the figures as JSON.
    Owner unit in scope is the whole visibility rule: a township runs its own digest on demand instead."""

    __tablename__ = "digest_issues"
    __table_args__ = (
        UniqueConstraint("unit_id", "kind", "period_start", name="uq_digest_issues_unit_kind_start"),
        CheckConstraint("kind IN ('weekly')", name="kind"),
        CheckConstraint("period_end >= period_start", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="weekly")
    label: Mapped[str] = mapped_column(String(10))  # ISO week, e.g. 2026-W48: the issue's address
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # inclusive, Asia/Shanghai days
    figures: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
