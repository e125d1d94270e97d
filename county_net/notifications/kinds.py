"""What a notification is about: code -> the label shown in the inbox and its filter. Capabilities add theirs
here, so that the filter lists every kind."""

KINDS = {
    "petition_transferred": "转送本单位",
    "petition_assigned": "交办本单位",
    "petition_sent_back": "退回",
    "report_returned": "办理报告被退回",
    "reply_returned": "审查退回",
    "petition_collective": "集体访",
    "report_filed": "办结报告待审查",
    "report_approved": "办结报告审查通过",
    "petition_reported_up": "重大紧急事项上报",
    "petition_due_soon": "即将到期",
    "petition_overdue": "已超期",
    "supervision_urged": "催办",
    "supervision_issued": "督办",
    "supervision_escalated": "督办升级",
    "supervision_warning": "督办预警",
    "supervision_feedback": "督办反馈",
    "supervision_reviewed": "督办反馈审核",
    "meeting_invited": "会议邀请",
    "task_assigned": "会议任务",
    "task_overdue": "会议任务超期",
    "meeting_cancelled": "会议取消",
    "task_reported": "会议任务已报告",
    "task_returned": "会议任务被退回",
    "follow_up_due": "回访到期",
    "digest_published": "领导摘报",
    "screening_due": "排查表待报",
    "screening_late": "排查表逾期",
    "screening_submitted": "排查表待签发",
    "screening_filed": "下级排查表已报送",
    "screening_returned": "排查表被退回",
    "screening_accepted": "排查表已接收",
    "info_report_sent": "即时报告",
    "info_report_overdue": "即时报告超时未签收",
    "info_report_progress": "即时报告办理进展",
    "hall_collective": "集体访到大厅",
    "reception_notice": "领导接访提醒",
    "reception_briefing": "领导接访预约名单",
    "reception_published": "领导接访日公布",
    "reception_cancelled": "领导接访日取消",
    "hall_incident": "接待大厅突发情况",
}


def kind_label(code: str) -> str:
    return KINDS.get(code, code)
