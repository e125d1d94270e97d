"""The course of a matter: every state, every action, who may take it and where it leads. The services
consult this table; nothing else decides whether a transition is legal."""
from __future__ import annotations

from dataclasses import dataclass

STATES = {
    "registered": "已登记待处理",
    "returned": "被退回待重新处理",
    "transferred": "已转送待签收",
    "assigned": "已交办待签收",
    "signed": "已签收待受理",
    "handling": "办理中",
    "replied": "已出具处理意见",
    "reported": "办结报告待审查",
    # The third level: a township or bureau hands its matter down to one of its villages or enterprises.
    "sub_assigned": "已交办下级待签收",
    "sub_handling": "下级办理中",
    "sub_reported": "下级办结报告待审查",
    "closed": "已办结",
    "declined": "不予受理",
    "redirected": "已告知其他途径",
    "reexamination": "复查中",
    "final_review": "复核中",
    "concluded": "已终结",
}

OPEN_STATES = frozenset({"registered", "returned", "transferred", "assigned", "signed", "handling", "replied",
                         "reported", "reexamination", "final_review", "sub_assigned", "sub_handling",
                         "sub_reported"})
FINISHED_STATES = frozenset({"closed", "declined", "redirected", "concluded"})

# Who in the matter may act: the unit whose move it is, the lead unit, the sender, the review organ, the owner.
HOLDER, HANDLING, SENDER, REVIEW, OWNER, INVOLVED = "holder", "handling", "sender", "review", "owner", "involved"
CLERK = ("receptionist", "head")
HEAD = ("head",)


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: the state stays
    party: str
    roles: tuple[str, ...] = CLERK


def _a(name, label, sources, target, party, roles=CLERK):
    return Action(name, label, frozenset(sources), target, party, roles)


ACTIONS: dict[str, Action] = {a.name: a for a in (
    _a("transfer", "转送", {"registered", "returned"}, "transferred", HOLDER),
    _a("assign", "交办", {"registered", "returned"}, "assigned", HOLDER),
    _a("redirect", "告知其他途径", {"registered", "returned", "signed"}, "redirected", HOLDER),
    _a("handle_self", "本单位受理办理", {"registered", "returned"}, "handling", HOLDER),
    _a("report_up", "重大紧急事项上报", OPEN_STATES, None, INVOLVED),
    _a("sign_for", "签收", {"transferred", "assigned"}, "signed", HOLDER),
    _a("send_back", "退回", {"transferred", "assigned", "signed"}, "returned", HOLDER),
    _a("accept", "受理", {"signed"}, "handling", HOLDER),
    _a("decline", "不予受理", {"registered", "returned", "signed"}, "declined", HOLDER),
    _a("extend", "延期", {"handling"}, None, HANDLING, HEAD),
    _a("pause", "暂停计时", {"handling", "reexamination", "final_review"}, None, HOLDER),
    _a("resume", "恢复计时", {"handling", "reexamination", "final_review"}, None, HOLDER),
    _a("co_opinion", "协办意见", {"handling"}, None, INVOLVED),
    _a("record_mediation", "记录调解/和解", {"handling"}, None, HANDLING),
    _a("reply", "出具处理意见书", {"handling"}, "replied", HANDLING),
    _a("file_report", "报送办结报告", {"replied"}, "reported", HANDLING),
    _a("approve_report", "审查通过", {"reported"}, "closed", SENDER),
    _a("return_report", "退回重办", {"reported"}, "handling", SENDER),
    _a("close", "办结", {"replied"}, "closed", HANDLING),
    # The handling unit's own loop with its village or enterprise; the holder moves down and back.
    _a("sub_assign", "交办下级", {"handling"}, "sub_assigned", HANDLING),
    _a("sub_sign_for", "签收", {"sub_assigned"}, "sub_handling", HOLDER),
    _a("sub_send_back", "退回", {"sub_assigned"}, "handling", HOLDER),
    _a("sub_file_report", "报送办结报告", {"sub_handling"}, "sub_reported", HOLDER),
    _a("sub_approve_report", "审查通过", {"sub_reported"}, "handling", HANDLING),
    _a("sub_return_report", "退回重办", {"sub_reported"}, "sub_handling", HANDLING),
    _a("request_reexamination", "登记复查申请", {"closed"}, "reexamination", REVIEW),
    _a("decide_reexamination", "出具复查意见", {"reexamination"}, "closed", REVIEW),
    _a("request_final_review", "登记复核申请", {"closed"}, "final_review", REVIEW),
    _a("decide_final_review", "出具复核意见", {"final_review"}, "concluded", REVIEW),
    _a("record_delivery", "登记送达", {"replied", "reported", "closed", "concluded"}, None, INVOLVED),
    _a("follow_up", "回访", {"closed", "concluded"}, None, INVOLVED),
    _a("archive", "立卷归档", {"closed", "concluded", "declined", "redirected"}, None, OWNER),
)}


def available_actions(state: str) -> list[Action]:
    return [a for a in ACTIONS.values() if state in a.sources]


def state_label(state: str) -> str:
    return STATES.get(state, state)
