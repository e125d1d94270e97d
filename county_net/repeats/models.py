"""The repeat detector's stored parts: a matter's reading (under the matter's own visibility), the county's
word counts and the retrieval index. The last two hold keyed hashes of words and numbers only, never a word in
clear, and are read only in system scope (candidate ids; the matters themselves are then read through the
tenant criteria). docs/repeats.md says why they sit outside row-level security."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from county_net.core.models import UTCDateTime
from county_net.extensions import db
from county_net.petitions.models import PetitionChild
from county_net.tenancy.criteria import Scoped, visibility


class PetitionReading(PetitionChild, db.Model):
    """What the matter's text says (county_net.repeats.text.read), kept so that candidates are scored without
    segmenting their texts again. Visible exactly when the matter is."""

    __tablename__ = "petition_readings"
    __table_args__ = (UniqueConstraint("petition_id", name="uq_petition_readings_petition"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    words: Mapped[str] = mapped_column(Text, default="")  # content words, space-separated, in order
    amounts: Mapped[str] = mapped_column(Text, default="{}")  # {"money": [69000.0], "area_mu": [2.3]}
    objects: Mapped[str] = mapped_column(Text, default="{}")  # {"宏达": "company"}
    names: Mapped[str] = mapped_column(Text, default="")  # people the text names, as 王某兵, space-separated
    reader_version: Mapped[int] = mapped_column(Integer, default=1)  # text.READER_VERSION that wrote it


class HashedIndex(Scoped):
    """Keyed hashes and counts of a county: no scope but the system's reads them (see the module)."""

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return obj.county_unit_id

    @classmethod
    def may_write(cls, obj, scope) -> bool:
        return True  # written by the registration service with the matter, whose row carries the guard


class RepeatIndexEntry(HashedIndex, db.Model):
    """One matter in the retrieval index: its terms as keyed hashes (w… words, o… named things, p… people),
    with PostgreSQL full-text (a GIN index on a generated tsvector) or SQLite FTS5 (repeat_index_fts, kept by
    triggers) over `terms`."""

    __tablename__ = "repeat_index"
    __table_args__ = (Index("ix_repeat_index_county_received", "county_unit_id", "received_at"),)

    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True)
    county_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    terms: Mapped[str] = mapped_column(Text, default="")


class RepeatTerm(HashedIndex, db.Model):
    """How many of a county's matters hold a term (document frequency), for the IDF; the term "#" counts the
    matters themselves. Kept up to date by each registration."""

    __tablename__ = "repeat_terms"

    county_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    term: Mapped[str] = mapped_column(String(24), primary_key=True)
    df: Mapped[int] = mapped_column(Integer, default=0)


@visibility(HashedIndex)
def _hashed_only_in_system_scope(m, r):
    # A signed-in principal never reads these through the ORM; the retrieval runs in system scope.
    return false()


def engine_own(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic's include_object: the parts that each engine keeps itself and the models do not describe
    (the FTS5 table and its shadow tables; the generated tsvector and its GIN index; the units' C-collated
    path index)."""
    if type_ == "table" and name and name.startswith("repeat_index_fts"):
        return False
    if type_ == "column" and name == "tsv" and getattr(obj, "table", None) is not None \
            and obj.table.name == "repeat_index":
        return False
    if type_ == "index" and name == "ix_repeat_index_tsv":
        return False
    if type_ == "index" and name == "ix_units_path_c":  # PostgreSQL's byte-wise path index (rls_sql.PATH_INDEX)
        return False
    return True
