"""ID numbers (GB 11643, ISO 7064 MOD 11-2) and phone numbers: validation and masking."""
from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalise_id(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def looks_like_id(value: str) -> bool:
    """Shaped like an 18-character ID number (checksum not checked): a search term meant as one."""
    return bool(_ID_RE.match(normalise_id(value)))


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def id_number_problem(value: str) -> str | None:
    """None when valid, else a message for the form."""
    value = normalise_id(value)
    if not _ID_RE.match(value):
        return "身份证号须为 18 位（最后一位可为 X）"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    if check_digit(value[:17]) != value[17]:
        return "身份证号校验位不正确"
    return None


def mask_id(value: str) -> str:
    value = normalise_id(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", value or "")


def phone_problem(value: str) -> str | None:
    value = normalise_phone(value)
    if _MOBILE_RE.match(value) or _LANDLINE_RE.match(value):
        return None
    return "电话须为 11 位手机号或带区号的固定电话"


def mask_phone(value: str) -> str:
    digits = normalise_phone(value)
    if len(digits) <= 4:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:] if len(digits) >= 8 else "*" * (len(digits) - 4) + digits[-4:]
