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

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

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


def value_kind(figure: catalog.Figure) -> str | None:
    """What a figure's value is: "date", "number" or "text"; None when only evaluating it
    tells (computed figures, settings)."""
    if isinstance(figure, catalog.Aggregate):
        if figure.func in ("count", "distinct", "sum"):
            return "number"
        model = figure.model
        field: Any = None
        for part in figure.field.split("__"):
            field = model._meta.get_field(part)
            if field.is_relation and field.related_model is not None:
                model = field.related_model
        if isinstance(field, models.DateField):
            return "date"
        if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
            return "number"
        return "text"
    if isinstance(figure, catalog.Formula):
        return "number"
    return None


KIND_LABELS = {"date": "日期", "number": "数值", "text": "文字"}


def _filter_problem(name: str, args: list[str], figure_id: str, kind: str | None) -> str | None:
    """What is wrong with ``|name:args`` on ``figure_id``, whose value is of ``kind``."""
    spec = FILTER_SPECS.get(name)
    if spec is None:
        return f"未知的格式 |{name}（可用：{'、'.join(FILTERS)}）"
    if not spec.min_args <= len(args) <= spec.max_args:
        if spec.max_args == 0:
            return f"格式 |{name} 不带参数"
        return f"格式 |{name} 的参数个数有误（写法：{spec.usage}）"
    if spec.check_args is not None and (message := spec.check_args(args)):
        return f"格式 |{name} 的参数有误：{message}（写法：{spec.usage}）"
    if spec.takes != "any" and kind is not None and kind != spec.takes:
        return (
            f"格式 |{name} 只能用于{KIND_LABELS[spec.takes]}，"
            f"指标 {figure_id} 是{KIND_LABELS[kind]}"
        )
    return None


def ref_problems(ref: Ref) -> list[str]:
    """What is wrong with one reference, in Chinese (empty: nothing)."""
    problems = []
    kind = None
    if ref.variable and ref.variable not in VARIABLES:
        problems.append(f"未知的期间变量 ={ref.variable}（可用：{'、'.join(VARIABLES)}）")
    if ref.variable:
        kind = "text"
    if ref.figure_id:
        try:
            kind = value_kind(catalog.get(ref.figure_id))
        except KeyError:
            problems.append(f"未定义的指标 {ref.figure_id}")
    for name, args in ref.filters:
        if ref.variable or ref.figure_id is None:  # a period word or 【缺】: filters never run
            if name not in FILTER_SPECS:
                problems.append(f"未知的格式 |{name}（可用：{'、'.join(FILTERS)}）")
            continue
        if problem := _filter_problem(name, args, ref.figure_id, kind):
            problems.append(problem)
    return problems


def check(text: str) -> list[str]:
    """Problems with a template's references (unknown figures, unknown filters, filters with
    wrong arguments or on the wrong kind of value), in Chinese, each with its line."""
    problems = []
    for i, line in enumerate(text.splitlines(), start=1):
        for ref in references(line):
            problems += [f"第{i}行：{p}" for p in ref_problems(ref)]
        if "{{" in REF.sub("", line):
            problems.append(f"第{i}行：有未闭合或写错的引用 “{{{{”")
    return problems


def _apply(ref: Ref, fv: FigureValue) -> str:
    value = fv.value
    if value is None:
        return "【缺】"
    text: str | None = None
    for name, args in ref.filters:
        if name not in FILTERS:
            raise TemplateError(f"未知的格式 |{name}")
        try:
            value, text = FILTERS[name](value, args, fv)
        except (ArithmeticError, AttributeError, IndexError, TypeError, ValueError):
            kind = KIND_LABELS.get(value_kind(fv.figure) or "", "这种值")
            raise TemplateError(f"格式 |{name} 不能用于{kind} {format_value(value)}") from None
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

MAX_DECIMALS = 6


def _decimals(args: list[str]) -> str | None:
    if args and not (args[0].isdigit() and int(args[0]) <= MAX_DECIMALS):
        return f"小数位数应为 0–{MAX_DECIMALS} 的整数，不能是“{args[0]}”"
    return None


def _words(args: list[str]) -> str | None:
    if len(args) == 1 or any(not a for a in args):
        return "要么不带参数，要么写两个词"
    return None


@dataclass(frozen=True)
class FilterSpec:
    """What a filter applies to (``takes``) and the arguments it accepts."""

    takes: str  # "date" | "number" | "any"
    usage: str
    min_args: int = 0
    max_args: int = 0
    check_args: Callable[[list[str]], str | None] | None = None


FILTER_SPECS = {
    "month": FilterSpec("date", "|month：日期的月"),
    "day": FilterSpec("date", "|day：日期的日"),
    "year": FilterSpec("date", "|year：日期的年"),
    "md": FilterSpec("date", "|md：日期写成“5月20日”"),
    "abs": FilterSpec("number", "|abs：绝对值"),
    "sign": FilterSpec("number", "|sign:下降:增长，负数用第一个词，否则用第二个", 0, 2, _words),
    "fixed": FilterSpec("number", f"|fixed:1，保留 0–{MAX_DECIMALS} 位小数", 0, 1, _decimals),
    "wan": FilterSpec("number", "|wan：除以一万"),
    "yi": FilterSpec("number", "|yi：再除以一万"),
}


VARIABLES = ("year",)


def render_lines(
    text: str, values: dict[str, FigureValue], variables: dict[str, str] | None = None
) -> list[Line]:
    """The text laid out as lines of fragments; :class:`TemplateError` (Chinese, with the
    line) when a filter cannot be applied to a figure's value."""
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
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
                try:
                    shown = _apply(ref, fv)
                except TemplateError as exc:
                    raise TemplateError(f"第{number}行：{exc}（{ref.raw}）") from None
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


H1 = re.compile(r"^[一二三四五六七八九十]+、")
H2 = re.compile(r"^（[一二三四五六七八九十]+）")


RUN_IN_MAX = 40  # a heading sentence run into its paragraph ends within this many characters


def run_in_heading(line: Line) -> tuple[str, int]:
    """A heading that opens a body paragraph — ``（一）加强支部建设，强化党建引领。一是…`` —
    as (level, length of the heading sentence through its 。); ("", 0) for any other line.
    Every renderer sets that sentence in the style of a heading of its level, so 一、… and
    （一）… headings look the same whether they stand alone or open a paragraph."""
    if line_kind(line) != "p":
        return "", 0
    text = line.text
    level = "h1" if H1.match(text) else "h2" if H2.match(text) else ""
    end = text.find("。")
    if not level or end < 0 or end >= RUN_IN_MAX:
        return "", 0
    return level, end + 1


def split_fragments(fragments: list[Fragment], at: int) -> tuple[list[Fragment], list[Fragment]]:
    """``fragments`` cut after ``at`` characters (a fragment across the cut is split)."""
    head: list[Fragment] = []
    tail: list[Fragment] = []
    seen = 0
    for f in fragments:
        if seen >= at:
            tail.append(f)
        elif seen + len(f.text) <= at:
            head.append(f)
        else:
            cut = at - seen
            head.append(dataclasses.replace(f, text=f.text[:cut]))
            tail.append(dataclasses.replace(f, text=f.text[cut:]))
        seen += len(f.text)
    return head, tail


def line_kind(line: Line) -> str:
    """How a rendered line is laid out: ``h1`` (一、…), ``h2`` (a short （一）… heading
    line) or ``p``; every output format (HTML, Markdown, Word) follows it."""
    text = line.text
    if H1.match(text) and len(text) < 40:
        return "h1"
    if H2.match(text) and len(text) < 40 and "。" not in text:
        return "h2"
    return "p"
