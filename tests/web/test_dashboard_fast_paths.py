"""The dashboard's shortcuts (issue 10) give the same numbers as evaluating each figure
on its own: skipping periods before any record, leaving out a date test every record
passes, adding org units up into townships in Python, and grouping months by day."""

from __future__ import annotations

import pytest

from zhujian.core.models import OrgUnit
from zhujian.domains.rural.models import ToiletHousehold
from zhujian.figures import breakdown, catalog, headlines
from zhujian.figures.periods import Period

pytestmark = pytest.mark.django_db

PERIODS = [Period.parse(code) for code in ("2022H1", "2021H1", "2022Q1", "2022-03", "2023")]


def _ids() -> list[str]:
    entries = headlines.all_lines()
    ids = [fid for e in entries for fid in (*e.figures, *e.trends)]
    return [fid for fid in dict.fromkeys(ids) if breakdown.splittable(fid)]


def test_grouped_values_equal_evaluating_each_period(admin_user) -> None:
    ids = _ids()
    grouped = breakdown.evaluate_grouped(ids, PERIODS, None, admin_user)
    for period in PERIODS:
        single = catalog.evaluate(ids, period, None, admin_user)
        assert {f: grouped[f][period.code][breakdown.ALL] for f in ids} == {
            f: single[f].value for f in ids
        }, period.code


def test_the_shortcuts_are_taken_on_the_toilet_survey() -> None:
    """Otherwise the test above would not cover them."""
    bounds = breakdown._date_bounds(ToiletHousehold, {"surveyed_on", "rectified_on"})
    first, last, nullable = bounds["surveyed_on"]
    assert first is not None and not nullable
    fig = catalog.get("toilet.renovated_households")
    assert isinstance(fig, catalog.Aggregate) and fig.date == "surveyed_on"
    assert breakdown._date_coverage(fig, Period.parse("2021H1"), bounds) == "none"
    assert breakdown._date_coverage(fig, Period.parse(f"{last.year}"), bounds) == "all"
    assert breakdown._date_coverage(fig, Period.parse(f"{first:%Y-%m}"), bounds) in ("some", "all")


def test_by_unit_adds_units_up_to_each_townships_own_value(admin_user) -> None:
    ids = _ids()
    period = PERIODS[0]
    townships, values = breakdown.by_unit(ids, period, None, admin_user)
    assert len(townships) > 5
    for i, township in enumerate(townships[:6]):
        single = catalog.evaluate(ids, period, township, admin_user)
        for fid in ids:
            if isinstance(catalog.get(fid), catalog.Aggregate):
                assert values[fid][i] == single[fid].value, (fid, township.name)


def test_by_unit_of_a_township_groups_its_villages(admin_user) -> None:
    township = OrgUnit.objects.townships().order_by("path").first()
    fid = "toilet.problem_households"
    villages, values = breakdown.by_unit([fid], PERIODS[0], township, admin_user)
    total = catalog.evaluate([fid], PERIODS[0], township, admin_user)[fid].value
    assert villages and sum(v or 0 for v in values[fid]) == total


def test_months_grouped_by_day_equal_each_months_value(admin_user) -> None:
    ids = headlines.trend_figures()
    months = breakdown.months(PERIODS[0])
    values = breakdown.evaluate_months(ids, months, None, admin_user)
    for month in (months[0], months[2], months[-1]):
        single = catalog.evaluate(ids, month, None, admin_user)
        assert {f: values[f][month.code] for f in ids} == {f: single[f].value for f in ids}
