"""What a petition's text says, read for comparison: words (jieba), amounts with their units (digits or Chinese
numerals), the named things it is about (estate, company, school, village, road, project) and the people it
names. Pure functions, no database: the index and the scorer both call `read`."""
from __future__ import annotations

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass, field

READER_VERSION = 1  # stored readings of an older reader are read again (flask repeats reindex)
_jieba = None
_jieba_lock = threading.Lock()

# Suffixes that make a word the name of a thing a matter is about, by kind. A shared estate or company says
# "the same matter"; two different ones of the same kind say "another matter".
OBJECT_SUFFIXES = {
    "estate": ("小区", "花园", "华庭", "华府", "公寓", "家园", "新村", "名苑", "雅苑", "苑", "府", "城", "大厦", "广场", "楼盘"),
    "company": ("有限责任公司", "有限公司", "公司", "集团", "厂", "合作社", "酒店", "超市", "商场", "物流", "驾校", "银行",
                "加工厂", "养殖场", "砖厂", "煤矿", "矿", "建筑", "建工", "置业", "地产", "实业"),
    "school": ("幼儿园", "小学", "中学", "学校", "学院", "职校", "培训中心"),
    "hospital": ("医院", "卫生院", "诊所", "卫生室"),
    "village": ("村", "社区", "居委会"),
    "road": ("路", "街", "大道", "大桥", "桥", "隧道", "公路", "巷", "县道", "国道", "省道", "乡道", "村道"),
    "project": ("项目", "工程", "工地", "园区", "物流园", "产业园", "工业园", "中转站", "水库", "电站", "市场", "片区",
                "棚改", "码头", "站"),
}
_SUFFIX_KIND = sorted(((s, k) for k, ss in OBJECT_SUFFIXES.items() for s in ss), key=lambda x: -len(x[0]))
# Words that qualify a name without telling one thing from another ("宏达建筑工程有限公司" is "宏达").
_GENERIC = {"建筑", "工程", "建设", "建工", "开发", "房地产", "地产", "置业", "实业", "科技", "贸易", "商贸", "有限", "责任",
            "股份", "发展", "投资", "服务", "管理", "物业", "劳务", "新能源", "环保", "材料", "食品", "服装", "纺织",
            "机械", "电子", "家具", "陶瓷", "化工", "生物", "农业", "工业", "中心", "人民", "实验", "县城", "县", "镇", "乡", "市", "区", "新", "老", "第一"}
# Function words and the petition's own boilerplate: no weight as words (IDF would learn it, slowly).
STOPWORDS = set("""的 了 和 与 及 在 是 其 被 把 对 向 从 为 给 让 也 又 还 就 都 而 但 并 且 或 等 着 过 这 那 该 此 之 于 以 所
我 你 他 她 它 们 我们 他们 她们 你们 自己 本人 家里 大家 这个 那个 这些 那些 什么 怎么 没有 没 不 未 无 有 要 想 能 会 可 可以 已 已经
反映 来访 来信 来电 来 再次 又来 上次 之前 此前 以前 多次 一直 至今 仍 仍未 仍然 还是 现在 目前 当时 后来 今年 去年 前年 半年
要求 请求 希望 恳请 请 帮 帮忙 帮助 尽快 问题 解决 处理 落实 情况 有关 相关 部门 有关部门 相关部门 政府 领导 答复 说法 结果
称 说 讲 表示 认为 说是 一个 一些 左右 约 大约 多 余 共 共计 合计 总共 以上 个 次 件 份 些 起""".split())
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
             "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安"
             "齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛"
             "靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
             "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
# A private person as registers write them: surname + 某 + one character or 某某 (王某兵, 陈某某).
_MASKED_NAME = re.compile(f"([{_SURNAMES}])某([\u4e00-\u9fff])")
_RELATIVES = ("父亲", "母亲", "爸爸", "妈妈", "老父亲", "老母亲", "爷爷", "奶奶", "丈夫", "妻子", "老公", "老婆", "爱人",
              "儿子", "女儿", "哥哥", "弟弟", "姐姐", "妹妹", "岳父", "岳母", "公公", "婆婆", "女婿", "儿媳", "亲属", "家属")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}  # and the banks' forms
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_NUM_CHARS = "0-9.零〇一二两俩三四五六七八九壹贰叁肆伍陆柒捌玖十拾百佰千仟万萬亿"
# An amount: a run of digits or numerals with its unit. Chinese numerals count only with a unit after them, so
# that 一直, 十分 and 万一 are not read as numbers.
_AMOUNT = re.compile(
    f"([{_NUM_CHARS}]+)(多|余|来)?"
    "(万元|万块|元钱|元|块钱|块|毛钱|毛|角|亩|平方米|平米|平方|㎡|m2|个月|月|年|周岁|岁|人|名|户|天|日|间|套|层|号楼|号|栋|米|公里|吨|头|棵|株)?"
    "([0-9一二两三四五六七八九]?)")
_YI_WORDS = set("直起样般定些切次共旦再下边时致律向度概半家户人")
_YEAR = re.compile(r"((?:19|20)\d{2})年")
_CN_YEAR = re.compile("([零〇一二三四五六七八九]{4})年")
_SPACE = re.compile(r"\s+")


@dataclass
class Reading:
    """What one text says."""
    words: list[str] = field(default_factory=list)  # content words, in order, repeats kept
    amounts: dict[str, set[float]] = field(default_factory=dict)  # kind -> values (money in yuan, area in 亩 …)
    objects: dict[str, str] = field(default_factory=dict)  # object key -> kind ("宏达" -> "company")
    names: set[str] = field(default_factory=set)  # people named in the text, as 王某兵
    relative_named: bool = False  # "我父亲王某兵 …": the text is told for someone else

    @property
    def word_set(self) -> set[str]:
        return set(self.words)


def _segmenter():
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                # Split the suffixes off, so that "小区业主" is an estate and its owners, not one word.
                for word in ("小区", "业主", "开发商", "有限公司", "物业公司", "农民工", "包工头", "补偿款", "安置房",
                             "低保", "养老保险", "医保", "社保", "工伤", "欠薪"):
                    tokenizer.add_word(word, freq=200000)
                for word in ("小区业主", "年县", "千多", "万多"):
                    tokenizer.del_word(word)
                _jieba = tokenizer
    return _jieba


_posseg = None


def _tagger():
    """Words with their parts of speech: the named things are the nouns before a suffix."""
    global _posseg
    if _posseg is None:
        tokenizer = _segmenter()
        with _jieba_lock:
            if _posseg is None:
                import jieba.posseg

                _posseg = jieba.posseg.POSTokenizer(tokenizer)
    return _posseg


def warm_up() -> None:
    """Load the dictionary now (about a second), not on a clerk's first keystroke."""
    _segmenter()


def cn_number(text: str) -> float | None:
    """二十五 -> 25, 四十一万六千 -> 416000, 两万七 -> 27000 (a bare digit after the last unit is one unit lower,
    as people say it), 1.2万 -> 12000, 2万8千 -> 28000, 二〇二三 -> 2023. None when it is not a number."""
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    if all(c in "零〇一二三四五六七八九" for c in text) and len(text) >= 2:
        return float("".join(str(_CN_DIGITS[c]) for c in text))  # read digit by digit: 二〇二三
    total = 0.0
    section = 0.0  # below 万
    number = None  # the pending digit(s)
    last_unit = None
    i = 0
    while i < len(text):
        c = text[i]
        if c.isdigit() or c == ".":
            j = i
            while j < len(text) and (text[j].isdigit() or text[j] == "."):
                j += 1
            try:
                number = float(text[i:j])
            except ValueError:
                return None
            i = j
            continue
        if c in _CN_DIGITS:
            number = (number or 0) * 10 + _CN_DIGITS[c] if number is not None and c in "零〇" else _CN_DIGITS[c]
        elif c in _CN_UNITS:
            section += (number if number is not None else 1) * _CN_UNITS[c]
            number, last_unit = None, _CN_UNITS[c]
        elif c in "万萬亿":
            big = 100000000 if c == "亿" else 10000
            total += (section + (number or 0)) * big
            section, number, last_unit = 0.0, None, big
        else:
            return None
        i += 1
    if number is not None:
        # 两万七 = 27000, 三千五 = 3500: a lone digit right after a unit is one unit lower, as people say it.
        if last_unit and last_unit >= 100 and number < 10 and len(text) >= 2 and text[-2] in "百佰千仟万萬亿":
            number *= last_unit / 10
        section += number
    return total + section


_MONEY_UNITS = {"万元": 10000, "万块": 10000, "元钱": 1, "元": 1, "块钱": 1, "块": 1, "毛钱": 0.1, "毛": 0.1, "角": 0.1}
_AREA_UNITS = {"亩": ("area_mu", 1), "平方米": ("area_m2", 1), "平米": ("area_m2", 1), "平方": ("area_m2", 1),
               "㎡": ("area_m2", 1), "m2": ("area_m2", 1)}
_COUNT_UNITS = {"人": "people", "名": "people", "户": "households", "个月": "months", "天": "days", "日": "days",
                "间": "rooms", "套": "flats", "栋": "buildings", "号楼": "buildings", "吨": "tons", "头": "head",
                "棵": "trees", "株": "trees", "米": "metres", "公里": "km", "层": "floors"}


def _amounts(text: str) -> tuple[dict[str, set[float]], str]:
    """Amounts by kind, and the text with them taken out (so that they are not also read as words)."""
    found: dict[str, set[float]] = {}
    for m in _YEAR.finditer(text):
        found.setdefault("year", set()).add(float(m.group(1)))
    for m in _CN_YEAR.finditer(text):
        value = cn_number(m.group(1))
        if value and 1950 <= value <= 2100:
            found.setdefault("year", set()).add(value)
    kept = []
    last = 0
    for m in _AMOUNT.finditer(text):
        raw, unit, tail = m.group(1), m.group(3), m.group(4)  # group 2: 多/余/来, an approximate figure
        if raw.endswith("一") and len(raw) > 1 and text[m.start() + len(raw):][:1] in _YI_WORDS:
            raw = raw[:-1]  # 六十万一直没给: the 一 begins 一直
            unit = tail = None
        has_digit = any(c.isdigit() for c in raw)
        if not raw or raw == "." or (not has_digit and not unit and not (raw.endswith("万") and len(raw) >= 2
                                                                        and raw[-2] not in "千万")):
            continue
        value = cn_number(raw)
        if value is None:
            continue
        kind = None
        if unit in _MONEY_UNITS:
            value *= _MONEY_UNITS[unit]
            if tail and unit in ("块", "块钱"):
                value += (cn_number(tail) or 0) * 0.1  # 三块五 = 3.5 元
            elif tail and unit in ("毛", "角"):
                value += (cn_number(tail) or 0) * 0.01
            kind = "money"
        elif unit in _AREA_UNITS:
            kind, factor = _AREA_UNITS[unit]
            value *= factor
        elif unit in _COUNT_UNITS:
            kind = _COUNT_UNITS[unit]
        elif unit in ("年", "月", "号", "岁", "周岁"):
            kind = None  # dates and ages: read by _YEAR or left alone
        elif unit is None and ("万" in raw or has_digit):
            # "41.6万" with no unit after it is money in a petition; a bare figure is a number of something.
            kind = "money" if raw.endswith("万") or raw.endswith("千") else "number"
        if kind is None:
            continue
        if kind == "number" and value < 10:
            continue  # 3组, 2号: part of a name, not a fact to compare
        found.setdefault(kind, set()).add(round(value, 2))
        kept.append(text[last:m.start()])
        kept.append(" ")
        last = m.end()
    kept.append(text[last:])
    return found, "".join(kept)


def mask_name(name: str) -> str | None:
    """王建兵 -> 王某兵, 王某兵 -> 王某兵, 王兵 -> 王某: the form registers write, for comparing names."""
    name = (name or "").strip()
    if len(name) < 2 or not all("\u4e00" <= c <= "\u9fff" for c in name):
        return None
    if len(name) == 2:
        return name[0] + "某" if name[1] != "某" else name
    return name[0] + "某" + name[-1]


_NOUNISH = ("n", "nr", "ns", "nt", "nz", "nrt", "nrfg", "j", "l", "eng", "an", "vn", "i", "g")
_GENERIC_PARTS = sorted(_GENERIC, key=len, reverse=True)
_NOT_A_NAME = set("一二三四五六七八九十两几这那每各该本此某其上下前后左右")
_SUFFIX_WORDS = {s for s, _ in _SUFFIX_KIND}
_NOT_NAMES = {"无证", "违章", "违法", "临时", "附属", "公共", "商品", "自建", "危房", "农村", "城镇", "房屋"}
_SUFFIX_RE = re.compile("|".join(re.escape(s) for s, _ in _SUFFIX_KIND))


def _objects(tokens: list[tuple[str, str]]) -> dict[str, str]:
    """Named things: a suffix of OBJECT_SUFFIXES with the noun words right before it (up to eight characters),
    keyed by what is left without generic words and the suffix ("锦绣华庭小区" -> "锦绣华庭", "宏达建筑工程有限
    公司" -> "宏达"), so that a short and a long form of one name meet. A bare "学校" or "医院" names nothing."""
    text = "".join(w for w, _ in tokens)
    starts, pos = [], 0
    for word, _ in tokens:
        starts.append(pos)
        pos += len(word)
    found: dict[str, str] = {}
    phrase_start = len(text) + 1
    for m in reversed(list(_SUFFIX_RE.finditer(text))):  # right to left: a phrase's inner suffixes are skipped
        if m.start() >= phrase_start:
            continue
        kind = dict(_SUFFIX_KIND)[m.group(0)]
        # the token holding the suffix's first character
        index = max(i for i, st in enumerate(starts) if st <= m.start())
        start = starts[index]
        place = ""
        i = index - 1
        while i >= 0:
            word, flag = tokens[i]
            if (flag not in _NOUNISH and not flag.startswith("n")) or word in STOPWORDS \
                    or (not _is_han(word) and flag != "eng") or m.end() - starts[i] > 10 or word in _SUFFIX_WORDS:
                break  # a verb, a function word, or the end of another named thing (翠湖湾小区|物业公司)
            if word[-1] in "县镇乡市省":
                # A township opens the phrase; it names the thing only when nothing else does (白沙镇中心小学).
                place = word if len(word) > 1 or i == 0 else tokens[i - 1][0] + word
                break
            start = starts[i]
            i -= 1
        phrase = text[start:m.end()]
        phrase_start = start
        core = phrase[: -len(m.group(0))]
        for part in _GENERIC_PARTS:
            core = core.replace(part, "")
        core = core.strip("的之")
        stripped = True
        while stripped:  # 锦绣华庭小区 and 锦绣华庭 are one estate: 锦绣
            stripped = False
            for suffix, _ in _SUFFIX_KIND:
                if core.endswith(suffix) and len(core) - len(suffix) >= 2:
                    core, stripped = core[: -len(suffix)], True
                    break
        if len(core) < 2 and place:
            core = place.rstrip("县镇乡市省") + core
        if len(core) < 2 and kind in ("hospital", "school", "road") and len(phrase) - len(m.group(0)) >= 2:
            core = phrase  # 县人民医院: a one-of-a-kind place in the county
        if len(core) < 2 or core[0] in _NOT_A_NAME or core in _NOT_NAMES:
            continue  # "学校", "县医院", "有限公司", "一段路": no name
        found.setdefault(core, kind)
    return found


def _is_han(word: str) -> bool:
    return bool(word) and all("\u4e00" <= c <= "\u9fff" for c in word)


@functools.lru_cache(maxsize=8192)
def _tokens(plain: str) -> tuple[tuple[str, str], ...]:
    # Texts that differ only in their figures segment alike once the amounts are out: a rebuild or the
    # benchmark generator reads many of them.
    return tuple((w.strip(), f) for w, f in _tagger().lcut(plain, HMM=True) if w.strip())


def read(text: str) -> Reading:
    text = unicodedata.normalize("NFKC", text or "")
    text = _SPACE.sub(" ", text)
    names = {m.group(0) if m.group(2) != "某" else m.group(1) + "某某" for m in _MASKED_NAME.finditer(text)}
    relative_named = any(r + n in text or r + "是" + n in text for r in _RELATIVES for n in names)
    plain = _MASKED_NAME.sub(" ", text)
    amounts, plain = _amounts(plain)
    tokens = list(_tokens(plain))
    words = [w for w, _ in tokens if len(w) >= 2 and _is_han(w) and w not in STOPWORDS]
    return Reading(words=words, amounts=amounts, objects=_objects(tokens), names=names,
                   relative_named=relative_named)

