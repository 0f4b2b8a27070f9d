"""How pages write numbers and dates for people (not for reports or files).

- An empty value (never recorded) is "—"; zero is "0": the two mean different things.
- Thousands are grouped (12,345), decimals kept as the figure declares.
- Amounts in 元 of ten thousand or more read in 万元 where the seed does (the leaders'
  pages); a page that needs the exact 元 asks for them.
- Dates carry the year (2022年6月30日); months read 2022年6月.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

EMPTY = "—"


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def number(value: Any, decimals: int | None = None) -> str:
    """``value`` grouped by thousands; "—" for an empty value, "0" for zero; text that is
    not a number comes back as it was."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    found = _decimal(value)
    if found is None:
        return str(value)
    if not found.is_finite():
        return EMPTY
    if decimals is not None:
        found = found.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        return f"{found:,.{decimals}f}"
    if found == found.to_integral_value():
        return f"{int(found):,}"
    return f"{found.normalize():,f}"


def money(value: Any, unit: str = "元", decimals: int = 2) -> tuple[str, str]:
    """(text, unit) of an amount: 万元 from ten thousand 元 on, else 元."""
    found = _decimal(value)
    if found is None:
        return EMPTY, ""
    if unit == "元" and abs(found) >= 10000:
        return number(found / 10000, decimals), "万元"
    return number(found, decimals if found != found.to_integral_value() else None), unit


def day(value: dt.date | dt.datetime | None) -> str:
    """2022年6月30日; "—" when there is no date."""
    if value is None:
        return EMPTY
    return f"{value.year}年{value.month}月{value.day}日"


def month(value: dt.date | None) -> str:
    """2022年6月; "—" when there is no month."""
    if value is None:
        return EMPTY
    return f"{value.year}年{value.month}月"
