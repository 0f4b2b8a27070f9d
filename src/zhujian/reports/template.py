"""Report template language: the seed's text with each ``*`` replaced by a reference.

``{{ gas.hazards_found }}``            a figure's value
``{{ party.kickoff_date|month }}``     a date figure's month (also ``day``, ``md`` = 5月20日, ``year``)
``{{ realestate.sales_yoy|abs }}``     the absolute value (for 同比下降 3.2%)
``{{ realestate.sales_yoy|sign:下降:增长 }}``  a word chosen by the sign (negative : otherwise)
``{{ x|fixed:1 }}``                    fixed decimals
``{{ ?说明 }}``                         a mark with no source yet: renders 【缺】
``{{ =year }}``                        the report period's year (not a mark: the seed prints 2022)

Every ``{{ }}`` except ``sign`` stands for one ``*`` of the seed; ``sign`` reproduces the
seed's own words (同比下降) and so is not a mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from zhujian.figures import catalog
from zhujian.figures.catalog import FigureValue, format_number, format_value

REF = re.compile(r"\{\{\s*(\?[^}]*?|=?[\w.@-]+)((?:\|[\w]+(?::[^|}\s]+)*)*)\s*\}\}")


class TemplateError(ValueError):
    pass


@dataclass
class Ref:
    figure_id: str | None  # None: a missing mark or a period variable
    filters: list[tuple[str, list[str]]]
    note: str = ""
    raw: str = ""

    variable: str = ""  # "year": a word of the report's period, not a mark

    @property
    def is_mark(self) -> bool:
        return not self.variable and not any(name == "sign" for name, _ in self.filters)


@dataclass
class Fragment:
    """A run of a rendered line: plain text, or a figure's value with where it came from."""

    text: str
    figure_id: str | None = None
    value: Any = None
    missing: bool = False
    is_mark: bool = False
    note: str = ""


@dataclass
class Line:
    fragments: list[Fragment] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(f.text for f in self.fragments)


def parse_ref(match: re.Match[str]) -> Ref:
    target, filter_text = match[1].strip(), match[2] or ""
    filters = []
    for part in filter_text.split("|")[1:]:
        name, *args = part.split(":")
        filters.append((name, args))
    if target.startswith("="):
        return Ref(None, filters, raw=match[0], variable=target[1:])
    if target.startswith("?"):
        return Ref(None, filters, note=target[1:].strip(), raw=match[0])
    return Ref(target, filters, raw=match[0])


def references(text: str) -> list[Ref]:
    return [parse_ref(m) for m in REF.finditer(text)]


def figure_ids(text: str) -> list[str]:
    ids: list[str] = []
    for ref in references(text):
        if ref.figure_id and ref.figure_id not in ids:
            ids.append(ref.figure_id)
    return ids


def check(text: str) -> list[str]:
    """Problems with a template's references (unknown figures, bad filters), in Chinese."""
    problems = []
    for i, line in enumerate(text.splitlines(), start=1):
        for ref in references(line):
            if ref.variable and ref.variable not in VARIABLES:
                problems.append(
                    f"第{i}行：未知的期间变量 ={ref.variable}（可用：{'、'.join(VARIABLES)}）"
                )
            if ref.figure_id:
                try:
                    catalog.get(ref.figure_id)
                except KeyError:
                    problems.append(f"第{i}行：未定义的指标 {ref.figure_id}")
            for name, _ in ref.filters:
                if name not in FILTERS:
                    problems.append(f"第{i}行：未知的格式 |{name}（可用：{'、'.join(FILTERS)}）")
        if "{{" in REF.sub("", line):
            problems.append(f"第{i}行：有未闭合或写错的引用 “{{{{”")
    return problems


def _apply(ref: Ref, fv: FigureValue) -> str:
    value = fv.value
    if value is None:
        return "【缺】"
    text: str | None = None
    for name, args in ref.filters:
        value, text = FILTERS[name](value, args, fv)
    return text if text is not None else format_value(value, fv.figure)


def _f_month(v: Any, a: list[str], fv: FigureValue) -> tuple[Any, str]:
    return v, str(v.month)


def _f_day(v: Any, a: list[str], fv: FigureValue) -> tuple[Any, str]:
    return v, str(v.day)


def _f_year(v: Any, a: list[str], fv: FigureValue) -> tuple[Any, str]:
    return v, str(v.year)


def _f_md(v: Any, a: list[str], fv: FigureValue) -> tuple[Any, str]:
    return v, f"{v.month}月{v.day}日"


def _f_abs(v: Any, a: list[str], fv: FigureValue) -> tuple[Any, None]:
    return abs(v), None


def _f_sign(v: Any, a: list[str], fv: FigureValue) -> tuple[Any, str]:
    negative, positive = (a[0], a[1]) if len(a) >= 2 else ("下降", "增长")
    return v, negative if v < 0 else positive


def _f_fixed(v: Any, a: list[str], fv: FigureValue) -> tuple[Any, str]:
    return v, format_number(v, int(a[0]) if a else 0)


def _f_wan(v: Any, a: list[str], fv: FigureValue) -> tuple[Any, None]:
    """Divide by 10,000 (元 → 万元, m² → 万m²)."""
    from decimal import Decimal

    return Decimal(str(v)) / 10000, None


def _f_yi(v: Any, a: list[str], fv: FigureValue) -> tuple[Any, None]:
    """Divide by 10,000 again (万元 → 亿元)."""
    from decimal import Decimal

    return Decimal(str(v)) / 10000, None


FILTERS = {
    "month": _f_month,
    "day": _f_day,
    "year": _f_year,
    "md": _f_md,
    "abs": _f_abs,
    "sign": _f_sign,
    "fixed": _f_fixed,
    "wan": _f_wan,
    "yi": _f_yi,
}


VARIABLES = ("year",)


def render_lines(
    text: str, values: dict[str, FigureValue], variables: dict[str, str] | None = None
) -> list[Line]:
    out = []
    for raw in text.splitlines():
        line = Line()
        pos = 0
        for match in REF.finditer(raw):
            if match.start() > pos:
                line.fragments.append(Fragment(raw[pos : match.start()]))
            ref = parse_ref(match)
            if ref.variable:
                line.fragments.append(Fragment((variables or {}).get(ref.variable, match[0])))
            elif ref.figure_id is None or ref.figure_id not in values:
                note = ref.note if ref.figure_id is None else f"未定义的指标 {ref.figure_id}"
                line.fragments.append(
                    Fragment("【缺】", missing=True, is_mark=ref.is_mark, note=note)
                )
            else:
                fv = values[ref.figure_id]
                shown = _apply(ref, fv)
                line.fragments.append(
                    Fragment(
                        shown,
                        ref.figure_id,
                        fv.value,
                        missing=fv.value is None,
                        is_mark=ref.is_mark,
                    )
                )
            pos = match.end()
        if pos < len(raw):
            line.fragments.append(Fragment(raw[pos:]))
        out.append(line)
    return out
