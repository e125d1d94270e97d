"""督办: supervision records on one matter or a group, their timeline, the clocks that drive the escalation
sweep, and the per-unit score ledger. Visibility: the issuing county center sees all of its records; a
target unit (and units above it) sees the records aimed at it once they are issued."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, and_, or_, select)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from county_net.core.models import UTCDateTime, utcnow
from county_net.extensions import db
from county_net.tenancy.criteria import Columns, Scoped, UnitOwned, in_tree, visibility

# Glossary: 催办 urge; 督办 普通 / 黄牌 / 红牌. Ordered: escalation only ever moves right.
LEVELS = {"urge": "催办", "normal": "普通督办", "yellow": "黄牌督办", "red": "红牌督办"}
LEVEL_RANK = {name: rank for rank, name in enumerate(LEVELS)}
METHODS = {"phone": "电话督办", "document": "文书督办", "talk": "约谈督办", "onsite": "实地督办", "joint": "联合督办"}
APPROVED_METHODS = frozenset({"onsite", "joint"})  # need the county center head's approval
PROBLEMS = {"overdue": "逾期未办结", "not_signed": "逾期未签收", "no_feedback": "未按期反馈",
            "wrong_procedure": "程序不当", "shirking": "推诿、敷衍、拖延", "not_executed": "不执行处理意见",
            "other": "其他"}
STATES = {"pending_approval": "待批准", "issued": "已下发待签收", "received": "已签收办理中",
          "feedback_submitted": "已反馈待审核", "accepted": "反馈已认可", "closed": "已办结",
          "cancelled": "已撤销"}
OPEN_STATES = frozenset({"pending_approval", "issued", "received", "feedback_submitted", "accepted"})
SOURCES = {"manual": "人工", "sweep": "自动升级"}


def _check(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def supervision_number(record_id: int, created_at) -> str:
    return f"督字〔{created_at.year}〕{record_id:05d}号"


class Supervision(Scoped, db.Model):
    """One 督办 record. `unit_id` is the issuing unit (the county center); `target_unit_id` must answer."""

    __tablename__ = "supervisions"
    __table_args__ = (
        CheckConstraint(_check("level", LEVELS), name="level"),
        CheckConstraint(_check("method", METHODS), name="method"),
        CheckConstraint(_check("state", STATES), name="state"),
        CheckConstraint(_check("problem", PROBLEMS), name="problem"),
        CheckConstraint(_check("source", SOURCES), name="source"),
        # The center's board and list: open records by level; the target's list; overdue feedback.
        Index("ix_supervisions_county_state_level", "county_unit_id", "state", "level"),
        Index("ix_supervisions_target_state", "target_unit_id", "state"),
        Index("ix_supervisions_county_feedback_due", "county_unit_id", "feedback_due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # issuing unit
    county_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    target_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    level: Mapped[str] = mapped_column(String(8))
    is_priority: Mapped[bool] = mapped_column(Boolean, default=False)  # 重点
    is_listed: Mapped[bool] = mapped_column(Boolean, default=False)  # 挂牌
    method: Mapped[str] = mapped_column(String(10))
    problem: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    required_action: Mapped[str] = mapped_column(Text)
    feedback_due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(8), default="manual")
    # The sweep's record for one clock (matter, step, unit, start): a rerun finds it instead of adding one.
    auto_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None while it waits for approval
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feedback: Mapped[str | None] = mapped_column(Text)
    feedback_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_reason: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    links: Mapped[list[SupervisionPetition]] = relationship(back_populates="supervision",
                                                            order_by="SupervisionPetition.id",
                                                            cascade="all, delete-orphan", lazy="select")

    @property
    def number(self) -> str:
        return supervision_number(self.id, self.created_at)

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return obj.unit_id

    @classmethod
    def may_write(cls, obj, scope) -> bool:
        # The issuer writes; the target answers (receive, feedback) on the row it was shown.
        return scope.may_see(obj.unit_id) or (scope.may_see(obj.target_unit_id) and obj.issued_at is not None)


class SupervisionChild(Scoped):
    """Rows reached through their supervision record: visible exactly when it is."""

    @declared_attr
    def supervision_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("supervisions.id", ondelete="CASCADE"), index=True)

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return None

    @classmethod
    def may_write(cls, obj, scope) -> bool:
        return True  # written with the record, whose row carries the guard


class SupervisionPetition(SupervisionChild, db.Model):
    """The matters a record is about (one, or a group)."""

    __tablename__ = "supervision_petitions"
    __table_args__ = (UniqueConstraint("supervision_id", "petition_id", name="uq_supervision_petitions_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)

    supervision: Mapped[Supervision] = relationship(back_populates="links")


class SupervisionEvent(SupervisionChild, db.Model):
    """The record's timeline, one entry per transition (append-only)."""

    __tablename__ = "supervision_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    from_level: Mapped[str | None] = mapped_column(String(8))
    to_level: Mapped[str | None] = mapped_column(String(8))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(60))
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str] = mapped_column(Text, default="{}")


CLOCK_STEPS = {"sign": "签收", "handle": "办理", "due": "办理期限"}
CLOCK_MARKS = {"none": "正常", "warn": "预警", "yellow": "黄牌", "red": "红牌", "overdue": "超期"}


class SupervisionClock(UnitOwned, db.Model):
    """One open step of a matter at one unit (签收, 办理, and the legal limit itself), with the days its
    marks fall on. Kept in step with every petition event (same transaction), so the sweep reads only the
    rows whose `next_on` has come, through an index. `reached` is what the sweep has acted on; what a screen
    shows is computed from the dates, never from `reached`."""

    __tablename__ = "supervision_clocks"
    __table_args__ = (
        UniqueConstraint("petition_id", "step", name="uq_supervision_clocks_petition_step"),
        CheckConstraint(_check("step", CLOCK_STEPS), name="step"),
        CheckConstraint(_check("reached", CLOCK_MARKS), name="reached"),
        Index("ix_supervision_clocks_next_on", "next_on"),
        Index("ix_supervision_clocks_county_yellow", "county_unit_id", "yellow_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(8))
    started_on: Mapped[date] = mapped_column(Date)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    due_on: Mapped[date | None] = mapped_column(Date)  # step "due": the matter's legal limit
    warn_on: Mapped[date | None] = mapped_column(Date)
    yellow_on: Mapped[date | None] = mapped_column(Date)
    red_on: Mapped[date | None] = mapped_column(Date)
    overdue_on: Mapped[date | None] = mapped_column(Date)
    reached: Mapped[str] = mapped_column(String(8), default="none")
    next_on: Mapped[date | None] = mapped_column(Date)  # the next mark the sweep has to act on; None: done
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


SCORE_REASONS = {"yellow": "黄牌督办", "red": "红牌督办", "on_time_close": "按期办结"}


class SupervisionScore(UnitOwned, db.Model):
    """Per-unit score ledger (−5 黄牌, −10 红牌, +1 按期办结 by default; county-configurable), read by the
    statistics capability. `key` names the cause, so a rerun never books it twice."""

    __tablename__ = "supervision_scores"
    __table_args__ = (
        CheckConstraint(_check("reason", SCORE_REASONS), name="reason"),
        Index("ix_supervision_scores_county_occurred", "county_unit_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id", ondelete="SET NULL"), index=True)
    supervision_id: Mapped[int | None] = mapped_column(ForeignKey("supervisions.id", ondelete="SET NULL"))
    occurred_on: Mapped[date] = mapped_column(Date)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


_parent = Supervision.__table__.alias("supervision_probe")


def _record_visible(m, tree):
    return or_(in_tree(m.unit_id, tree), and_(in_tree(m.target_unit_id, tree), m.issued_at.is_not(None)))


def _through_record(m, tree):
    return select(_parent.c.id).where(_parent.c.id == m.supervision_id, _record_visible(Columns(_parent), tree)) \
        .correlate_except(_parent).exists()


@visibility(Supervision)
def _supervision_visible(m, r):
    """The issuer's tree sees its records; the target's tree sees issued records aimed at it. The same rule
    is the PostgreSQL policy (migration: SUPERVISION_VISIBLE)."""
    return _record_visible(m, r.tree)


@visibility(SupervisionChild)
def _supervision_child_visible(m, r):
    return _through_record(m, r.tree)
