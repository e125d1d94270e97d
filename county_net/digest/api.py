"""JSON twin of the digest: on demand for any period, and the stored weekly issues."""
from flask_login import current_user

from county_net.api import ApiBlueprint, auth_required
from county_net.api import register as register_blueprint
from county_net.digest import queries, services
from county_net.digest import schemas as s

blp = ApiBlueprint("digest_api", __name__, url_prefix="/api/v1", description="领导摘报")


def _me():
    return current_user._get_current_object()


def period_from(args) -> queries.Period:
    if args.get("start") is not None:
        return queries.Period(args["start"], args["end"])
    return queries.last_full_week()


@blp.get("/digest")
@auth_required
@blp.arguments(s.DigestArgsSchema, location="query")
@blp.response(200, s.DigestSchema)
def on_demand(args):
    """领导摘报（即时）：本期与等长上期对比；按本人单位的可见范围统计（乡镇为其下辖范围）。"""
    services.require_reader(_me())
    return queries.compute(_me().unit_id, period_from(args))


@blp.get("/digest/issues")
@auth_required
@blp.response(200, s.DigestIssueSummarySchema(many=True))
def list_issues():
    """已生成的周报（县信访局），最近的在前。"""
    services.require_reader(_me())
    return queries.issues()


@blp.get("/digest/issues/<label>")
@auth_required
@blp.response(200, s.DigestIssueSchema)
def get_issue(label):
    """一期周报，数字与生成时相同。"""
    services.require_reader(_me())
    issue = queries.get_issue(label)
    return {"id": issue.id, "label": issue.label, "period_start": issue.period_start, "period_end": issue.period_end,
            "published_at": issue.published_at, "figures": queries.issue_figures(issue)}


def register(app):
    register_blueprint(blp)
