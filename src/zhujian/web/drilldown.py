"""What a figure's drill-down adds to its list of records: a 合计 row over the whole list,
and, for a rate, the records missing from it (the hazards found but not rectified, not only
the two counts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Sum

from zhujian.core import personal
from zhujian.core.models import OrgUnit, User
from zhujian.core.registry import Ledger
from zhujian.figures import catalog
from zhujian.figures.periods import Period


@dataclass
class Missing:
    """The records counted in a rate's denominator and not in its numerator."""

    numerator: catalog.Figure
    denominator: catalog.Figure
    records: models.QuerySet

    @property
    def title(self) -> str:
        return f"未计入“{self.numerator.label}”的{self.denominator.label}"


def missing(
    figure: catalog.Figure, period: Period, unit: OrgUnit | None, user: User
) -> Missing | None:
    """For a rate of two counts over one ledger: the denominator's records that are not
    in the numerator, under the viewer's scope; None for any other figure."""
    if not isinstance(figure, catalog.Formula) or figure.how != "rate":
        return None
    inputs = figure.inputs()
    if len(inputs) != 2 or any(back for _, back in inputs):
        return None
    (num_id, _), (den_id, _) = inputs
    top = catalog.records(num_id, period, unit, user)
    bottom = catalog.records(den_id, period, unit, user)
    if top is None or bottom is None or top.model is not bottom.model:
        return None
    return Missing(
        catalog.get(num_id), catalog.get(den_id), bottom.exclude(pk__in=top.values("pk"))
    )


def summable(ledger: Ledger, column: str) -> bool:
    """A column whose values add up: a plain number field (not a choice, not personal)."""
    if "__" in column or personal.is_personal(ledger, column):
        return False
    field = ledger.field(column)
    return (
        isinstance(field, models.IntegerField | models.DecimalField | models.FloatField)
        and not field.choices
        and not field.primary_key
        and not isinstance(field, models.PositiveBigIntegerField | models.BigAutoField)
    )


def totals(ledger: Ledger, columns: list[str], qs: models.QuerySet) -> list[Any]:
    """The 合计 row: the record count in the first column, the sum of each number column
    over every record of ``qs`` (not just the page), empty elsewhere. One query."""
    sums = [c for c in columns if summable(ledger, c)]
    found = qs.order_by().aggregate(**{f"s{i}": Sum(c) for i, c in enumerate(sums)}) if sums else {}
    by_column = {c: found.get(f"s{i}") for i, c in enumerate(sums)}
    row: list[Any] = []
    for i, column in enumerate(columns):
        if i == 0:
            row.append("合计")
        elif column in by_column:
            value = by_column[column]
            row.append(0 if value is None else value)
        else:
            row.append("")
    return row
