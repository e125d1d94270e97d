from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from county_net.core.models import UTCDateTime, utcnow
from county_net.extensions import db
from county_net.tenancy.criteria import Scoped, ScopedSelf, UnitOwned, in_tree, visibility
from county_net.units.kinds import KIND_NAMES, kind_label

_KIND_CHECK = "kind IN (" + ", ".join(f"'{k}'" for k in KIND_NAMES) + ")"


class Unit(ScopedSelf, db.Model):
    """A unit of the network; every unit is a tenant."""

    __tablename__ = "units"
    __table_args__ = (CheckConstraint(_KIND_CHECK, name="kind"),)

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    short_name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Materialised path "/1/4/23/": the subtree is one indexed prefix query.
    path: Mapped[str] = mapped_column(String(255), index=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Printed on every notice the unit issues (联系人、联系电话、地址), from the network file.
    contact_person: Mapped[str | None] = mapped_column(String(30))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    # A county root's own settings (deadline overrides, calendar changes, numbering), from its network file.
    settings: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id", lazy="raise_on_sql")

    @property
    def county_id(self) -> int:
        return int(self.path.strip("/").split("/")[0])

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.code} {self.kind}>"


class Window(UnitOwned, db.Model):
    """A reception window of the joint hall, owned by the county center."""

    __tablename__ = "windows"
    __table_args__ = (UniqueConstraint("unit_id", "number", name="uq_windows_unit_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Triage: the category codes and township codes this window takes (JSON lists; empty = any).
    subjects: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    localities: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    room_number: Mapped[int | None] = mapped_column(Integer)

    stations: Mapped[list[WindowStation]] = relationship(
        back_populates="window", cascade="all, delete-orphan", lazy="selectin", order_by="WindowStation.id"
    )


class WindowStation(Scoped, db.Model):
    """A unit stationed at a window (入驻部门); reached only through its window, and visible exactly when
    the window is."""

    __tablename__ = "window_stations"
    __table_args__ = (UniqueConstraint("window_id", "stationed_unit_id", name="uq_window_stations_window_unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("windows.id", ondelete="CASCADE"), index=True)
    stationed_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)

    window: Mapped[Window] = relationship(back_populates="stations")

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return obj.window.unit_id if obj.window is not None else None


_window = Window.__table__.alias("window_probe")


def _window_visible(m, tree):
    return select(_window.c.id).where(_window.c.id == m.window_id, in_tree(_window.c.unit_id, tree)) \
        .correlate_except(_window).exists()


@visibility(WindowStation)
def _station_visible(m, r):
    """Exactly when its window is visible. The same rule is the PostgreSQL policy (rls_sql.STATION_VISIBLE)."""
    return _window_visible(m, r.tree)
