"""Filling a return: every cell is its row's figure evaluated over the column's units
for the statistical year (and, for the year-on-year checks, the year before)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models

from zhujian.core.models import OrgUnit, User
from zhujian.figures import catalog
from zhujian.figures.periods import Period
from zhujian.statistics import scopes
from zhujian.statistics.tables import Row, Scope, Table, figure_ids, tables_for

SEAT = "seat"  # the column key of the 县城
ALL_TOWNS = "all"  # the column key of the 村镇 total


class ScopeDenied(PermissionError):
    """The user may not open this return or this town (message in Chinese)."""


@dataclass(frozen=True)
class Column:
    key: str  # SEAT, ALL_TOWNS or a town's code
    label: str
    units: tuple[OrgUnit, ...]


@dataclass
class Filled:
    scope: Scope
    year: int
    columns: list[Column]
    tables: tuple[Table, ...]
    values: dict[str, dict[str, catalog.FigureValue]] = field(default_factory=dict)
    previous: dict[str, dict[str, catalog.FigureValue]] = field(default_factory=dict)
    user: User | None = None

    @property
    def period(self) -> Period:
        return Period.parse(str(self.year))

    def value(self, column: Column, figure_id: str, back: int = 0) -> Any:
        found = (self.previous if back else self.values)[column.key].get(figure_id)
        return None if found is None else found.value

    def cell(self, column: Column, row: Row) -> catalog.FigureValue | None:
        return self.values[column.key].get(row.figure) if row.figure else None

    def text(self, column: Column, row: Row) -> str:
        fv = self.cell(column, row)
        if fv is None or fv.value is None:
            return ""
        return catalog.format_number(fv.value, row.decimals)

    def number(self, column: Column, row: Row) -> Any:
        """The cell as written on the form (rounded to the row's decimals)."""
        text = self.text(column, row)
        if not text:
            return None
        return int(text) if row.decimals == 0 else float(text)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


def columns(scope: Scope, user: User | None = None, town: str | None = None) -> list[Column]:
    """The columns of a return ``user`` may open (every column if no user: the CLI).

    :class:`ScopeDenied` if the user may not see the 县城 return, or ``town`` is not a
    town of the 村镇 return within the user's scope."""
    if scope == "county":
        if user is not None and not scopes.can_see_county(user):
            raise ScopeDenied("县城建设统计年报汇总全县城数据，乡镇用户无权查看")
        return [Column(SEAT, "县城", tuple(scopes.county_seat()))]
    towns = scopes.towns(user)
    if town:
        towns = [t for t in towns if t.code == town]
        if not towns:
            raise ScopeDenied("没有这个乡镇，或不在您的管辖范围内")
    if not towns:
        raise ScopeDenied("您的单位不在村镇统计范围内（县城的街道填报县城年报）")
    cols = [Column(t.code, t.name, (t,)) for t in towns]
    if len(cols) > 1:
        cols.append(Column(ALL_TOWNS, "合计", tuple(towns)))
    return cols


def fill(scope: Scope, year: int, user: User | None = None, town: str | None = None) -> Filled:
    period = Period.parse(str(year))
    cols = columns(scope, user, town)
    filled = Filled(scope, year, cols, tables_for(scope), user=user)
    ids = needed_ids(scope)
    for col in cols:
        filled.values[col.key] = catalog.evaluate(ids, period, None, user, units=col.units)
        filled.previous[col.key] = catalog.evaluate(
            ids, period.previous_year(), None, user, units=col.units
        )
    return filled


def needed_ids(scope: Scope) -> list[str]:
    from zhujian.statistics.checks import checks_for

    ids = figure_ids(scope)
    for check in checks_for(scope):
        for ref in check.refs():
            if ref not in ids:
                ids.append(ref)
    return ids


def leaf_records(
    figure_id: str, period: Period, column: Column, user: User | None = None
) -> list[tuple[catalog.Figure, models.QuerySet]]:
    """The record sets behind a figure: its own, or those of the aggregates it is
    computed from."""
    out = []
    for fid, back in catalog.expand([figure_id]):
        p = period
        for _ in range(back):
            p = p.previous_year()
        qs = catalog.records(fid, p, None, user, units=column.units)
        if qs is not None:
            out.append((catalog.get(fid), qs))
    return out
