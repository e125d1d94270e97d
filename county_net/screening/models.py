"""矛盾纠纷排查: a unit's sheet for a period (ScreeningReport) and its lines (Dispute), the sheet's timeline,
exemptions from filing, and immediate reports (即时报告 / 苗头性信息) outside the sheet. Every row is owned by
the reporting unit, so the unit and the units above it see it and a sibling never does."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from county_net.core.models import UTCDateTime, utcnow
from county_net.deadlines.periods import PERIOD_KINDS
from county_net.extensions import db
from county_net.tenancy.criteria import UnitOwned

# draft → submitted (to the head) → filed (signed, sent to the parent) → accepted; returned (by the head or the
# parent) goes back to the liaison; an accepted sheet corrected by a newer revision becomes superseded.
STATES = {"draft": "草稿", "submitted": "待一把手签发", "filed": "已上报待接收", "accepted": "已接收",
          "returned": "已退回修改", "superseded": "已被更正版本取代"}
EDITABLE_STATES = frozenset({"draft", "returned"})
FILED_STATES = frozenset({"filed", "accepted"})  # counted as filed (roll-ups, lateness)

# 排查 / 调处中 / 调处成功 / 未成功·上报 (domain-practice §4.5).
DISPUTE_STATUSES = {"screened": "排查", "mediating": "调处中", "resolved": "调处成功", "escalated": "未成功·上报"}
OPEN_DISPUTE_STATUSES = frozenset({"screened", "mediating", "escalated"})  # carried into the next draft
MEDIATED_STATUSES = frozenset({"mediating", "resolved", "escalated"})  # counted as 调处

# 涉及人数 bands of the summary report (domain-practice §4.2): 1–49, 50–100, 101–500, 501 and more.
SCALE_BANDS = {"lt50": "50人以下", "50_100": "50–100人", "100_500": "100–500人", "gt500": "500人以上"}


def scale_band(people: int) -> str:
    if people < 50:
        return "lt50"
    if people <= 100:
        return "50_100"
    if people <= 500:
        return "100_500"
    return "gt500"


INFO_KINDS = {"immediate": "即时报告", "early_sign": "苗头性信息", "special": "重要情况专报"}
INFO_STATES = {"sent": "已报送待签收", "received": "已签收待研判", "assessed": "已研判", "converted": "已转为信访事项",
               "closed": "已办结"}
INFO_OPEN_STATES = frozenset({"sent", "received", "assessed"})


def _check(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class ScreeningReport(UnitOwned, db.Model):
    """One revision of a unit's sheet for one period. A correction of an accepted sheet is a new revision;
    `counted` marks the revision the roll-ups read (the newest filed one), at most one per unit and period."""

    __tablename__ = "screening_reports"
    __table_args__ = (
        CheckConstraint(_check("state", STATES), name="state"),
        CheckConstraint(_check("period_kind", PERIOD_KINDS), name="period_kind"),
        CheckConstraint("revision >= 1", name="revision"),
        UniqueConstraint("unit_id", "period_kind", "period_start", "revision", name="uq_screening_reports_revision"),
        Index("uq_screening_reports_counted", "unit_id", "period_kind", "period_start", unique=True,
              sqlite_where=text("counted IS 1"), postgresql_where=text("counted IS true")),
        # Roll-ups and lateness: a county's counted sheets of a month.
        Index("ix_screening_reports_county_period", "county_unit_id", "period_start", "counted"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    period_kind: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    period_code: Mapped[str] = mapped_column(String(10))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    due_on: Mapped[date] = mapped_column(Date)
    is_nil: Mapped[bool] = mapped_column(Boolean, default=False)  # 零报告：本期无矛盾纠纷
    note: Mapped[str] = mapped_column(Text, default="")  # 填报说明 / the reason for a correction
    state: Mapped[str] = mapped_column(String(12), default="draft")
    counted: Mapped[bool] = mapped_column(Boolean, default=False)
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # 过期录入
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("screening_reports.id"))
    filled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filled_by_name: Mapped[str] = mapped_column(String(60), default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_by_name: Mapped[str | None] = mapped_column(String(60))
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # signed and sent to the parent
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_by_name: Mapped[str | None] = mapped_column(String(60))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_by_name: Mapped[str | None] = mapped_column(String(60))
    return_stage: Mapped[str | None] = mapped_column(String(8))  # head | parent
    return_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    disputes: Mapped[list[Dispute]] = relationship(back_populates="report", order_by="Dispute.seq",
                                                   cascade="all, delete-orphan", lazy="select")

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def filed(self) -> bool:
        return self.state in FILED_STATES or self.state == "superseded"


class Dispute(UnitOwned, db.Model):
    """One line of a sheet. `origin_key` follows a dispute across periods and revisions (carried forward while
    open), so 年度累计 counts it once and a petition link stays with it."""

    __tablename__ = "disputes"
    __table_args__ = (
        CheckConstraint(_check("status", DISPUTE_STATUSES), name="status"),
        CheckConstraint(_check("scale_band", SCALE_BANDS), name="scale_band"),
        CheckConstraint("people_count >= 1", name="people_count"),
        UniqueConstraint("report_id", "seq", name="uq_disputes_report_seq"),
        Index("ix_disputes_county_origin", "county_unit_id", "origin_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("screening_reports.id", ondelete="CASCADE"), index=True)
    county_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    seq: Mapped[int] = mapped_column(Integer)
    origin_key: Mapped[str] = mapped_column(String(32))
    carried: Mapped[bool] = mapped_column(Boolean, default=False)  # 上期结转
    found_on: Mapped[date] = mapped_column(Date)  # 排查时间
    dispute_type: Mapped[str] = mapped_column(String(20))
    parties: Mapped[str] = mapped_column(Text)
    people_count: Mapped[int] = mapped_column(Integer)
    scale_band: Mapped[str] = mapped_column(String(8))
    place: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)  # 矛盾纠纷简况及原因
    risk_level: Mapped[str] = mapped_column(String(8))
    is_major: Mapped[bool] = mapped_column(Boolean, default=False)  # 重大矛盾纠纷 (the ladder's rung says)
    collective_risk: Mapped[bool] = mapped_column(Boolean, default=False)  # 可能引发集体访
    skip_level_risk: Mapped[bool] = mapped_column(Boolean, default=False)  # 可能引发越级访
    measures: Mapped[str] = mapped_column(Text, default="")
    responsible_unit: Mapped[str] = mapped_column(String(100))
    responsible_leader: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10), default="screened")
    target_date: Mapped[date | None] = mapped_column(Date)
    # On a counted sheet: the period end of the next counted sheet that carries the same dispute (None: this is
    # its newest line). 年度累计 as of a period counts the lines not yet superseded by then: a plain aggregate
    # instead of ranking the year's lines on every read. Kept by services.refresh_successions.
    superseded_on: Mapped[date | None] = mapped_column(Date)
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id", ondelete="SET NULL"), index=True)

    report: Mapped[ScreeningReport] = relationship(back_populates="disputes")


class ScreeningEvent(UnitOwned, db.Model):
    """A sheet's timeline, one entry per step (append-only); owned by the sheet's unit."""

    __tablename__ = "screening_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("screening_reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str | None] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(60))
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


class ScreeningExemption(UnitOwned, db.Model):
    """A unit excused from filing from one day on (until another, or for good), with the reason. Owned by the
    exempted unit; set by the county center."""

    __tablename__ = "screening_exemptions"
    __table_args__ = (Index("ix_screening_exemptions_county", "county_unit_id", "starts_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    reason: Mapped[str] = mapped_column(String(500))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # inclusive; None: until revoked
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_name: Mapped[str | None] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class InfoReport(UnitOwned, db.Model):
    """即时报告 / 苗头性信息 / 重要情况专报: a major risk reported any day, outside the sheet. It must be signed
    for by the county center within the county's limit (`due_at`, from county_net/deadlines/periods.py)."""

    __tablename__ = "info_reports"
    __table_args__ = (
        CheckConstraint(_check("kind", INFO_KINDS), name="kind"),
        CheckConstraint(_check("state", INFO_STATES), name="state"),
        CheckConstraint("people_count >= 0", name="people_count"),
        Index("ix_info_reports_county_state_due", "county_unit_id", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(12), default="immediate")
    title: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(200), default="")
    people_count: Mapped[int] = mapped_column(Integer, default=0)
    collective_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    skip_level_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    is_urgent: Mapped[bool] = mapped_column(Boolean, default=False)  # 加急
    occurred_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="sent")
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reporter_name: Mapped[str] = mapped_column(String(60))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_by_name: Mapped[str | None] = mapped_column(String(60))
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assessment: Mapped[str | None] = mapped_column(Text)
    assessed_level: Mapped[str | None] = mapped_column(String(8))
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assessed_by_name: Mapped[str | None] = mapped_column(String(60))
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id", ondelete="SET NULL"), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def number(self) -> str:
        return f"即报〔{self.sent_at.year}〕{self.id:05d}号"


class InfoReportEvent(UnitOwned, db.Model):
    """An immediate report's timeline (append-only); owned by the reporting unit."""

    __tablename__ = "info_report_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    info_report_id: Mapped[int] = mapped_column(ForeignKey("info_reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(10))
    to_state: Mapped[str | None] = mapped_column(String(10))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(60))
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
