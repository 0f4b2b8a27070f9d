"""Template filters for numbers and dates as people read them (:mod:`zhujian.web.numbers`)
and the period picker's choices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

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
