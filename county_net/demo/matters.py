"""A few demo matters, so that the desk sees a returning petitioner, each inbox has work in it and every one of
the ten documents can be opened. Everything goes through the same services as the screens."""
from datetime import timedelta

from sqlalchemy import select

from county_net.accounts.models import User
from county_net.core.models import utcnow
from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.petitions import services
from county_net.petitions.identity import check_digit
from county_net.petitions.models import Category, Petition
from county_net.units.models import Unit


def _id(seq: int, birth: str) -> str:
    first = f"339901{birth}{seq:03d}"
    return first + check_digit(first)


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _unit(code: str) -> int:
    return db.session.scalar(select(Unit.id).where(Unit.code == code))


def _category(name: str) -> int:
    return db.session.scalar(select(Category.id).where(Category.name == name))


def load_demo_matters() -> int:
    """Runs inside system_scope; does nothing when the county already has matters."""
    if db.session.scalar(select(Petition.id).limit(1)) is not None:
        return 0
    center, bureau, township = _user("center_reception"), _user("bureau_reception"), _user("township_reception")
    bureau_head, land = _user("bureau_head"), _user("bureau2_reception")
    chengguan, qingshi = _unit("339901100000"), _unit("339901101000")
    people = {"li": {"name": "李某华", "id_number": _id(21, "19720315"), "phone": "13905710021",
                     "address": "城关镇河湾村5组"},
              "zhou": {"name": "周某芬", "id_number": _id(22, "19850709"), "phone": "13905710022",
                       "address": "青石镇石坝村2组"},
              "wu": {"name": "吴某", "phone": "13905710023"},
              "zheng": {"name": "郑某强", "id_number": _id(24, "19680212"), "phone": "13905710024",
                        "address": "青石镇石坝村6组"},
              "qian": {"name": "钱某兰", "phone": "13905710025", "address": "城关镇南街12号"},
              "sun": {"name": "孙某平", "id_number": _id(26, "19790521"), "phone": "13905710026",
                      "address": "城关镇河湾村3组"},
              "he": {"name": "何某", "phone": "13905710027"}}

    def register(person, summary, demands, category, locality, days_ago, **extra):
        return services.register_petition(center, {
            "petitioners": [people[person]], "head_count": 1, "category_id": _category(category),
            "channel": extra.pop("channel", "visit"),
            "locality_unit_id": locality, "nature": extra.pop("nature", "demand"), "summary": summary,
            "demands": demands, "received_at": utcnow() - timedelta(days=days_ago), **extra})

    # 1. 李某华's earlier matter: assigned to 人社局, answered, reviewed and closed. She will come back.
    p = register("li", "城关镇某建筑公司拖欠李某华2025年在县医院住院楼工地的工资1.86万元，多次讨要未果。",
                 "要求公司支付拖欠工资。", "劳动社保", chengguan, 50)
    p = services.assign_petition(center, p, version=p.version, to_unit_id=bureau.unit_id,
                                 report_due_on=local_today() + timedelta(days=20), note="请依法处理并报结果")
    p = services.sign_for(bureau, p, version=p.version)
    p = services.accept_petition(bureau, p, version=p.version, note="依法受理")
    p = services.reply_petition(bureau, p, version=p.version, outcome="support", request="支付拖欠工资1.86万元",
                                facts="经劳动保障监察调查，该公司确欠李某华工资1.86万元，已责令限期支付。",
                                basis="《保障农民工工资支付条例》第三十条、《劳动保障监察条例》第二十六条")
    p = services.file_report(bureau, p, version=p.version, report="已责令公司支付，信访人已收到首期款项。")
    services.approve_report(center, p, version=p.version, note="处理得当")

    # 2. Transferred to 人社局, waiting to be signed for.
    p = waiting = register("zhou", "青石镇某纺织公司未为周某芬缴纳2023年至2025年的社会保险。", "要求补缴社会保险。",
                 "劳动社保", qingshi, 3)
    services.transfer_petition(center, p, version=p.version, to_unit_id=bureau.unit_id)

    # 3. Transferred to 城关镇, accepted and in handling.
    p = register("wu", "城关镇老街某小区电梯长期停运，物业公司推诿不修。", "要求尽快修复电梯。",
                 "物业管理", chengguan, 10, nature="demand")
    p = services.transfer_petition(center, p, version=p.version, to_unit_id=township.unit_id)
    p = services.sign_for(township, p, version=p.version)
    services.accept_petition(township, p, version=p.version)

    # 4. A fresh registration still to be disposed of at the centre.
    register("wu", "咨询城关镇被征地农民养老保险参保的办理流程和所需材料。", "", "土地征收", chengguan, 1,
             nature="inquiry")

    # 5. A letter to 自然资源局 about a boundary already before the court: 不予受理 (来信登记表, 不予受理告知书).
    p = register("zheng", "来信反映与邻居的宅基地界址纠纷，双方已向县人民法院起诉，要求自然资源局重新划界。",
                 "要求重新划定宅基地界址。", "土地征收", qingshi, 6, channel="letter")
    p = services.transfer_petition(center, p, version=p.version, to_unit_id=land.unit_id)
    p = services.sign_for(land, p, version=p.version)
    services.decline_petition(land, p, version=p.version, ground="statutory_procedure",
                              reason="该纠纷已由县人民法院立案审理，属于应当通过诉讼途径解决的事项",
                              channel="请在县人民法院的诉讼程序中主张权利")

    # 6. A call about a labour contract: the centre tells her where to go (告知单).
    p = register("qian", "来电反映某超市解除劳动合同未支付经济补偿金。", "要求支付经济补偿金。", "劳动社保",
                 chengguan, 2, channel="phone")
    services.redirect_petition(center, p, version=p.version, channel="arbitration",
                               organ="清溪县劳动人事争议仲裁委员会",
                               organ_contact="清溪县人力资源和社会保障局大楼三楼仲裁庭，电话0570-6600123",
                               reason="解除劳动合同的经济补偿争议，依法应当先申请劳动争议仲裁")

    # 7. 人社局 needs more time, approved by its head (延期告知书).
    p = register("he", "某物流公司拖欠何某等十一名司机2026年9月至10月的工资。", "要求支付拖欠工资。", "劳动社保",
                 chengguan, 20)
    p = services.transfer_petition(center, p, version=p.version, to_unit_id=bureau.unit_id)
    p = services.sign_for(bureau, p, version=p.version)
    p = services.accept_petition(bureau, p, version=p.version)
    p = drivers = services.extend_handling(bureau_head, p, version=p.version, days=15, petitioner_told=True,
                                           reason="涉及十一名司机的工资台账核对，需调取银行流水")

    # 8. 城关镇 answered, the petitioner asked for 复查 and then 复核, after a hearing: concluded (终结).
    p = register("sun", "河湾村集体土地征收补偿款分配方案未将孙某平户计入分配人口。", "要求按村民待遇分配征地补偿款。",
                 "土地征收", chengguan, 45)
    p = services.transfer_petition(center, p, version=p.version, to_unit_id=township.unit_id)
    p = services.sign_for(township, p, version=p.version)
    p = services.accept_petition(township, p, version=p.version)
    p = services.reply_petition(township, p, version=p.version, outcome="not_support",
                                request="按村民待遇分配征地补偿款",
                                facts="经查，孙某平户户籍于2019年迁出河湾村，分配方案经村民代表会议通过。",
                                basis="《中华人民共和国村民委员会组织法》第二十四条")
    p = services.close_petition(township, p, version=p.version, satisfaction="unsatisfied")
    p = services.request_reexamination(center, p, version=p.version, note="信访人不服处理意见，请求复查")
    p = services.decide_reexamination(center, p, version=p.version, result="uphold",
                                      opinion="原处理意见认定事实清楚，适用依据正确，予以维持。")
    p = services.request_final_review(center, p, version=p.version, note="信访人不服复查意见，请求复核")
    services.decide_final_review(center, p, version=p.version, result="uphold", hearing_held=True,
                                 opinion="经听证，复查意见认定事实清楚，程序合法，予以维持。")
    _supervision_and_meeting(waiting, drivers, center, bureau, township)
    return 8


def _supervision_and_meeting(waiting, drivers, center, bureau, township) -> None:
    """The county center's day: a written 督办 to 人社局 on the matter it has not signed for, and a
    coordination meeting on the drivers' wages with 人社局 and 城关镇 invited (each told in its inbox)."""
    from county_net.coordination.services import convene
    from county_net.supervision.services import issue_supervision

    issue_supervision(_user("center_head"), petition_ids=[waiting.id], target_unit_id=bureau.unit_id,
                      level="normal", method="document", problem="not_signed",
                      content="该事项转送后未按期签收，请立即签收并依法办理。",
                      required_action="请单位主要负责人督促签收办理，并书面反馈办理情况。",
                      feedback_due_on=local_today() + timedelta(days=7))
    convene(center, {"kind": "coordination", "title": "某物流公司拖欠司机工资问题协调会",
                     "starts_at": utcnow() + timedelta(days=2), "place": "县联合接待中心听证协调室",
                     "petition_ids": [drivers.id], "invited_unit_ids": [bureau.unit_id, township.unit_id],
                     "topics": "核对工资台账，明确垫付与追偿责任"})
