"""UTC storage, Asia/Shanghai display: the only place that converts."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from county_net.core.models import utcnow

COUNTY_TZ = ZoneInfo("Asia/Shanghai")


def to_local(value: datetime | None) -> datetime | None:
    return value.astimezone(COUNTY_TZ) if value is not None else None


def local_today() -> date:
    return utcnow().astimezone(COUNTY_TZ).date()


def format_local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return to_local(value).strftime(fmt) if value is not None else ""


def cn_date(value: datetime | date | str | None, with_time: bool = False) -> str:
    """A date as written on documents (2026年12月21日), from a datetime (shown in Asia/Shanghai), a date or
    an ISO string (event payloads store dates that way). Blank for nothing."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = to_local(value)
        day = f"{value.year}年{value.month}月{value.day}日"
        return f"{day} {value.hour:02d}时{value.minute:02d}分" if with_time else day
    return f"{value.year}年{value.month}月{value.day}日"
