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
