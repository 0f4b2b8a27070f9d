"""Template filters for numbers and dates as people read them (:mod:`zhujian.web.numbers`)
and the period picker's choices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

from zhujian.web import numbers

register = template.Library()


@register.filter
def num(value: Any, decimals: Any = None) -> str:
    """``{{ x|num }}``: 12,345; 0 stays 0; empty is "—". ``{{ x|num:1 }}``: one decimal."""
    try:
        places = int(decimals) if decimals not in (None, "") else None
    except (TypeError, ValueError):
        places = None
    return numbers.number(value, places)


@register.filter
def cell(value: Any) -> Any:
    """A record's field as a list or record page shows it: "—" when empty, 0 as 0, dates
    with the year, amounts grouped by thousands. Whole numbers under 10,000 stay ungrouped
    (a year, a house number)."""
    if value is None or value == "":
        return numbers.EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{numbers.day(local)} {local:%H:%M}"
    if isinstance(value, dt.date):
        return numbers.day(value)
    if isinstance(value, int) and abs(value) < 10000:
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return numbers.number(value)
    return value


@register.filter
def wan(value: Any) -> str:
    """``{{ amount|wan }}``: an amount in 元 as "1,234.57万元" (or "980元" below 万)."""
    text, unit = numbers.money(value)
    return f"{text}{unit}"


@register.filter
def ymd(value: dt.date | None) -> str:
    return numbers.day(value)


@register.filter
def ym(value: dt.date | None) -> str:
    return numbers.month(value)


@register.simple_tag
def period_choices(first_year: int = 2020) -> list[tuple[str, list[str]]]:
    """The period picker's groups: each year with its halves, quarters and months, as
    people write them (the parser reads them back), newest year first."""
    out = []
    for year in range(dt.date.today().year, first_year - 1, -1):
        items = [f"{year}年", f"{year}年上半年", f"{year}年下半年"]
        items += [f"{year}年第{q}季度" for q in "一二三四"]
        items += [f"{year}年{m}月" for m in range(1, 13)]
        out.append((f"{year}年", items))
    return out
