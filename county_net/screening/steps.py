"""The steps of a sheet: slug → input schema, the one service call, what to tell the user, the API's summary.
The web forms (views.act) and the JSON endpoints (api) both read this table."""
from dataclasses import dataclass
from typing import Callable

from county_net.screening import schemas as s
from county_net.screening import services


@dataclass(frozen=True)
class Step:
    schema: type
    call: Callable
    done: str
    doc: str


STEPS = {
    "nil": Step(s.SheetNilSchema, lambda me, r, b: services.set_nil(me, r, b["version"], b["is_nil"], b["note"]),
                "已保存", "零报告：本期无矛盾纠纷（仍须一把手签发）；is_nil=false 取消。"),
    "submit": Step(s.SheetVersionSchema, lambda me, r, b: services.submit(me, r, b["version"]), "已提交一把手签发",
                   "信息员提交本单位一把手签发。"),
    "sign": Step(s.SheetNoteSchema, lambda me, r, b: services.sign(me, r, b["version"], b["note"]),
                 "已签发，报送上级单位", "一把手签发，报送上级单位；截止日后签发的照常报送并标记“过期录入”。"),
    "return": Step(s.SheetReturnSchema, lambda me, r, b: services.return_sheet(me, r, b["version"], b["note"]),
                   "已退回", "退回修改：一把手退回待签发的表，或上级单位退回已报送的表（须写意见）。"),
    "accept": Step(s.SheetNoteSchema, lambda me, r, b: services.accept(me, r, b["version"], b["note"]), "已接收",
                   "上级单位接收；接收后锁定，只能更正为新版本。"),
    "correct": Step(s.SheetCorrectSchema, lambda me, r, b: services.correct(me, r, b["version"], b["note"]),
                    "已生成更正版本", "更正已接收的表：生成新版本草稿（原版本保留可查，新版本签发前原版本仍计入汇总）。"),
}
