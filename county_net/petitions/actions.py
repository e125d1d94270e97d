"""Each action of the workflow: its URL segment, its input schema and its service. The web form and the
JSON endpoint both dispatch through this table, so they cannot drift apart."""
from dataclasses import dataclass

from marshmallow import Schema
from sqlalchemy.orm.exc import StaleDataError

from county_net.core.errors import StaleVersion
from county_net.petitions import schemas as s
from county_net.petitions import services as sv


@dataclass(frozen=True)
class ActionEndpoint:
    name: str  # the workflow action
    slug: str  # URL segment
    schema: type[Schema]
    service: object
    done: str  # the message after success


ENDPOINTS = {e.name: e for e in (
    ActionEndpoint("transfer", "transfer", s.RouteSchema, sv.transfer_petition, "已转送"),
    ActionEndpoint("assign", "assign", s.AssignSchema, sv.assign_petition, "已交办"),
    ActionEndpoint("redirect", "redirect", s.RedirectSchema, sv.redirect_petition, "已告知其他途径"),
    ActionEndpoint("handle_self", "handle-self", s.NoteSchema, sv.handle_self, "本单位已受理"),
    ActionEndpoint("report_up", "report-up", s.RequiredNoteSchema, sv.report_up, "已上报"),
    ActionEndpoint("sign_for", "sign-for", s.VersionSchema, sv.sign_for, "已签收"),
    ActionEndpoint("send_back", "send-back", s.SendBackSchema, sv.send_back, "已退回"),
    ActionEndpoint("accept", "accept", s.AcceptSchema, sv.accept_petition, "已受理"),
    ActionEndpoint("decline", "decline", s.DeclineSchema, sv.decline_petition, "已决定不予受理"),
    ActionEndpoint("extend", "extend", s.ExtendSchema, sv.extend_handling, "已延期"),
    ActionEndpoint("pause", "pause", s.PauseSchema, sv.pause_clock, "已暂停计时"),
    ActionEndpoint("resume", "resume", s.NoteSchema, sv.resume_clock, "已恢复计时"),
    ActionEndpoint("co_opinion", "co-opinion", s.OpinionSchema, sv.add_co_opinion, "已提交协办意见"),
    ActionEndpoint("record_mediation", "mediation", s.MediationSchema, sv.record_mediation, "已记录"),
    ActionEndpoint("reply", "reply", s.ReplySchema, sv.reply_petition, "已出具处理意见书"),
    ActionEndpoint("file_report", "report", s.ReportSchema, sv.file_report, "已报送办结报告"),
    ActionEndpoint("approve_report", "approve-report", s.NoteSchema, sv.approve_report, "已审查通过，事项办结"),
    ActionEndpoint("return_report", "return-report", s.ReasonSchema, sv.return_report, "已退回重办"),
    ActionEndpoint("close", "close", s.CloseSchema, sv.close_petition, "已办结"),
    ActionEndpoint("sub_assign", "sub-assign", s.SubAssignSchema, sv.sub_assign_petition, "已交办下级"),
    ActionEndpoint("sub_sign_for", "sub-sign-for", s.VersionSchema, sv.sub_sign_for, "已签收"),
    ActionEndpoint("sub_send_back", "sub-send-back", s.ReasonSchema, sv.sub_send_back, "已退回交办单位"),
    ActionEndpoint("sub_file_report", "sub-report", s.ReportSchema, sv.sub_file_report, "已报送办结报告"),
    ActionEndpoint("sub_approve_report", "sub-approve-report", s.NoteSchema, sv.sub_approve_report,
                   "已审查通过，事项回到本单位办理"),
    ActionEndpoint("sub_return_report", "sub-return-report", s.ReasonSchema, sv.sub_return_report, "已退回重办"),
    ActionEndpoint("request_reexamination", "reexamination", s.ReviewRequestSchema, sv.request_reexamination,
                   "已登记复查申请"),
    ActionEndpoint("decide_reexamination", "reexamination-decision", s.ReexaminationDecisionSchema,
                   sv.decide_reexamination, "已出具复查意见"),
    ActionEndpoint("request_final_review", "final-review", s.ReviewRequestSchema, sv.request_final_review,
                   "已登记复核申请"),
    ActionEndpoint("decide_final_review", "final-review-decision", s.FinalReviewDecisionSchema,
                   sv.decide_final_review, "已出具复核意见，事项终结"),
    ActionEndpoint("record_delivery", "delivery", s.DeliverySchema, sv.record_delivery, "已登记送达"),
    ActionEndpoint("follow_up", "follow-up", s.RequiredNoteSchema, sv.record_follow_up, "已记录回访"),
    ActionEndpoint("archive", "archive", s.VersionSchema, sv.archive_petition, "已立卷归档"),
)}

BY_SLUG = {e.slug: e for e in ENDPOINTS.values()}


def run(endpoint: ActionEndpoint, actor, petition, body: dict):
    try:
        return endpoint.service(actor, petition, **body)
    except StaleDataError:
        # Two requests read the same version and the other committed first (its row lock held this UPDATE
        # back, on PostgreSQL): the same stale answer as a version caught up front, so the caller's 409
        # carries the matter as it now is.
        raise StaleVersion() from None
