"""The figure catalog (指标目录): declarations and their evaluation.

A figure is one of
- :class:`Aggregate` — count / sum / distinct count / earliest / latest over a ledger,
  with a condition, for a period (events dated inside it, or states as of its end) and an
  org-unit scope. Evaluation pushes every aggregate into SQL: all the figures a report
  needs over one model and one period become one ``SELECT`` with filtered aggregates.
- :class:`Formula` — a function of other figures (rate, total, difference, year-on-year),
  whose inputs may be taken from an earlier period.
- :class:`Computed` — a value drawn from records by a function (e.g. the county's name
  from the org-unit tree) when no aggregate expresses it.
- :class:`Setting` — a fixed fact (a slogan, a duty rule) kept in settings, not records.

Each domain app declares its figures in its own ``figures.py`` with :func:`register`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db import models
from django.db.models import Count, Max, Min, Q, Sum

from zhujian.core import lines, scope
from zhujian.core.models import OrgUnit, User
from zhujian.figures.periods import Period

Where = Q | Callable[[Period], Q] | None
Mode = Literal["within", "asof", "all"]
Source = Literal["records", "settings"]


@dataclass(kw_only=True)
class Figure:
    id: str
    label: str
    unit: str = ""
    line: str = ""
    decimals: int | None = None  # digits shown after the point (None: as stored)
    help: str = ""
    # A figure whose records are not a ledger's names its own drill-down page:
    # ``drill(period, unit) -> url`` (e.g. the units that have not reported).
    drill: Callable[[Period, OrgUnit | None], str] | None = None
    # Which way is good news: "up" (a rectification rate), "down" (overdue hazards) or ""
    # (neutral: a count of inspections). Pages colour a change by it, never by its sign.
    good: Literal["up", "down", ""] = ""

    source: Source = "records"

    def __post_init__(self) -> None:
        if not self.line:
            self.line = self.id.split(".")[0]
        lines.get_line(self.line)
        if self.good not in ("up", "down", ""):
            raise ValueError(f"{self.id}: good must be 'up', 'down' or '', not {self.good!r}")

    def inputs(self) -> list[tuple[str, int]]:
        """Figures this one is computed from, as (id, years back)."""
        return []

    @property
    def kind(self) -> str:
        return type(self).__name__.lower()


@dataclass(kw_only=True)
class Aggregate(Figure):
    model: type[models.Model]
    func: Literal["count", "sum", "distinct", "min", "max"] = "count"
    field: str = "pk"
    where: Where = None
    date: str | None = None
    mode: Mode = "within"

    def condition(self, period: Period) -> Q:
        cond = Q()
        if self.date and self.mode == "within" and not period.as_of:
            cond &= Q(**{f"{self.date}__gte": period.start, f"{self.date}__lte": period.end})
        elif self.date and self.mode in ("within", "asof"):
            cond &= Q(**{f"{self.date}__lte": period.end})
        where = self.where(period) if callable(self.where) else self.where
        if where is not None:
            cond &= where
        return cond

    def expression(self, period: Period) -> models.Aggregate:
        cond = self.condition(period)
        if self.func == "count":
            return Count("pk", filter=cond)
        if self.func == "distinct":
            return Count(self.field, filter=cond, distinct=True)
        if self.func == "sum":
            return Sum(self.field, filter=cond)
        if self.func == "min":
            return Min(self.field, filter=cond)
        return Max(self.field, filter=cond)

    def empty(self) -> Any:
        return 0 if self.func in ("count", "distinct", "sum") else None


@dataclass(kw_only=True)
class Formula(Figure):
    args: Sequence[str | tuple[str, int]]
    fn: Callable[..., Any]
    # How the helpers below combine the inputs, so the figure can be described in words:
    # "rate", "sum", "difference", "yoy"; "" for a formula of its own.
    how: str = ""

    def inputs(self) -> list[tuple[str, int]]:
        return [(a, 0) if isinstance(a, str) else a for a in self.args]


@dataclass(kw_only=True)
class Computed(Figure):
    fn: Callable[[EvalContext], Any]
    records_model: type[models.Model] | None = None
    # The records behind the value (before the viewer's scope), for the drill-down; without
    # it the drill-down lists every record of ``records_model`` in the unit.
    records_fn: Callable[[EvalContext], models.QuerySet] | None = None
    # The common case, spelled shorter: which of ``records_model``'s records (a ``Q`` or a
    # function of the period giving one); it becomes the ``records_fn``.
    records_where: Where = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.records_where is None:
            return
        if self.records_fn is not None or self.records_model is None:
            raise ValueError(f"{self.id}: records_where needs records_model and no records_fn")
        where, model = self.records_where, self.records_model

        def records_fn(ctx: EvalContext) -> models.QuerySet:
            return ctx.base(model).filter(where(ctx.period) if callable(where) else where)

        self.records_fn = records_fn


@dataclass(kw_only=True)
class Setting(Figure):
    key: str
    default: Any = None
    source: Source = "settings"


# --- declaration helpers -------------------------------------------------------------

_catalog: dict[str, Figure] = {}


def register(*figures: Figure) -> None:
    for fig in figures:
        if fig.id in _catalog and _catalog[fig.id] is not fig:
            raise ValueError(f"figure {fig.id!r} is declared twice")
        _catalog[fig.id] = fig


# Figure families: ids ``<prefix>.<rest>`` made on demand from data (e.g. a campaign's
# measures, ``campaign.<report tag>.<measure code>``), so staff can name in a template a
# figure that no code declared.
_families: dict[str, Callable[[str, str], Figure | None]] = {}


def register_family(prefix: str, resolve: Callable[[str, str], Figure | None]) -> None:
    """Ids ``<prefix>.<rest>`` not declared with :func:`register` are resolved by
    ``resolve(figure_id, rest)``, which returns the figure or None (unknown)."""
    if prefix in _families and _families[prefix] is not resolve:
        raise ValueError(f"figure family {prefix!r} is declared twice")
    _families[prefix] = resolve


def get(figure_id: str) -> Figure:
    fig = _catalog.get(figure_id)
    if fig is None:
        prefix, _, rest = figure_id.partition(".")
        resolve = _families.get(prefix)
        fig = resolve(figure_id, rest) if resolve is not None and rest else None
    if fig is None:
        raise KeyError(f"未定义的指标：{figure_id}")
    return fig


def exists(figure_id: str) -> bool:
    try:
        get(figure_id)
    except KeyError:
        return False
    return True


def all_figures() -> list[Figure]:
    order = [ln.code for ln in lines.LINES]
    return sorted(_catalog.values(), key=lambda f: (order.index(f.line), f.id))


def count(id: str, label: str, model: type[models.Model], **kw: Any) -> Aggregate:
    return Aggregate(id=id, label=label, model=model, func="count", unit=kw.pop("unit", "个"), **kw)


def total(id: str, label: str, model: type[models.Model], field: str, **kw: Any) -> Aggregate:
    return Aggregate(id=id, label=label, model=model, func="sum", field=field, **kw)


def distinct(id: str, label: str, model: type[models.Model], field: str, **kw: Any) -> Aggregate:
    return Aggregate(id=id, label=label, model=model, func="distinct", field=field, **kw)


def earliest(id: str, label: str, model: type[models.Model], field: str, **kw: Any) -> Aggregate:
    return Aggregate(id=id, label=label, model=model, func="min", field=field, **kw)


def latest(id: str, label: str, model: type[models.Model], field: str, **kw: Any) -> Aggregate:
    return Aggregate(id=id, label=label, model=model, func="max", field=field, **kw)


def _num(value: Any) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _rate(num: Any, den: Any) -> Decimal | None:
    n, d = _num(num), _num(den)
    if n is None or not d:
        return None
    return n * 100 / d


def rate(
    id: str, label: str, numerator: str, denominator: str, decimals: int = 1, **kw: Any
) -> Formula:
    """``numerator / denominator`` in percent, rounded only when shown."""
    return Formula(
        id=id,
        label=label,
        args=[numerator, denominator],
        fn=_rate,
        how="rate",
        unit="%",
        decimals=decimals,
        **kw,
    )


def sum_of(id: str, label: str, *parts: str, **kw: Any) -> Formula:
    def add(*values: Any) -> Any:
        return sum((_num(v) or Decimal(0) for v in values), Decimal(0))

    return Formula(id=id, label=label, args=list(parts), fn=add, how="sum", **kw)


def difference(id: str, label: str, a: str, b: str, **kw: Any) -> Formula:
    return Formula(
        id=id,
        label=label,
        args=[a, b],
        fn=lambda x, y: (_num(x) or 0) - (_num(y) or 0),
        how="difference",
        **kw,
    )


def yoy(id: str, label: str, base: str, decimals: int = 1, **kw: Any) -> Formula:
    """Year-on-year change of ``base`` in percent: positive rose (增长), negative fell (下降)."""

    def change(now: Any, before: Any) -> Decimal | None:
        n, b = _num(now), _num(before)
        if n is None or not b:
            return None
        return (n - b) * 100 / b

    return Formula(
        id=id,
        label=label,
        args=[base, (base, 1)],
        fn=change,
        how="yoy",
        unit="%",
        decimals=decimals,
        **kw,
    )


# --- evaluation ------------------------------------------------------------------------


# "Approved data only" (审核后的数据): an app that runs approval (``zhujian.requests``) sets
# this hook; ``approval_filter(model, period)`` gives the condition that keeps only the
# records whose unit and period were approved, or None when the model's records for the
# period are not under approval (they all count).
approval_filter: Callable[[type[models.Model], Period], Q | None] | None = None


@dataclass
class EvalContext:
    period: Period
    unit: OrgUnit | None = None
    user: User | None = None
    # Several units taken together (e.g. the 县城: the seat's 街道 and the bureau's own
    # units): records inside any of them. Used instead of ``unit`` when given.
    units: tuple[OrgUnit, ...] = ()
    approved_only: bool = False

    def base(self, model: type[models.Model]) -> models.QuerySet:
        """``model``'s records inside the unit (or units) and the user's scope (and,
        evaluated as approved data only, inside what was approved)."""
        qs = model._default_manager.all()
        if self.units:
            inside = Q()
            for u in self.units:
                inside |= Q(org_unit__path__startswith=u.path)
            qs = qs.filter(inside)
        elif self.unit is not None:
            qs = qs.filter(org_unit__path__startswith=self.unit.path)
        if self.user is not None:
            qs = scope.restrict(qs, self.user)
        if self.approved_only and approval_filter is not None:
            cond = approval_filter(model, self.period)
            if cond is not None:
                qs = qs.filter(cond)
        return qs

    def shifted(self, years: int) -> EvalContext:
        if years == 0:
            return self  # the same context: computed figures may share work through it
        period = self.period
        for _ in range(years):
            period = period.previous_year()
        return EvalContext(period, self.unit, self.user, self.units, self.approved_only)


@dataclass
class FigureValue:
    figure: Figure
    period: Period
    value: Any

    @property
    def missing(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return format_value(self.value, self.figure)


def format_number(value: Any, decimals: int | None = None) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    number = _num(value)
    if number is None:
        return ""
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        return f"{number:f}"
    text = f"{number.normalize():f}"
    return text


def format_value(value: Any, figure: Figure | None = None) -> str:
    if value is None:
        return "【缺】"
    if isinstance(value, dt.date):
        return f"{value.month}月{value.day}日"
    if isinstance(value, str):
        return value
    return format_number(value, figure.decimals if figure else None)


def expand(ids: Iterable[str]) -> list[tuple[str, int]]:
    """Every (figure, years back) needed to evaluate ``ids``, inputs before users."""
    seen: dict[tuple[str, int], None] = {}

    def visit(fid: str, back: int, trail: tuple[str, ...]) -> None:
        if (fid, back) in seen:
            return
        if fid in trail:
            raise ValueError(f"指标循环引用：{' → '.join((*trail, fid))}")
        for arg, extra in get(fid).inputs():
            visit(arg, back + extra, (*trail, fid))
        seen[(fid, back)] = None

    for fid in ids:
        visit(fid, 0, ())
    return list(seen)


def evaluate(
    ids: Iterable[str],
    period: Period,
    unit: OrgUnit | None = None,
    user: User | None = None,
    units: Sequence[OrgUnit] = (),
    *,
    approved_only: bool = False,
) -> dict[str, FigureValue]:
    """Values of ``ids`` (and of the same figures ``n`` years back as ``id@-n``);
    ``units``: over several units together instead of ``unit``; ``approved_only``:
    counting only approved records where approval applies."""
    ctx = EvalContext(period, unit, user, tuple(units), approved_only)
    needed = expand(ids)
    values: dict[tuple[str, int], Any] = {}
    # One query per model: this year's and earlier years' aggregates differ only in their
    # FILTER conditions, so they share the SELECT.
    groups: dict[type[models.Model], list[tuple[Aggregate, int]]] = defaultdict(list)
    for fid, back in needed:
        fig = get(fid)
        if isinstance(fig, Aggregate):
            groups[fig.model].append((fig, back))
    for model, members in groups.items():
        exprs = {
            f"f{i}": fig.expression(ctx.shifted(back).period)
            for i, (fig, back) in enumerate(members)
        }
        row = ctx.base(model).aggregate(**exprs)
        for i, (fig, back) in enumerate(members):
            value = row[f"f{i}"]
            values[(fig.id, back)] = fig.empty() if value is None else value
    facts = _facts([get(fid) for fid, _ in needed if isinstance(get(fid), Setting)])
    for fid, back in needed:
        fig = get(fid)
        if isinstance(fig, Formula):
            args = [values.get((a, back + extra)) for a, extra in fig.inputs()]
            values[(fid, back)] = fig.fn(*args)
        elif isinstance(fig, Computed):
            values[(fid, back)] = fig.fn(ctx.shifted(back))
        elif isinstance(fig, Setting):
            stored = facts.get(fig.key)
            values[(fid, back)] = stored if stored not in (None, "") else fig.default
    out: dict[str, FigureValue] = {}
    for (fid, back), value in values.items():
        key = fid if back == 0 else f"{fid}@-{back}"
        out[key] = FigureValue(get(fid), ctx.shifted(back).period, value)
    return out


def _facts(settings: list[Setting]) -> dict[str, str]:
    """The stored values of ``settings``' keys, in one query."""
    if not settings:
        return {}
    from zhujian.figures.models import Fact

    return dict(Fact.objects.filter(key__in={s.key for s in settings}).values_list("key", "value"))


def setting_value(fig: Setting) -> Any:
    from zhujian.figures.models import Fact

    stored = Fact.objects.filter(key=fig.key).values_list("value", flat=True).first()
    return stored if stored not in (None, "") else fig.default


def records(
    figure_id: str,
    period: Period,
    unit: OrgUnit | None = None,
    user: User | None = None,
    units: Sequence[OrgUnit] = (),
    *,
    approved_only: bool = False,
) -> models.QuerySet | None:
    """The records behind an aggregate figure, under the viewer's scope (None otherwise)."""
    fig = get(figure_id)
    ctx = EvalContext(period, unit, user, tuple(units), approved_only)
    if isinstance(fig, Aggregate):
        return ctx.base(fig.model).filter(fig.condition(period))
    if isinstance(fig, Computed) and fig.records_fn is not None:
        found = fig.records_fn(ctx)
        return ctx.base(found.model).filter(pk__in=found.values("pk"))
    if isinstance(fig, Computed) and fig.records_model is not None:
        return ctx.base(fig.records_model)
    return None


def county_name(ctx: EvalContext) -> str | None:
    root = OrgUnit.objects.filter(parent__isnull=True, kind="county").order_by("pk").first()
    return root.name if root else None


def ids_in(figs: Iterable[Figure]) -> list[str]:
    return [f.id for f in figs]


__all__ = [
    "Aggregate",
    "Computed",
    "EvalContext",
    "Figure",
    "FigureValue",
    "Formula",
    "Setting",
    "all_figures",
    "count",
    "county_name",
    "difference",
    "distinct",
    "earliest",
    "evaluate",
    "format_value",
    "get",
    "latest",
    "rate",
    "records",
    "register",
    "register_family",
    "sum_of",
    "total",
    "yoy",
]
