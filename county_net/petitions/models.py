"""信访事项 and what hangs off it. Visibility: the registering unit's tree, plus units the matter was
transferred or assigned to (grants), minus any unit the matter accuses."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (BigInteger, event, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, and_, false, or_, select, text)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, object_session, relationship
from sqlalchemy.orm.util import identity_key

from county_net.core.models import UTCDateTime, utcnow
from county_net.extensions import db
from county_net.tenancy.criteria import Columns, Scoped, UnitOwned, in_tree, not_blocked, visibility

CHANNELS = {"visit": "来访", "letter": "来信", "phone": "来电", "online": "网上信访", "other": "其他"}
NATURES = {"demand": "求决", "suggestion": "建议意见", "inquiry": "咨询", "accusation": "检举控告", "appeal": "申诉"}
SATISFACTION = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
REPLY_OUTCOMES = {"support": "予以支持", "explain": "解释说明", "not_support": "不予支持"}
REVIEW_RESULTS = {"uphold": "维持", "revoke": "撤销", "vary": "变更"}
DELIVERY_METHODS = {"in_person": "当面送达", "post": "邮寄送达", "electronic": "电子送达"}


def _check(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Category(db.Model):
    """事项类别: a county-editable taxonomy shared by every unit (reference data, not tenant data)."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Petition(Scoped, db.Model):
    __tablename__ = "petitions"
    __table_args__ = (
        CheckConstraint(_check("channel", CHANNELS), name="channel"),
        CheckConstraint(_check("nature", NATURES), name="nature"),
        CheckConstraint("head_count >= 1", name="head_count"),
        UniqueConstraint("county_unit_id", "year", "seq", name="uq_petitions_county_year_seq"),
        UniqueConstraint("number", "county_unit_id", name="uq_petitions_number_county"),
        # The inbox: a unit's open matters by deadline; county and accused ride along so that the
        # tenant criteria are answered from the index alone.
        Index("ix_petitions_inbox", "holder_unit_id", "state", "due_on", "county_unit_id", "accused_unit_id"),
        Index("ix_petitions_unit_received", "unit_id", "received_at"),
        Index("ix_petitions_county_received", "county_unit_id", "received_at", "accused_unit_id"),
        Index("ix_petitions_county_state_due", "county_unit_id", "state", "due_on"),
        # The county board: open matters counted by holding unit and due day, from the index alone (on
        # PostgreSQL the row policy reads unit_id and id too, hence the included columns).
        Index("ix_petitions_county_state_holder_due", "county_unit_id", "state", "holder_unit_id", "due_on",
              "accused_unit_id", postgresql_include=["unit_id", "id"]),
        # The board's collective visits of the last days: a few per cent of matters, a small partial index.
        Index("ix_petitions_collective_county_received", "county_unit_id", "received_at", "accused_unit_id",
              sqlite_where=text("is_collective IS 1"), postgresql_where=text("is_collective IS true"),
              postgresql_include=["unit_id", "holder_unit_id", "id"]),
        Index("ix_petitions_county_category_received", "county_unit_id", "category_id", "received_at"),
        # 立卷归档: a county's archived matters of a year, in date order (a few per cent of its matters).
        Index("ix_petitions_archive_county_year_received", "county_unit_id", "year", "received_at",
              sqlite_where=text("is_archived IS 1"), postgresql_where=text("is_archived IS true")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # the registering unit owns it
    county_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40))  # unique within the county
    query_code: Mapped[str] = mapped_column(String(16), unique=True)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    channel: Mapped[str] = mapped_column(String(10))
    head_count: Mapped[int] = mapped_column(Integer, default=1)
    is_collective: Mapped[bool] = mapped_column(Boolean, default=False)
    locality_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    nature: Mapped[str] = mapped_column(String(12))
    summary: Mapped[str] = mapped_column(Text)
    demands: Mapped[str] = mapped_column(Text, default="")
    accused_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    accused_description: Mapped[str | None] = mapped_column(String(200))
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    thread_id: Mapped[int | None] = mapped_column(Integer, index=True)  # first matter of a repeat thread
    is_no_longer_accepted: Mapped[bool] = mapped_column(Boolean, default=False)  # 不再受理
    is_major: Mapped[bool] = mapped_column(Boolean, default=False)
    is_simple: Mapped[bool] = mapped_column(Boolean, default=False)

    # The course
    state: Mapped[str] = mapped_column(String(20), index=True)
    holder_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))  # whose move it is
    handling_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)  # 主办
    sender_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # who transferred/assigned
    route: Mapped[str | None] = mapped_column(String(10))  # transfer | assign | self
    received_by_unit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report_due_on: Mapped[date | None] = mapped_column(Date)
    # 交办下级: the village or enterprise the handling unit handed the matter down to, and its report date.
    sub_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    sub_report_due_on: Mapped[date | None] = mapped_column(Date)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_outcome: Mapped[str | None] = mapped_column(String(12))
    # 送达: how and when each opinion reached the petitioner; the review windows count from the day after.
    reply_delivery: Mapped[str | None] = mapped_column(String(12))
    reply_delivered_on: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pause_reason: Mapped[str | None] = mapped_column(String(20))
    paused_until: Mapped[date | None] = mapped_column(Date)  # the clock resumes by itself after this day
    review_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # 复查/复核 organ in the system
    review_organ: Mapped[str | None] = mapped_column(String(120))
    reexamination_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reexamination_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reexamination_result: Mapped[str | None] = mapped_column(String(8))
    reexamination_delivery: Mapped[str | None] = mapped_column(String(12))
    reexamination_delivered_on: Mapped[date | None] = mapped_column(Date)
    final_review_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    final_review_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    final_review_result: Mapped[str | None] = mapped_column(String(8))
    final_review_delivery: Mapped[str | None] = mapped_column(String(12))
    final_review_delivered_on: Mapped[date | None] = mapped_column(Date)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    satisfaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The current limit, kept on the row so that inboxes sort and filter on an index.
    due_step: Mapped[str | None] = mapped_column(String(24))
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # 暂定: rests on an unpublished year
    # What the stored limit was counted under besides the row's own columns (petitions.services.due_basis): the
    # sweep passes over a matter whose basis is current. None: never stamped (a bulk load), counted next sweep.
    due_basis: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    # Loaded when a page shows them (one query, petitioners joined); lists read names in one query of their own.
    parties: Mapped[list[PetitionParty]] = relationship(back_populates="petition", order_by="PetitionParty.position",
                                                        cascade="all, delete-orphan", lazy="select")
    events: Mapped[list[PetitionEvent]] = relationship(back_populates="petition", order_by="PetitionEvent.id",
                                                       lazy="raise_on_sql", viewonly=True)

    @property
    def is_confidential(self) -> bool:
        return self.nature == "accusation"

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return obj.unit_id

    INVOLVED_COLUMNS = ("unit_id", "holder_unit_id", "handling_unit_id", "sender_unit_id", "review_unit_id")

    def involved_unit_ids(self) -> set[int]:
        return {getattr(self, name) for name in self.INVOLVED_COLUMNS} - {None}

    @classmethod
    def may_write(cls, obj, scope) -> bool:
        """A unit involved when the row was read, or after the change, may write it (a receiver that sends
        a matter back leaves it in the same transaction); so may a scope that read the row through a grant
        (a co-unit adding its opinion)."""
        before = getattr(obj, "_involved_when_loaded", set())
        if getattr(obj, "_read_in_scope", None) == scope:
            return True
        return scope.sees_any(obj.involved_unit_ids() | before)


@event.listens_for(Petition, "load")
def _remember_involved(target, context):
    from county_net.tenancy.context import active_scope

    target._involved_when_loaded = target.involved_unit_ids()
    _remember_place(target)
    scope = active_scope()
    # Read through the scoped criteria, so this scope may see it (system reads prove nothing).
    target._read_in_scope = scope if scope is not None and not scope.sees_all else None


def _remember_place(target) -> None:
    """Where the stored row sits in the inbox (state and holder; whether it was sent back for rework is read
    only when it matters): a transition's counters move from this to the new place (petitions/boxes.py)."""
    target._box_place = (target.__dict__.get("state"), target.__dict__.get("holder_unit_id"), None)
    # And what its supervision clocks were last brought in line with (supervision/clocks.py).
    target._clock_place = tuple(target.__dict__.get(name, UNSET) for name in CLOCK_FIELDS)


CLOCK_FIELDS = ("state", "holder_unit_id", "handling_unit_id", "due_on")
UNSET = object()


@event.listens_for(Petition, "refresh")
def _reloaded(target, context, attrs):
    if attrs is None or any(name in attrs for name in CLOCK_FIELDS):
        _remember_place(target)


class PetitionChild(Scoped):
    """Rows reached through their petition: visible exactly when the petition is. Each keeps a copy of its
    matter's county and accused unit (both fixed at registration, copied by `_copy_matter_columns`), so that
    a county-wide principal's criteria and RLS policy decide on the row alone, without a probe into petitions."""

    @declared_attr
    def petition_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def county_unit_id(cls) -> Mapped[int]:
        return mapped_column(Integer, nullable=False)

    @declared_attr
    def accused_unit_id(cls) -> Mapped[int | None]:
        return mapped_column(Integer)

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return None

    @classmethod
    def may_write(cls, obj, scope) -> bool:
        return True  # the petition row itself is guarded; children are written by the same service


class PetitionAccess(Scoped, db.Model):
    """A grant: `grantee_unit_id` may see the petition while `is_active` (transfer, assignment, co-unit,
    review). Owned by the granting unit, so a township can grant a sibling bureau."""

    __tablename__ = "petition_access"
    __table_args__ = (Index("ix_petition_access_grantee_petition", "grantee_unit_id", "petition_id"),
                      Index("ix_petition_access_petition_grantee", "petition_id", "grantee_unit_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    grantee_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    via: Mapped[str] = mapped_column(String(16))  # transfer | assign | co_unit | review | coordination
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return obj.unit_id

    @classmethod
    def may_write(cls, obj, scope) -> bool:
        return scope.may_see(obj.unit_id) or scope.may_see(obj.grantee_unit_id)


class Petitioner(Scoped, db.Model):
    """信访人 (立户): ID number and phone are encrypted; the keyed hashes serve exact lookup."""

    __tablename__ = "petitioners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # the unit that opened the file
    name: Mapped[str] = mapped_column(String(60))
    id_number_enc: Mapped[str | None] = mapped_column(String(200))
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    id_number_masked: Mapped[str | None] = mapped_column(String(24))
    phone_enc: Mapped[str | None] = mapped_column(String(200))
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(24))
    phone_last4: Mapped[str | None] = mapped_column(String(4))
    name_phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return obj.unit_id

    @classmethod
    def may_write(cls, obj, scope) -> bool:
        return True  # opened with a matter; the petition row carries the guard


class PetitionerContactChange(Scoped, db.Model):
    """A change of a petitioner's phone or address, with the old values (append-only): visible exactly when
    the petitioner's file is. Phones are kept encrypted and masked, never in plain text."""

    __tablename__ = "petitioner_contact_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petitioner_id: Mapped[int] = mapped_column(ForeignKey("petitioners.id"), index=True)
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))  # the registration that brought it
    source: Mapped[str] = mapped_column(String(16))  # registration | correction
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(60))
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    old_phone_enc: Mapped[str | None] = mapped_column(String(200))
    old_phone_masked: Mapped[str | None] = mapped_column(String(24))
    new_phone_masked: Mapped[str | None] = mapped_column(String(24))
    old_address: Mapped[str | None] = mapped_column(String(200))
    new_address: Mapped[str | None] = mapped_column(String(200))

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return None

    @classmethod
    def may_write(cls, obj, scope) -> bool:
        return True  # written with the petitioner's row, which the scoped read guards


class PetitionParty(PetitionChild, db.Model):
    __tablename__ = "petition_parties"
    __table_args__ = (UniqueConstraint("petition_id", "petitioner_id", name="uq_petition_parties_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petitioner_id: Mapped[int] = mapped_column(ForeignKey("petitioners.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_representative: Mapped[bool] = mapped_column(Boolean, default=False)
    # The phone given with this matter, for /query: the file's phone may change later.
    phone_enc: Mapped[str | None] = mapped_column(String(200))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    phone_last4: Mapped[str | None] = mapped_column(String(4))

    petition: Mapped[Petition] = relationship(back_populates="parties")
    petitioner: Mapped[Petitioner] = relationship(lazy="joined")


class PetitionEvent(PetitionChild, db.Model):
    """流转记录: append-only timeline entry, one per transition."""

    __tablename__ = "petition_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(60))
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    target_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str] = mapped_column(Text, default="{}")

    petition: Mapped[Petition] = relationship(back_populates="events")


class PetitionLink(PetitionChild, db.Model):
    """A proposed or confirmed link to an earlier matter (重复信访)."""

    __tablename__ = "petition_links"
    __table_args__ = (UniqueConstraint("petition_id", "earlier_id", name="uq_petition_links_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    earlier_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)
    score: Mapped[int] = mapped_column(Integer, default=0)  # similarity x 100
    reason: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="proposed")  # proposed | confirmed | rejected
    signals: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")  # [{code, label, weight}]
    decision_note: Mapped[str | None] = mapped_column(String(200))  # the clerk's reason for the decision
    decided_by_id: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PetitionAttachment(PetitionChild, db.Model):
    """A scanned letter, photo or PDF: the bytes live in the attachment store, never in the database."""

    __tablename__ = "petition_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(Integer)
    uploaded_by_name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PetitionCounter(Scoped, db.Model):
    """Per county and year, the last number given; one row lock makes numbers gapless. Any principal of the
    county numbers its matters (the county root is among its self ids); another county's counter is unseen."""

    __tablename__ = "petition_counters"

    county_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return obj.county_unit_id

    @classmethod
    def may_write(cls, obj, scope) -> bool:
        return scope.may_see(obj.county_unit_id) or obj.county_unit_id in scope.self_ids


class InboxCounter(UnitOwned, db.Model):
    """A unit's inbox boxes that depend on nothing but the matters' state (待签收, 办理中, 被退回, 待审查): how
    many visible matters it holds in each, moved by the services in the transition's own transaction
    (petitions/boxes.py) and rebuilt from the rows by `flask petitions recount`. The boxes that depend on
    today's date are counted at read time."""

    __tablename__ = "inbox_counters"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    to_sign: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    handling: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    returned: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    review: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


@event.listens_for(PetitionChild, "before_insert", propagate=True)
def _copy_matter_columns(mapper, connection, target):
    """The one place the copies are made: from the matter the service holds (no statement), else read."""
    if target.county_unit_id is not None:
        return
    petition = target.__dict__.get("petition")
    if petition is None:
        session = object_session(target)
        petition = session.identity_map.get(identity_key(Petition, target.petition_id)) if session else None
    if petition is not None:
        target.county_unit_id, target.accused_unit_id = petition.county_unit_id, petition.accused_unit_id
        return
    matters = Petition.__table__
    row = connection.execute(select(matters.c.county_unit_id, matters.c.accused_unit_id)
                             .where(matters.c.id == target.petition_id)).one()
    target.county_unit_id, target.accused_unit_id = row


# Probes are aliases of the tables, not of the models: each rule writes its probe's conditions out in full,
# so a probe is filtered exactly the same in an ORM statement and in a column select (tenancy.visible).
_grant = PetitionAccess.__table__.alias("grant_probe")
_parent = Petition.__table__.alias("parent_probe")
_party = PetitionParty.__table__.alias("party_probe")
_person = Petitioner.__table__.alias("petitioner_probe")


def _reach(m, tree):
    """Its holder, its registering unit or an active grant is in the scope. The holder always owns the matter
    or holds a grant; it comes first so that an inbox row is settled from the index without probing grants.
    Grants are correlated EXISTS probes rather than IN (subquery): a page of 20 rows probes 20 grants through
    (petition_id, grantee_unit_id) instead of first collecting every matter the scope can see."""
    granted = select(_grant.c.id).where(_grant.c.petition_id == m.id, in_tree(_grant.c.grantee_unit_id, tree),
                                        _grant.c.is_active.is_(True)).correlate_except(_grant).exists()
    return or_(in_tree(m.holder_unit_id, tree), in_tree(m.unit_id, tree), granted)


# Grants never leave a county (services._grant), so a matter outside the principal's county is never visible;
# saying so lets a list walk the county's own index. A county center sees all of its county.
def _matter_of_county(m, county, blocked):
    return and_(m.county_unit_id == county, not_blocked(m.accused_unit_id, blocked))


def _matter_in_county(m, county, tree, blocked):
    return and_(m.county_unit_id == county, _reach(m, tree), not_blocked(m.accused_unit_id, blocked))


def _matter_listed(m, tree, blocked):
    return and_(_reach(m, tree), not_blocked(m.accused_unit_id, blocked))


def _through_matter(m, matter_rule, *args):
    """A child row: its matter is visible (a probe into petitions)."""
    return select(_parent.c.id).where(_parent.c.id == m.petition_id, matter_rule(Columns(_parent), *args)) \
        .correlate_except(_parent).exists()


def _person_visible(m, tree, child_rule, *args):
    """A petitioner: the unit that opened the file is in scope, or one of the person's matters is visible."""
    return or_(in_tree(m.unit_id, tree), select(_party.c.id).where(_party.c.petitioner_id == m.id,
                                                                    child_rule(Columns(_party), *args))
               .correlate_except(_party).exists())


def _contact_visible(m, tree, child_rule, *args):
    return select(_person.c.id).where(_person.c.id == m.petitioner_id,
                                      _person_visible(Columns(_person), tree, child_rule, *args)) \
        .correlate_except(_person).exists()


def _child_of_county(m, county, blocked):
    return _matter_of_county(m, county, blocked)  # the copies on the child row: no probe


def _child_in_county(m, county, tree, blocked):
    return _through_matter(m, _matter_in_county, county, tree, blocked)


def _child_listed(m, tree, blocked):
    return _through_matter(m, _matter_listed, tree, blocked)


@visibility(Petition)
def _matter_visible(m, r):
    """Who sees a matter: its registering unit's tree, its holder, units with an active grant; never a unit
    it accuses. The same rule is the PostgreSQL policy (rls_sql.PETITION_VISIBLE_V3)."""
    if r.mode == "whole":
        return _matter_of_county(m, r.county, r.blocked)
    if r.mode == "county":
        return _matter_in_county(m, r.county, r.tree, r.blocked)
    return _matter_listed(m, r.tree, r.blocked)  # a scope that lists its units and names no county (tools, tests)


@visibility(PetitionChild)
def _child_visible(m, r):
    """Exactly when its matter is visible; a county center reads the row's own copies (no probe)."""
    if r.mode == "whole":
        return _child_of_county(m, r.county, r.blocked)
    if r.mode == "county":
        return _child_in_county(m, r.county, r.tree, r.blocked)
    return _child_listed(m, r.tree, r.blocked)


def _child_rule(r):
    if r.mode == "whole":
        return _child_of_county, (r.county, r.blocked)
    if r.mode == "county":
        return _child_in_county, (r.county, r.tree, r.blocked)
    return _child_listed, (r.tree, r.blocked)


@visibility(Petitioner)
def _petitioner_visible(m, r):
    rule, args = _child_rule(r)
    return _person_visible(m, r.tree, rule, *args)


@visibility(PetitionerContactChange)
def _contact_change_visible(m, r):
    rule, args = _child_rule(r)
    return _contact_visible(m, r.tree, rule, *args)


@visibility(PetitionAccess)
def _grant_visible(m, r):
    return or_(in_tree(m.unit_id, r.tree), in_tree(m.grantee_unit_id, r.tree))


@visibility(PetitionCounter)
def _counter_visible(m, r):
    """Its own county's counter: the county root is in the scope or among the self ids. The same rule is the
    PostgreSQL policy (rls_sql.COUNTER_VISIBLE)."""
    return or_(in_tree(m.county_unit_id, r.tree), in_tree(m.county_unit_id, r.blocked))
