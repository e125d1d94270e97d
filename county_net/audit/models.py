from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from county_net.core.models import UTCDateTime, utcnow
from county_net.extensions import db
from county_net.tenancy.criteria import Scoped, in_tree, visibility


class AuditRecord(Scoped, db.Model):
    """One audited act. Rows are never updated or deleted (triggers and grants refuse it);
    each carries an HMAC over its content and the previous row's HMAC. A scope reads the acts of its own
    units' users; a record with no unit (the command line, a failed login under an unknown name) only
    system work reads (audit/export.py)."""

    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(64))
    actor_unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    client_addr: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return obj.actor_unit_id


@visibility(AuditRecord)
def _audit_visible(m, r):
    """The same rule is the PostgreSQL policy (rls_sql.AUDIT_VISIBLE)."""
    return in_tree(m.actor_unit_id, r.tree)
