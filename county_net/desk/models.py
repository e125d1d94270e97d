"""回访: a follow-up task on a closed matter, owned by the unit whose act closed it."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from county_net.core.models import UTCDateTime, utcnow
from county_net.extensions import db
from county_net.tenancy.criteria import UnitOwned

FOLLOW_UP_STATES = {"pending": "待回访", "done": "已回访"}
FOLLOW_UP_METHODS = {"phone": "电话", "visit": "上门", "sms": "短信"}
FOLLOW_UP_RESULTS = {"satisfied": "满意，问题已解决", "persists": "问题仍未解决", "reopened": "问题未解决，已登记为新事项"}


def _check(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class FollowUp(UnitOwned, db.Model):
    """One task per closure (`close_event_id`): a matter closed again after 复查 gets a task of its own.
    Read joined to its petition, so a task is visible only with its matter."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        UniqueConstraint("petition_id", "close_event_id", name="uq_follow_ups_petition_close"),
        CheckConstraint(_check("state", FOLLOW_UP_STATES), name="state"),
        CheckConstraint(f"method IS NULL OR {_check('method', FOLLOW_UP_METHODS)}", name="method"),
        CheckConstraint(f"result IS NULL OR {_check('result', FOLLOW_UP_RESULTS)}", name="result"),
        # A unit's tasks by state and day (its list, the home page, the daily sweep).
        Index("ix_follow_ups_unit_state_due", "unit_id", "state", "due_on"),
        Index("ix_follow_ups_state_due", "state", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    county_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    close_event_id: Mapped[int] = mapped_column(Integer)
    closed_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    method: Mapped[str | None] = mapped_column(String(10))
    person: Mapped[str | None] = mapped_column(String(60))  # who was spoken to
    result: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    could_not_reach: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(Integer)
    recorded_by_name: Mapped[str | None] = mapped_column(String(60))
    new_petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))  # the re-opened matter
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the due reminder went out
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
