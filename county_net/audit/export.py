"""The one way to audit records beyond a county: the system administrator's export, on the command line.

A county's administrator reads the county's own records (the web page and the API are scoped like any tenant
data). Records of other counties, of the command line itself and of failed logins under names no account has
belong to no county; whoever operates the service reads them here, naming a reason, and the export is written
to the chain before a single row leaves."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from county_net.audit import services as audit
from county_net.audit.models import AuditRecord
from county_net.audit.queries import audit_query, present
from county_net.core.database import writing
from county_net.extensions import db
from county_net.tenancy import system_scope

FIELDS = ("seq", "occurred_at", "actor_id", "actor_name", "actor_unit_id", "action", "target_type", "target_id",
          "detail", "client_addr", "prev_hash", "hash")


def export_all_counties(reason: str, emit, action: str | None = None, batch: int = 2000) -> int:
    """Hands every record (newest first) to `emit` as a plain dict, after auditing the export itself."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("an export across counties needs a reason")
    with system_scope(f"audit export: {reason}"):
        with writing():
            count = db.session.scalar(select(func.count()).select_from(audit_query(action).order_by(None).subquery()))
            audit.record("audit.exported", actor_name="cli", detail={"reason": reason[:200], "count": count,
                                                                        "action": action})
            db.session.commit()
        below = None
        while True:
            stmt = audit_query(action).limit(batch)
            if below is not None:
                stmt = stmt.where(AuditRecord.seq < below)
            rows = db.session.scalars(stmt).all()
            if not rows:
                break
            for row in present(rows):  # names looked up in system scope: every county's
                emit({**{name: _plain(getattr(row.record, name)) for name in FIELDS},
                      "action_label": row.action_label, "actor_label": row.actor_label,
                      "target_label": row.target_label})
            below = rows[-1].seq
            db.session.expunge_all()
        db.session.rollback()
    return count


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@click.command("export")
@with_appcontext
@click.option("--all-counties", "all_counties", is_flag=True,
              help="导出全部县（含系统操作和未知用户名的登录失败）的记录；必须明确给出")
@click.option("--reason", default="", help="导出原因（记入审计日志）")
@click.option("--action", default=None, help="只导出此操作代码开头的记录")
def export_command(all_counties: bool, reason: str, action: str | None):
    """Write audit records as JSON lines to standard output (system administrator)."""
    if not all_counties:
        raise click.UsageError("跨县导出须明确给出 --all-counties；本县记录请在审计日志页面查看")
    if not reason.strip():
        raise click.UsageError("请用 --reason 说明导出原因")
    export_all_counties(reason, lambda row: click.echo(json.dumps(row, ensure_ascii=False, sort_keys=True)), action)
