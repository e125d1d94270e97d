"""Shared marshmallow pieces: every limit the server enforces is a validator here, so the OpenAPI document
(built from the same fields) states it."""
from datetime import date, timedelta

from marshmallow import ValidationError, fields, validate

from county_net.core import messages  # noqa: F401  (Chinese messages before any field is built)
from county_net.core.text import LINE, NAME, TEXT, TextRule, pattern
from county_net.core.timeutil import COUNTY_TZ, local_today, to_local


class LocalDateTime(fields.DateTime):
    """Stored in UTC, shown as Asia/Shanghai time with its offset (ISO 8601)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else to_local(value).isoformat(timespec="seconds")


INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class Int(fields.Integer):
    """An integer that fits the database's integer columns (ids, versions, days). Strict by default: a JSON
    1.5 or "3" is refused, never rounded. Query strings are text, so their schemas pass `strict=False`."""

    default_error_messages = {"too_large": "数值超出范围"}

    def __init__(self, *, strict: bool = True, **kwargs):
        rules = kwargs.pop("validate", None)
        rules = [] if rules is None else list(rules) if isinstance(rules, (list, tuple)) else [rules]
        # The column's range, stated in the document too (a tighter Range given by the caller wins there).
        super().__init__(strict=strict, validate=[validate.Range(INT_MIN, INT_MAX), *rules], **kwargs)

    def _validated(self, value):
        number = super()._validated(value)
        if number is not None and not INT_MIN <= number <= INT_MAX:
            raise self.make_error("too_large")
        return number


def Id(**kwargs) -> Int:
    """A row id: a positive integer of the id column's range."""
    return Int(validate=validate.Range(1, INT_MAX), **kwargs)


def Version(**kwargs) -> Int:
    kwargs.setdefault("metadata", {"description": "乐观锁：客户端看到的版本"})
    return Int(validate=validate.Range(1, INT_MAX), **kwargs)


def valid_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= INT_MAX


# ---- text ------------------------------------------------------------------------------------------

_RULE_NOTES = {
    NAME: "单行；不得含控制字符、零宽字符或改变文字方向的字符；须有可见文字",
    LINE: "单行；不得含控制字符、零宽字符或改变文字方向的字符",
    TEXT: "可多行；不得含其他控制字符或改变文字方向的字符；填写的须有可见文字",
}


def _text(kind: str, max_len: int, min_len: int | None, kwargs: dict) -> fields.String:
    metadata = dict(kwargs.pop("metadata", {}) or {})
    note = _RULE_NOTES[kind]
    metadata["description"] = f"{metadata['description']}（{note}）" if metadata.get("description") else note
    metadata.setdefault("pattern", pattern(kind, visible=bool(min_len)))
    length = validate.Length(min=min_len, max=max_len)
    return fields.String(validate=[length, TextRule(kind)], metadata=metadata, **kwargs)


def Name(max_len: int = 60, min_len: int = 1, **kwargs) -> fields.String:
    """A person's, unit's or category's name."""
    return _text(NAME, max_len, min_len, kwargs)


def Line(max_len: int, min_len: int | None = None, **kwargs) -> fields.String:
    return _text(LINE, max_len, min_len, kwargs)


def Text(max_len: int = 4000, min_len: int | None = None, **kwargs) -> fields.String:
    return _text(TEXT, max_len, min_len, kwargs)


# ---- dates -------------------------------------------------------------------------------------------

# Any date the service reads lies in this span: a typed year 0001 or 9999 is a slip of the keyboard, and
# converting such a day to UTC or adding a day to it would overflow.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def _span_note(description: str | None, note: str) -> dict:
    return {"description": f"{description}（{note}）" if description else note}


class Date(fields.Date):
    """A calendar date between 2000-01-01 and 2099-12-31."""

    def __init__(self, *, span: str | None = None, **kwargs):
        metadata = kwargs.pop("metadata", {}) or {}
        note = span or f"{EARLIEST.isoformat()} 至 {LATEST.isoformat()}"
        super().__init__(metadata={**metadata, **_span_note(metadata.get("description"), note)}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST <= day <= LATEST:
            raise ValidationError(f"日期须在 {EARLIEST.isoformat()} 至 {LATEST.isoformat()} 之间")
        return day


class DayWithin(Date):
    """An input sanity bound, not a legal window (those come from county_net/deadlines): a day counted in plain
    calendar days from today in Asia/Shanghai, at most `past_days` back (negative: that many days ahead at
    the earliest; None: no nearer bound than 2000-01-01) and at most `future_days` ahead (None: 2099-12-31)."""

    def __init__(self, *, past_days: int | None, future_days: int | None, **kwargs):
        self.past_days, self.future_days = past_days, future_days
        super().__init__(span=self._note(), **kwargs)

    def _earliest_rule(self) -> str:
        n = self.past_days
        return {0: "不能早于今天", -1: "须在今天之后"}.get(n, f"不能早于 {n} 日前" if n > 0 else f"不能早于 {-n} 日后")

    def _latest_rule(self) -> str:
        return "不能晚于今天" if self.future_days == 0 else f"不能晚于 {self.future_days} 日后"

    def _note(self) -> str:
        parts = [self._earliest_rule()] if self.past_days is not None else []
        parts += [self._latest_rule()] if self.future_days is not None else []
        return "按北京时间" + "，".join(parts)

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        today = local_today()
        if self.past_days is not None and day < today - timedelta(days=self.past_days):
            raise ValidationError(f"日期{self._earliest_rule()}")
        if self.future_days is not None and day > today + timedelta(days=self.future_days):
            raise ValidationError(f"日期{self._latest_rule()}")
        return day


# 收件时间: a letter or visit of the last three years. Registration is due within days of receipt; three
# years covers any backlog a desk may still enter (and the whole 复查/复核 course), while a mistyped year
# (0001, 1026, 2206) is refused. The upper bound is "now": the service refuses a time still to come.
RECEIVED_MAX_AGE_DAYS = 3 * 366


class ReceivedAt(fields.AwareDateTime):
    def __init__(self, **kwargs):
        metadata = kwargs.pop("metadata", {}) or {}
        super().__init__(default_timezone=None, metadata={
            **metadata, **_span_note(metadata.get("description"), "须带时区；不晚于现在，不早于三年前")}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        earliest = local_today() - timedelta(days=RECEIVED_MAX_AGE_DAYS)
        try:
            day = moment.astimezone(COUNTY_TZ).date()
        except (OverflowError, ValueError):
            raise ValidationError("收件时间无效") from None
        if day < earliest:
            raise ValidationError(f"收件时间不能早于 {earliest.isoformat()}（三年以内）")
        # A day's slack for clocks: the service itself refuses the moment still to come.
        if day > local_today() + timedelta(days=1):
            raise ValidationError("收件时间不能晚于现在")
        return moment
