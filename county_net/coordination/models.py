"""协调会 and the center's other meetings (信息通报例会, 带案下访, 培训): the meeting, the units invited, the people
who came, the decisions and the follow-up tasks. Visibility: the convening unit's tree and the invited units;
invitations themselves are read by the convener and the invited unit (the list of all invited units is
directory information, read by `queries.invited_units` once the meeting itself was found in scope)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
                        and_, or_, select)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from county_net.core.models import UTCDateTime, utcnow
from county_net.extensions import db
from county_net.tenancy.criteria import Columns, Scoped, in_tree, visibility

KINDS = {"coordination": "协调会", "briefing": "信息通报例会", "field_visit": "带案下访", "training": "培训"}
STATES = {"planned": "已安排", "held": "已召开", "closed": "已结束", "cancelled": "已取消"}
OPEN_STATES = ("planned", "held")
RECURRENCES = {"weekly": "每周", "biweekly": "每两周", "monthly": "每月"}
PARTS = {"invited": "参会单位", "lead": "牵头单位", "co": "配合单位"}
TASK_STATES = {"open": "待办理", "reported": "已报告待确认", "done": "已完成"}


def _check(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class CoordinationMeeting(Scoped, db.Model):
    __tablename__ = "coordination_meetings"
    __table_args__ = (
        CheckConstraint(_check("kind", KINDS), name="kind"),
        CheckConstraint(_check("state", STATES), name="state"),
        Index("ix_coordination_meetings_county_starts", "county_unit_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # the convening unit owns it
    county_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(12), default="planned")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(120))
    convener_name: Mapped[str] = mapped_column(String(60))  # the person presiding (a leader, often no user)
    convener_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # who arranged it
    target_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # 带案下访: the township visited
    recurrence: Mapped[str | None] = mapped_column(String(10))  # 信息通报例会: weekly | biweekly | monthly
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("coordination_meetings.id"))  # the series
    topics: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return obj.unit_id


class MeetingInvitation(Scoped, db.Model):
    """An invited unit. Read by the convener (`unit_id`) and the invited unit; it is also what lets the
    invited unit see the meeting."""

    __tablename__ = "meeting_invitations"
    __table_args__ = (
        UniqueConstraint("meeting_id", "invited_unit_id", name="uq_meeting_invitations_pair"),
        Index("ix_meeting_invitations_invited_meeting", "invited_unit_id", "meeting_id"),
        CheckConstraint(_check("part", PARTS), name="part"),
        CheckConstraint("trained_count IS NULL OR trained_count >= 0", name="trained_count"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("coordination_meetings.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # the convening unit
    invited_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    part: Mapped[str] = mapped_column(String(8), default="invited")
    trained_count: Mapped[int | None] = mapped_column(Integer)  # 培训: 人次 trained of this unit
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return obj.unit_id

    @classmethod
    def may_write(cls, obj, scope) -> bool:
        return scope.may_see(obj.unit_id)


class MeetingChild(Scoped):
    """Rows reached through their meeting: visible exactly when the meeting is."""

    @declared_attr
    def meeting_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("coordination_meetings.id", ondelete="CASCADE"), index=True)

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return None

    @classmethod
    def may_write(cls, obj, scope) -> bool:
        return True  # written by the meeting's services, which load the meeting in scope first


class MeetingMatter(MeetingChild, db.Model):
    """A matter on the meeting's agenda. Its number is shown only to whoever may see the matter itself."""

    __tablename__ = "meeting_matters"
    __table_args__ = (UniqueConstraint("meeting_id", "petition_id", name="uq_meeting_matters_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)


class MeetingAttendee(MeetingChild, db.Model):
    __tablename__ = "meeting_attendees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(60))
    post: Mapped[str] = mapped_column(String(60), default="")  # 职务
    attendee_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))


class MeetingDecision(MeetingChild, db.Model):
    __tablename__ = "meeting_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[str] = mapped_column(Text)


class MeetingTask(MeetingChild, db.Model):
    """A follow-up task: a unit at the meeting does something by a day and reports back; overdue is computed
    on read (open and past its day), the sweep only sends the one notice."""

    __tablename__ = "meeting_tasks"
    __table_args__ = (
        CheckConstraint(_check("state", TASK_STATES), name="state"),
        Index("ix_meeting_tasks_assignee_state_due", "assignee_unit_id", "state", "due_on"),
        Index("ix_meeting_tasks_overdue_probe", "state", "overdue_notified", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_decisions.id", ondelete="SET NULL"))
    assignee_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    content: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="open")
    report: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    return_reason: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def state_label(self) -> str:
        return TASK_STATES[self.state]


# Probes are table aliases whose conditions each rule writes out, so ORM statements and column selects
# filter them alike.
_invitation = MeetingInvitation.__table__.alias("invitation_probe")
_meeting = CoordinationMeeting.__table__.alias("meeting_probe")


def _reach(m, tree):
    invited = select(_invitation.c.id).where(_invitation.c.meeting_id == m.id,
                                             in_tree(_invitation.c.invited_unit_id, tree)) \
        .correlate_except(_invitation).exists()
    return or_(in_tree(m.unit_id, tree), invited)


def _meeting_of_county(m, county):
    return m.county_unit_id == county


def _meeting_in_county(m, county, tree):
    return and_(m.county_unit_id == county, _reach(m, tree))


def _through_meeting(m, meeting_rule, *args):
    return select(_meeting.c.id).where(_meeting.c.id == m.meeting_id, meeting_rule(Columns(_meeting), *args)) \
        .correlate_except(_meeting).exists()


@visibility(CoordinationMeeting)
def _meeting_visible(m, r):
    """A meeting: its convening unit's tree, or an invited unit's; never another county's, and a county center
    sees all of its county's. The same rule is the PostgreSQL policy (the migration's MEETING_VISIBLE)."""
    rule, args = _meeting_rule(r)
    return rule(m, *args)


def _meeting_rule(r):
    if r.mode == "whole":
        return _meeting_of_county, (r.county,)
    if r.mode == "county":
        return _meeting_in_county, (r.county, r.tree)
    return _reach, (r.tree,)


@visibility(MeetingChild)
def _meeting_child_visible(m, r):
    rule, args = _meeting_rule(r)
    return _through_meeting(m, rule, *args)


@visibility(MeetingInvitation)
def _invitation_visible(m, r):
    return or_(in_tree(m.unit_id, r.tree), in_tree(m.invited_unit_id, r.tree))
