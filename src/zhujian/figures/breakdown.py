"""Figures broken down by org unit and by period, in one query per model.

:func:`catalog.evaluate` answers "what is this figure for this period and unit"; the
dashboard also needs the same figures for every 乡镇 (a comparison chart) and for every
month (a trend chart). Evaluating each township or month separately would cost one
query per model per township or month. Here every aggregate of a model, for all the
periods asked for, is one filtered aggregate column of a single ``SELECT``, grouped by
the child unit a record lies in (its ``org_unit__path`` cut to the child's path length):

    SELECT substr(path, 1, 26) AS grp,
           COUNT(*) FILTER (WHERE found_on BETWEEN '2022-01-01' AND '2022-01-31'), ...
    FROM ledger JOIN core_orgunit ... GROUP BY grp

Formulas (rates, sums, year-on-year) are then computed per group from their inputs, so a
rate per township is the township's numerator over the township's denominator.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models, router
from django.db.models.functions import Substr, TruncMonth

from zhujian.core.models import OrgUnit, User
from zhujian.figures import catalog
from zhujian.figures.periods import Period

#: The group key of the figure evaluated over the whole unit (no grouping).
ALL = ""


def _shift(period: Period, years: int) -> Period:
    for _ in range(years):
        period = period.previous_year()
    return period


def evaluate_grouped(
    ids: Iterable[str],
    periods: Sequence[Period],
    unit: OrgUnit | None = None,
    user: User | None = None,
    group_length: int | None = None,
    group_keys: Iterable[str] = (),
) -> dict[str, dict[str, dict[str, Any]]]:
    """Values as ``result[figure_id][period.code][group]``.

    ``group_length`` groups records by the first ``group_length`` characters of their
    org unit's path (the path of the child unit they lie in); ``None`` gives one group,
    :data:`ALL`. Aggregates over one model cost one query for all periods and groups.
    Computed figures are evaluated per period only (group :data:`ALL`); settings are the
    same everywhere. ``group_keys`` are groups to report even without records (their
    aggregates are empty: 0 for counts and sums).
    """
    ids = list(ids)
    ctx = catalog.EvalContext(periods[0] if periods else Period.parse("2022"), unit, user)
    needed = catalog.expand(ids)
    # (figure id, years back, period code) -> {group: value}
    values: dict[tuple[str, int, str], dict[str, Any]] = {}
    by_model: dict[type[models.Model], list[tuple[catalog.Aggregate, int]]] = defaultdict(list)
    for fid, back in needed:
        fig = catalog.get(fid)
        if isinstance(fig, catalog.Aggregate):
            by_model[fig.model].append((fig, back))

    keys = [ALL] if group_length is None else list(group_keys)
    unit_paths: dict[int, str] | None = None
    for model, figs in by_model.items():
        exprs: dict[str, models.Aggregate] = {}
        slots: list[tuple[str, catalog.Aggregate, int, Period]] = []
        bounds = _date_bounds(model, {fig.date for fig, _ in figs if fig.date})
        for fig, back in figs:
            for period in periods:
                shifted = _shift(period, back)
                covered = _date_coverage(fig, shifted, bounds)
                if covered == "none":
                    for key in keys:  # nothing is dated that early: no column to compute
                        values.setdefault((fig.id, back, period.code), {})[key] = fig.empty()
                    continue
                alias = f"f{len(slots)}"
                # every record's date lies inside the period: the date test is always true
                column = replace(fig, mode="all") if covered == "all" else fig
                exprs[alias] = column.expression(shifted)
                slots.append((alias, fig, back, period))
        if not exprs:
            continue
        qs = ctx.base(model)
        if group_length is None:
            rows = [{"grp": ALL, **qs.aggregate(**exprs)}]
        elif all(fig.func != "distinct" for _, fig, _, _ in slots):
            # Aggregate per org unit (no join, no string cut per record), then add the
            # units up into the compared ones here: a county has a few hundred units.
            if unit_paths is None:
                unit_paths = dict(OrgUnit.objects.values_list("pk", "path"))
            funcs = {alias: fig.func for alias, fig, _, _ in slots}
            groups: dict[str, dict[str, Any]] = {}
            for row in qs.order_by().values("org_unit_id").annotate(**exprs):
                path = unit_paths.get(row.pop("org_unit_id"), "")
                group = groups.setdefault(path[:group_length], {"grp": path[:group_length]})
                for alias, value in row.items():
                    group[alias] = _combine(funcs[alias], (group.get(alias), value))
            rows = list(groups.values())
        else:  # distinct counts do not add up across units: group in SQL
            rows = list(
                qs.annotate(grp=Substr("org_unit__path", 1, group_length))
                .order_by()
                .values("grp")
                .annotate(**exprs)
            )
        for alias, fig, back, period in slots:
            cell = values.setdefault((fig.id, back, period.code), {})
            for key in keys:
                cell[key] = fig.empty()
            for row in rows:
                value = row[alias]
                cell[row["grp"]] = fig.empty() if value is None else value

    for fid, back in needed:
        fig = catalog.get(fid)
        for period in periods:
            key = (fid, back, period.code)
            if isinstance(fig, catalog.Formula):
                inputs = [
                    values.get((a, back + extra, period.code), {}) for a, extra in fig.inputs()
                ]
                present = set(keys).union(*inputs) - ({ALL} if group_length else set())
                values[key] = {
                    g: fig.fn(*[_input(i, g, a) for i, a in zip(inputs, fig.inputs(), strict=True)])
                    for g in present
                }
            elif isinstance(fig, catalog.Computed):
                shifted = catalog.EvalContext(_shift(period, back), unit, user)
                values[key] = {ALL: fig.fn(shifted)} if group_length is None else {}
            elif isinstance(fig, catalog.Setting):
                values[key] = {ALL: catalog.setting_value(fig)}

    out: dict[str, dict[str, dict[str, Any]]] = {}
    for fid in ids:
        out[fid] = {p.code: values.get((fid, 0, p.code), {}) for p in periods}
    return out


def _indexed(model: type[models.Model], name: str) -> bool:
    """Whether ``name`` leads an index of ``model`` (so its minimum is one index probe)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    if field.db_index or field.unique:
        return True
    return any(index.fields and index.fields[0] == name for index in model._meta.indexes)


def _date_bounds(model: type[models.Model], names: set[str]) -> dict[str, tuple[Any, Any, bool]]:
    """(earliest, latest, nullable) of each indexed date field of ``model`` over all its
    records (``None``: no record has one). One query for the model, made of single
    ``MIN``/``MAX`` selects that both SQLite and PostgreSQL answer from the index."""
    fields = [
        model._meta.get_field(name)
        for name in sorted(names)
        if "__" not in name and _indexed(model, name)
    ]
    if not fields:
        return {}
    connection = connections[router.db_for_read(model)]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    sql = " UNION ALL ".join(
        f"SELECT {func}({qn(f.column)}) FROM {table}" for f in fields for func in ("MIN", "MAX")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        found = [row[0] for row in cursor.fetchall()]
    out: dict[str, tuple[Any, Any, bool]] = {}
    for i, f in enumerate(fields):
        first, last = (
            None if v is None else _as_date(f.to_python(v)) for v in found[2 * i : 2 * i + 2]
        )
        out[f.name] = (first, last, f.null)
    return out


def _as_date(value: Any) -> Any:
    return value.date() if isinstance(value, dt.datetime) else value


def _date_coverage(
    fig: catalog.Aggregate, period: Period, bounds: dict[str, tuple[Any, Any, bool]]
) -> str:
    """How ``fig``'s date condition for ``period`` meets the records' dates: ``"none"``
    when no record is dated on or before the period's end (e.g. last year's value of a
    ledger kept since this year: the figure is empty without a query), ``"all"`` when
    every record has a date inside the period (the test can be left out), else ``"some"``.
    """
    if fig.date not in bounds or fig.mode not in ("within", "asof"):
        return "some"
    first, last, nullable = bounds[fig.date]
    if first is None or first > period.end:
        return "none"
    lower = period.start if fig.mode == "within" and not period.as_of else None
    if not nullable and last <= period.end and (lower is None or first >= lower):
        return "all"
    return "some"


def _input(cell: dict[str, Any], group: str, arg: tuple[str, int]) -> Any:
    """An input of a formula for one group: a missing group had no records (empty value)."""
    if group in cell:
        return cell[group]
    if ALL in cell:  # a setting: the same for every group
        return cell[ALL]
    fig = catalog.get(arg[0])
    return fig.empty() if isinstance(fig, catalog.Aggregate) else None


def splittable(figure_id: str) -> bool:
    """Whether a figure can be evaluated per unit here: aggregates and formulas of them."""
    return all(
        isinstance(catalog.get(fid), (catalog.Aggregate, catalog.Formula, catalog.Setting))
        for fid, _back in catalog.expand([figure_id])
    ) and not isinstance(catalog.get(figure_id), catalog.Setting)


def child_units(unit: OrgUnit | None, user: User | None = None) -> list[OrgUnit]:
    """The units a breakdown compares: the 乡镇/街道 of the county, or the 村/社区 of a 乡镇."""
    if unit is None or unit.kind == "county":
        qs = OrgUnit.objects.townships()
        if unit is not None:
            qs = qs.filter(path__startswith=unit.path)
    else:
        qs = OrgUnit.objects.filter(parent=unit)
    if user is not None:
        from zhujian.core import scope

        qs = scope.restrict(qs, user)
    return list(qs.order_by("sort", "path"))


def by_unit(
    ids: Iterable[str],
    period: Period,
    unit: OrgUnit | None = None,
    user: User | None = None,
) -> tuple[list[OrgUnit], dict[str, list[Any]]]:
    """Each figure's value in each child unit of ``unit`` (townships of the county).

    Returns the child units and, per figure id, a list of values in the same order
    (``None`` where a figure cannot be split, e.g. a computed one).
    """
    children = child_units(unit, user)
    if not children:
        return [], {fid: [] for fid in ids}
    length = len(children[0].path)
    children = [c for c in children if len(c.path) == length]
    grouped = evaluate_grouped(
        ids, [period], unit, user, group_length=length, group_keys=[c.path for c in children]
    )
    result = {
        fid: [per_period[period.code].get(c.path) for c in children]
        for fid, per_period in grouped.items()
    }
    return children, result


def months(period: Period, limit: int = 24) -> list[Period]:
    """The calendar months a trend chart shows for ``period``.

    From January of the period's last year (or the period's start, if earlier) to the
    month the period ends in — so a half-year shows its year to date — at most ``limit``.
    """
    end = period.end
    start = min(period.start, dt.date(end.year, 1, 1))
    out: list[Period] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(Period.parse(f"{year}-{month:02d}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out[-limit:]


def _by_condition(
    fig: catalog.Aggregate, periods: Sequence[Period]
) -> list[tuple[models.Q | None, list[Period]]]:
    """``periods`` partitioned by the figure's condition (besides its date range) for each."""
    if not callable(fig.where):
        return [(fig.where, list(periods))]
    parts: list[tuple[models.Q | None, list[Period]]] = []
    for period in periods:
        where = fig.where(period)
        for cond, members in parts:
            if cond == where:
                members.append(period)
                break
        else:
            parts.append((where, [period]))
    return parts


def _month_key(value: Any) -> tuple[int, int] | None:
    return None if value is None else (value.year, value.month)


def _combine(func: str, values: Iterable[Any]) -> Any:
    present = [v for v in values if v is not None]
    if func in ("count", "sum"):
        return sum(present) if present else None
    if not present:
        return None
    return min(present) if func == "min" else max(present)


def evaluate_months(
    ids: Iterable[str],
    month_periods: Sequence[Period],
    unit: OrgUnit | None = None,
    user: User | None = None,
) -> dict[str, dict[str, Any]]:
    """Values as ``result[figure_id][month.code]`` for calendar-month periods.

    Aggregates are grouped by the month of their date field (``TruncMonth``): one query
    per model and date field, whatever the number of months, with one column per figure
    (or per distinct condition, when a figure's condition changes with the period, e.g.
    "this year's"). A figure counted "as of" a month end is the running total (or running
    min/max) of those months; only a distinct count as of a date needs a column per month.
    """
    ids = list(ids)
    ctx = catalog.EvalContext(
        month_periods[0] if month_periods else Period.parse("2022"), unit, user
    )
    needed = catalog.expand(ids)
    wanted: dict[str, set[Period]] = defaultdict(set)  # aggregate id -> the months it is needed for
    for fid, back in needed:
        if isinstance(catalog.get(fid), catalog.Aggregate):
            wanted[fid].update(_shift(m, back) for m in month_periods)

    values: dict[tuple[str, str], Any] = {}  # (figure id, month code) -> value
    # (model, date field) -> columns grouped by month: (figure, its condition, its months)
    grouped: dict[tuple[type[models.Model], str], list[tuple[catalog.Aggregate, Any, list[Period]]]]
    grouped = defaultdict(list)
    columns: dict[type[models.Model], list[tuple[catalog.Aggregate, Period, list[Period]]]]
    columns = defaultdict(list)  # model -> (figure, period evaluated, months it answers)
    for fid, periods in wanted.items():
        fig = catalog.get(fid)
        assert isinstance(fig, catalog.Aggregate)
        for where, members in _by_condition(fig, sorted(periods, key=lambda p: p.start)):
            if fig.date is None or fig.mode == "all":  # the same value in every month
                columns[fig.model].append((fig, members[0], members))
            elif fig.mode == "within" or fig.func != "distinct":
                grouped[(fig.model, fig.date)].append((fig, where, members))
            else:
                columns[fig.model].extend((fig, m, [m]) for m in members)

    for (model, date), cols in grouped.items():
        exprs = {
            f"f{i}": replace(fig, mode="all", where=where).expression(members[0])
            for i, (fig, where, members) in enumerate(cols)
        }
        # Only rows dated up to the last month asked for (and, when every column counts
        # "within" its month, from the first): records without the date — most households
        # have no rectification date — never reach the month truncation.
        span = {f"{date}__lte": max(m.end for *_, members in cols for m in members)}
        if all(fig.mode == "within" for fig, *_ in cols):
            span[f"{date}__gte"] = min(m.start for *_, members in cols for m in members)
        per_month: dict[tuple[int, int], dict[str, Any]] = {}
        field = model._meta.get_field(date)
        if (
            isinstance(field, models.DateField)
            and not isinstance(field, models.DateTimeField)
            and all(fig.func != "distinct" for fig, *_ in cols)
        ):
            # Group by the date itself and add the days up into months here: SQLite has no
            # native month truncation (Django's is a Python function called per row), and
            # the date's index gives the rows already in order.
            days = ctx.base(model).filter(**span).order_by().values(date).annotate(**exprs)
            funcs = {f"f{i}": fig.func for i, (fig, *_rest) in enumerate(cols)}
            for row in days:
                if (key := _month_key(row.pop(date))) is None:
                    continue
                month = per_month.setdefault(key, {})
                for alias, value in row.items():
                    month[alias] = _combine(funcs[alias], (month.get(alias), value))
        else:
            rows = (
                ctx.base(model)
                .filter(**span)
                .annotate(_month=TruncMonth(date))
                .order_by()
                .values("_month")
                .annotate(**exprs)
            )
            for row in rows:
                if (key := _month_key(row.pop("_month"))) is not None:
                    per_month[key] = row
        months_sorted = sorted(per_month)
        for i, (fig, _where, members) in enumerate(cols):
            for period in members:
                key = (period.start.year, period.start.month)
                if fig.mode == "within":
                    value = per_month.get(key, {}).get(f"f{i}")
                else:
                    value = _combine(
                        fig.func, (per_month[k][f"f{i}"] for k in months_sorted if k <= key)
                    )
                values[(fig.id, period.code)] = fig.empty() if value is None else value

    for model, cols in columns.items():
        exprs = {f"f{i}": fig.expression(period) for i, (fig, period, _m) in enumerate(cols)}
        row = ctx.base(model).aggregate(**exprs)
        for i, (fig, _period, members) in enumerate(cols):
            value = row[f"f{i}"]
            for target in members:
                values[(fig.id, target.code)] = fig.empty() if value is None else value

    out: dict[str, dict[str, Any]] = {}
    for fid, back in needed:
        fig = catalog.get(fid)
        for month in month_periods:
            period = _shift(month, back)
            if isinstance(fig, catalog.Formula):
                args = [values.get((a, _shift(period, extra).code)) for a, extra in fig.inputs()]
                values[(fid, period.code)] = fig.fn(*args)
            elif isinstance(fig, catalog.Computed):
                values[(fid, period.code)] = fig.fn(catalog.EvalContext(period, unit, user))
            elif isinstance(fig, catalog.Setting):
                values[(fid, period.code)] = catalog.setting_value(fig)
    for fid in ids:
        out[fid] = {m.code: values.get((fid, m.code)) for m in month_periods}
    return out


def by_month(
    ids: Iterable[str],
    period: Period,
    unit: OrgUnit | None = None,
    user: User | None = None,
    previous_year: bool = True,
) -> tuple[list[Period], dict[str, list[Any]], dict[str, list[Any]]]:
    """Each figure for each month of ``period``'s year to date, and for last year's months.

    A figure counted "within" a period gives the month's new records; one counted "as of"
    gives its running total at each month end — the figure's own meaning, so a point and
    its drill-down (``?period=2022-05``) agree. Returns (months, this year, last year).
    """
    ids = list(ids)
    this = months(period)
    last = [m.previous_year() for m in this] if previous_year else []
    values = evaluate_months(ids, this + last, unit, user)
    now = {fid: [values[fid][m.code] for m in this] for fid in ids}
    before = {fid: [values[fid][m.code] for m in last] for fid in ids}
    return this, now, before


__all__ = [
    "ALL",
    "by_month",
    "by_unit",
    "child_units",
    "evaluate_grouped",
    "evaluate_months",
    "months",
    "splittable",
]
