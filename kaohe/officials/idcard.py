"""Resident ID numbers (GB 11643-1999): check digit and embedded birth date."""
from __future__ import annotations

import datetime as dt

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def problem(number: str) -> str | None:
    """Return a Chinese description of what is wrong with ``number``, or None."""
    if (len(number) != 18 or not number.isascii() or not number[:17].isdigit()
            or number[17] not in "0123456789X"):
        return "身份证号应为 18 位，前 17 位为数字，末位为数字或 X。"
    if birth_date(number) is None:
        return "身份证号中的出生日期无效。"
    if check_digit(number[:17]) != number[17]:
        return "身份证号校验位不正确，请核对。"
    return None


def birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
