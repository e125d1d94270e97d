"""Shared marshmallow pieces."""
from marshmallow import fields

from county_net.core.timeutil import to_local


class LocalDateTime(fields.DateTime):
    """Stored in UTC, shown as Asia/Shanghai time with its offset (ISO 8601)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else to_local(value).isoformat(timespec="seconds")
