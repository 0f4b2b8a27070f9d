"""Which figure, record field or setting fills each mark (``*``) of a template."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q

from zhujian.figures import catalog
from zhujian.figures.catalog import Aggregate, Computed, Formula, Setting
from zhujian.figures.periods import Period
from zhujian.reports import template as tpl


@dataclass
class Mark:
    number: int
    line: int
    figure_id: str | None
    source: str  # "records" | "settings" | "missing"
    description: str
    value: str = ""


def marks(body: str, period: Period | None = None) -> list[Mark]:
    out = []
    n = 0
    for line_no, line in enumerate(body.splitlines(), start=1):
        for ref in tpl.references(line):
            if not ref.is_mark:
                continue
            n += 1
            if ref.figure_id is None:
                out.append(Mark(n, line_no, None, "missing", ref.note or "尚无数据来源"))
                continue
            fig = catalog.get(ref.figure_id)
            source = "settings" if isinstance(fig, Setting) else "records"
            out.append(Mark(n, line_no, fig.id, source, describe(fig, period)))
    return out


# Conditions of period-dependent figures (``where=lambda p: …``) are described for this
# stand-in period, whose dates and year read as words (期初, 期末) rather than numbers.
_ANY_PERIOD = Period("所选期间", dt.date(1901, 1, 1), dt.date(1901, 12, 31))
_ANY_PERIOD_WORDS: dict[Any, str] = {
    _ANY_PERIOD.start: "期初",
    _ANY_PERIOD.end: "期末",
}
_ANY_YEAR = _ANY_PERIOD.end.year

_AGGREGATES = {"count": "计数", "sum": "合计", "distinct": "去重计数"}


def describe(fig: catalog.Figure, period: Period | None = None) -> str:
    """How a figure is computed, in words a user reads: every model field by its Chinese
    name, conditions spelled out; ``period`` fills in the dates of period-dependent
    conditions (without it they read 期初/期末)."""
    if isinstance(fig, Aggregate):
        return f"{fig.label}：{_aggregate(fig, period)}"
    if isinstance(fig, Setting):
        return f"{fig.label}：固定事项（在系统管理的“固定事项”中维护）"
    if isinstance(fig, Computed):
        return f"{fig.label}：由记录推算"
    if isinstance(fig, Formula):
        return f"{fig.label}：{_formula(fig)}"
    return fig.label


def _aggregate(fig: Aggregate, period: Period | None) -> str:
    target = str(fig.model._meta.verbose_name)
    if fig.func == "count":
        what = f"{target}记录计数"
    else:
        label, field = field_path(fig.model, fig.field)
        dated = isinstance(field, models.DateField)
        word = (
            _AGGREGATES.get(fig.func)
            or {
                ("min", True): "最早",
                ("min", False): "最小值",
                ("max", True): "最晚",
                ("max", False): "最大值",
            }[(fig.func, dated)]
        )
        what = f"{target}的“{label}”{word}"
    parts = [what, _dating(fig, period)]
    where = fig.where(period or _ANY_PERIOD) if callable(fig.where) else fig.where
    if where is not None:
        parts.append(f"条件：{describe_q(fig.model, where, period is None)}")
    return "；".join(parts)


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _dating(fig: Aggregate, period: Period | None) -> str:
    """Which records the period takes, by the figure's date field and mode."""
    if not fig.date or fig.mode == "all":
        return "不限期间"
    date = field_path(fig.model, fig.date)[0]
    if fig.mode == "asof" or (period is not None and period.as_of):
        return f"截至{_day(period.end) if period else '期末'}，按“{date}”"
    if period is None:
        return f"按“{date}”计入所选期间"
    return f"“{date}”在{_day(period.start)}至{_day(period.end)}之间"


def _formula(fig: Formula) -> str:
    names = []
    for fid, back in fig.inputs():
        label = catalog.get(fid).label if catalog.exists(fid) else "（已删除的指标）"
        names.append(f"“{label}”" + ("（上年同期）" if back else ""))
    if fig.how == "rate" and len(names) == 2:
        return f"{names[0]}占{names[1]}的百分比"
    if fig.how == "sum":
        return f"{'、'.join(names)}之和"
    if fig.how == "difference" and len(names) == 2:
        return f"{names[0]}减去{names[1]}"
    if fig.how == "yoy":
        return f"{names[0]}与上年同期相比的增减百分比"
    return f"由{'、'.join(dict.fromkeys(names))}计算"


def field_path(model: type[models.Model], path: str) -> tuple[str, models.Field | None]:
    """``"project__code"`` → ("项目的编号", the field); a lookup suffix is not part of it."""
    labels = []
    field = None
    for part in path.split("__"):
        if part in ("pk", model._meta.pk.name):
            return "记录", model._meta.pk
        field = model._meta.get_field(part)
        labels.append(str(getattr(field, "verbose_name", part)))
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return "的".join(labels), field


_OPERATORS = {
    # lookup: (for numbers and text, for dates)
    "exact": ("为", "为"),
    "iexact": ("为", "为"),
    "gt": ("大于", "晚于"),
    "gte": ("不小于", "不早于"),
    "lt": ("小于", "早于"),
    "lte": ("不大于", "不晚于"),
    "contains": ("包含", "包含"),
    "icontains": ("包含", "包含"),
    "startswith": ("以此开头：", "以此开头："),
    "in": ("为下列之一：", "为下列之一："),
    "year": ("的年份为", "的年份为"),
}
_NEGATED = {
    "为": "不为",
    "大于": "不大于",
    "不小于": "小于",
    "小于": "不小于",
    "不大于": "大于",
    "晚于": "不晚于",
    "不早于": "早于",
    "早于": "不早于",
    "不晚于": "晚于",
}


def _split_lookup(model: type[models.Model], lookup: str) -> tuple[str, str]:
    """("rectified_on", "lte") from "rectified_on__lte"; the field part may cross relations."""
    parts = lookup.split("__")
    fields: list[str] = []
    current: Any = model
    for part in parts:
        if current is None:
            break
        try:
            field = current._meta.get_field(current._meta.pk.name if part == "pk" else part)
        except FieldDoesNotExist:  # not a field: the lookup starts here
            break
        fields.append(part)
        current = field.related_model if field.is_relation else None
    rest = parts[len(fields) :]
    return "__".join(fields), "__".join(rest) or "exact"


def _value(
    field: models.Field | None, value: Any, words: bool, model: type[models.Model] | None = None
) -> str:
    if isinstance(value, models.F) and model is not None:  # compared with another field
        return f"“{field_path(model, value.name)[0]}”"
    if isinstance(value, list | tuple | set):
        return "、".join(_value(field, v, words, model) for v in value)
    if words and value in _ANY_PERIOD_WORDS:
        return _ANY_PERIOD_WORDS[value]
    if words and value == _ANY_YEAR and not isinstance(value, bool):
        return "期末所在年度"
    if isinstance(value, bool):
        return "是" if value else "否"
    if value == "" or value is None:
        return "空"
    if isinstance(value, dt.date):
        return _day(value)
    if isinstance(value, models.QuerySet | models.expressions.BaseExpression):
        noun = getattr(getattr(value, "model", None), "_meta", None)
        return f"另一查询所选的{noun.verbose_name if noun else ''}记录"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return "、".join(_value(field, v, words) for v in value)
    choices = dict(field.flatchoices) if field is not None and field.choices else {}
    if value in choices:
        return f"“{choices[value]}”"
    return f"“{value}”"


def _condition(
    model: type[models.Model], lookup: str, value: Any, words: bool, negated: bool
) -> str:
    path, op = _split_lookup(model, lookup)
    if tag := getattr(value, "report_tag", None):  # core.tags.tagged()
        owner = "记录" if path in ("", "pk") else f"“{field_path(model, path)[0]}”"
        return f"{owner}{'不' if negated else ''}带有报告标记“{tag}”"
    label, field = field_path(model, path)
    if op == "isnull":
        empty = bool(value) != negated
        return f"“{label}”{'为空' if empty else '不为空'}"
    dated = isinstance(field, models.DateField)
    verb = _OPERATORS.get(op, (op, op))[1 if dated else 0]
    shown = _value(field, value, words, model)
    if op in ("exact", "iexact") and shown == "空":
        return f"“{label}”{'不为空' if negated else '为空'}"
    if op == "exact" and isinstance(value, bool) and negated:
        return f"“{label}”为{_value(field, not value, words)}"
    if negated:
        verb = _NEGATED.get(verb, f"不{verb}")
    return f"“{label}”{verb}{shown}"


def _ledger_conditions(
    model: type[models.Model], children: list[Any], parts: list[str]
) -> list[Any]:
    """Turn ``x__app_label=…`` with ``x__model=…`` (a content type named by its parts) into
    one condition naming the ledger, e.g. “来源台账”为“充装站”; returns the other children."""
    pairs: dict[str, dict[str, Any]] = {}
    for child in children:
        if isinstance(child, tuple) and child[0].endswith(("__app_label", "__model")):
            prefix, _, key = child[0].rpartition("__")
            pairs.setdefault(prefix, {})[key] = child
    rest = list(children)
    for prefix, found in pairs.items():
        if set(found) != {"app_label", "model"}:
            continue
        try:
            target = apps.get_model(found["app_label"][1], found["model"][1])
        except (LookupError, ValueError):
            continue
        label, _ = field_path(model, prefix)
        parts.append(f"“{label}”为“{target._meta.verbose_name}”")
        rest = [c for c in rest if c is not found["app_label"] and c is not found["model"]]
    return rest


def describe_q(model: type[models.Model], q: Q, words: bool = False) -> str:
    """A condition in Chinese: field names by their verbose names, choice values by their
    labels, 且/或 for AND/OR, 并非 for a negated group."""
    single = q.negated and len(q.children) == 1 and not isinstance(q.children[0], Q)
    parts = []
    children = _ledger_conditions(model, list(q.children), parts)
    for child in children:
        if isinstance(child, Q):
            text = describe_q(model, child, words)
            parts.append(f"（{text}）" if len(child.children) > 1 and not child.negated else text)
        elif not isinstance(child, tuple):  # an expression such as Exists(...)
            target = getattr(getattr(child, "query", None), "model", None)
            noun = target._meta.verbose_name if target is not None else "其他"
            parts.append(f"{'不' if single else ''}存在相应的{noun}记录")
        else:
            lookup, value = child
            parts.append(_condition(model, lookup, value, words, negated=single))
    text = ("，且" if q.connector == Q.AND else "，或").join(parts)
    if q.negated and not single:
        return f"并非（{text}）"
    return text


def summary(items: list[Mark]) -> str:
    records = sum(m.source == "records" for m in items)
    settings = sum(m.source == "settings" for m in items)
    missing = sum(m.source == "missing" for m in items)
    return (
        f"{records}/{len(items)} computed from records, {settings} from settings, {missing} missing"
    )
