"""Chinese names for what the audit log stores as codes. Every code passed to `audit.record()` anywhere must
have a label here (tests/audit/test_labels.py reads the source to check)."""
from __future__ import annotations

ACTIONS = {
    "login": "登录",
    "login.failed": "登录失败",
    "login.ceiling_reached": "登录失败次数达到账号上限",
    "logout": "退出登录",
    "session.ended": "登录被结束",
    "session.others_ended": "退出其他设备上的登录",
    "user.created": "新建用户",
    "user.updated": "修改用户",
    "user.enabled": "启用账号",
    "user.disabled": "停用账号",
    "user.password_changed": "修改本人密码",
    "user.password_reset": "重置用户密码",
    "category.saved": "保存事项类别",
    "petitions.rekeyed": "更换个人信息加密密钥",
    "deadlines.import_holidays": "导入节假日安排",
    "tenants.sync": "同步单位网络",
    "demo.users_loaded": "载入演示账号",
    "petition.confidential_registered": "登记检举控告事项",
    "petition.confidential_viewed": "查看检举控告人身份",
    "petitioner.revealed": "查看完整身份证号和电话",
    "petitioner.contact_changed": "更新信访人联系方式",
    "system.restored": "从备份恢复数据库",
    "audit.exported": "导出全部县的审计记录",
    "meeting.convened": "安排会议",
    "meeting.units_invited": "邀请参会单位",
    "meeting.minutes_recorded": "记录会议纪要",
    "meeting.closed": "结束会议",
    "meeting.cancelled": "取消会议",
    "meeting.task_added": "交办会议任务",
    "meeting.task_reported": "报告会议任务完成情况",
    "meeting.task_accepted": "确认会议任务完成",
    "meeting.task_returned": "退回会议任务",
    "supervision.approved": "批准实地督办或联合督办",
    "supervision.cancelled": "撤销督办",
    "digest.published": "生成领导摘报（周报）",
    "info_report.sent": "报送即时报告",
    "info_report.received": "签收即时报告",
    "info_report.assessed": "研判即时报告",
    "info_report.converted": "即时报告转为信访事项",
    "info_report.linked": "即时报告关联信访事项",
    "info_report.closed": "办结即时报告",
    "dispute.escalated": "矛盾纠纷转为信访事项",
    "dispute.linked": "矛盾纠纷关联信访事项",
}

TARGETS = {
    "user": "用户",
    "petition": "信访事项",
    "petitioner": "信访人档案",
    "category": "事项类别",
    "network": "单位网络",
    "meeting": "会议",
    "supervision": "督办",
    "info_report": "即时报告",
    "dispute": "矛盾纠纷",
}

# Keys of the `detail` JSON, as a reader would name them.
DETAIL_KEYS = {
    "username": "用户名",
    "name": "姓名",
    "unit": "单位",
    "roles": "角色",
    "count": "数量",
    "code": "编码",
    "active": "启用",
    "petition": "事项编号",
    "version": "版本",
    "created": "新增",
    "updated": "更新",
    "deactivated": "停用",
    "windows": "窗口变更",
    "reason": "原因",
    "source": "来源",
    "petition_id": "事项",
    "old_phone": "原电话",
    "new_phone": "新电话",
    "address_changed": "住址已改",
    "id_number": "身份证号",
    "off": "放假日期",
    "work": "调休上班日期",
    "replaced": "替换已导入年份",
    "years": "年份",
    "limit": "上限",
    "created_at": "备份时间",
    "audit_head": "审计链恢复到第几条",
    "kind": "类型",
    "title": "名称",
    "due_on": "完成日期",
    "method": "督办方式",
    "late": "逾期签收",
    "level": "风险等级",
}

# Who acted when no user did.
SYSTEM_ACTORS = {"cli": "命令行", "system": "系统"}


def action_label(code: str) -> str:
    return ACTIONS.get(code, code)  # an unknown code still shows, as itself


def target_type_label(kind: str | None) -> str:
    return TARGETS.get(kind or "", kind or "")
