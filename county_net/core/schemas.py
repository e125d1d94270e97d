"""Shared marshmallow pieces."""
from marshmallow import fields

from county_net.core import messages  # noqa: F401  (Chinese messages before any field is built)

from county_net.core.timeutil import to_local


class LocalDateTime(fields.DateTime):
    """Stored in UTC, shown as Asia/Shanghai time with its offset (ISO 8601)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else to_local(value).isoformat(timespec="seconds")


INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class Int(fields.Integer):
    """An integer that fits the database's integer columns (ids, versions, days); larger is a 400, not a 500."""

    def _validated(self, value):
        number = super()._validated(value)
        if number is not None and not INT_MIN <= number <= INT_MAX:
            raise self.make_error("too_large")
        return number

    default_error_messages = {"too_large": "数值超出范围"}


def valid_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= INT_MAX
