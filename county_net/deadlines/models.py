from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from county_net.core.models import UTCDateTime, utcnow
from county_net.extensions import db


class HolidayYear(db.Model):
    """A year's official holiday schedule loaded after release (the packaged file is read-only in
    deployment). National, so not tenant data. `revision` grows with every import, so each process can tell
    that its cached calendar is stale."""

    __tablename__ = "holiday_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200))
    off: Mapped[str] = mapped_column(Text)  # JSON list of ISO dates
    work: Mapped[str] = mapped_column(Text)  # JSON list of ISO dates
    revision: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(64))
