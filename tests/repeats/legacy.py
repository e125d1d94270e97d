"""The detector before issue 13, kept here only to show what each hard kind of pair did to it: every earlier
matter of the same petitioner was proposed, and otherwise a matter of the same township and category within 90
days whose character bigrams overlapped enough (Dice and overlap, plus shared digits)."""
from __future__ import annotations

import re

_DROP = re.compile(r"[\s，。、；：！？“”‘’（）()《》〈〉【】\[\],.;:!?\"'…—\-]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_COMMON = ("要求", "反映", "问题", "解决", "希望", "请求", "政府", "有关部门", "相关部门", "至今", "没有", "一直",
           "我们", "本人", "他们", "已经", "仍未", "情况", "处理", "落实", "给予", "上次", "再次", "还是")
THRESHOLD = 0.20
WINDOW_DAYS = 90


def _bigrams(text: str) -> set[str]:
    text = _DROP.sub("", text or "")
    for word in _COMMON:
        text = text.replace(word, "")
    return {text[i:i + 2] for i in range(len(text) - 1)} if len(text) > 1 else ({text} if text else set())


def similarity(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    shared = len(x & y)
    score = 0.5 * (2 * shared / (len(x) + len(y))) + 0.5 * shared / min(len(x), len(y))
    numbers_a, numbers_b = set(_NUMBER.findall(a or "")), set(_NUMBER.findall(b or ""))
    if numbers_a and numbers_b:
        score += 0.15 * len(numbers_a & numbers_b) / min(len(numbers_a), len(numbers_b))
    return min(score, 1.0)


def proposed(pair: dict) -> bool:
    """Would the old detector have proposed a as a repeat of b?"""
    if pair.get("same_person"):
        return True
    return (pair["locality_a"] == pair["locality_b"] and bool(pair["locality_a"])
            and pair["category_a"] == pair["category_b"] and pair["gap_days"] <= WINDOW_DAYS
            and similarity(pair["b"], pair["a"]) >= THRESHOLD)
