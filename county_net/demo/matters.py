"""A few demo matters, so that the desk sees a returning petitioner and each inbox has work in it.
Everything goes through the same services as the screens."""
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
    chengguan, qingshi = _unit("339901100000"), _unit("339901101000")
    people = {"li": {"name": "李某华", "id_number": _id(21, "19720315"), "phone": "13905710021",
                     "address": "城关镇河湾村5组"},
              "zhou": {"name": "周某芬", "id_number": _id(22, "19850709"), "phone": "13905710022",
                       "address": "青石镇石坝村2组"},
              "wu": {"name": "吴某", "phone": "13905710023"}}

    def register(person, summary, demands, category, locality, days_ago, **extra):
        return services.register_petition(center, {
            "channel": "visit", "petitioners": [people[person]], "head_count": 1, "category_id": _category(category),
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
    p = register("zhou", "青石镇某纺织公司未为周某芬缴纳2023年至2025年的社会保险。", "要求补缴社会保险。",
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
    return 4
