"""（三）村镇建设 figures: totals equal their parts, rates follow their counts, coverage."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhujian.figures.catalog import evaluate
from zhujian.figures.periods import Period

pytestmark = pytest.mark.django_db
H1 = Period.parse("2022H1")


def _values(*ids: str) -> dict:
    return {k: v.value for k, v in evaluate(ids, H1).items()}


def test_households_surveyed_is_renovated_plus_unrenovated() -> None:
    v = _values("toilet.households_surveyed")
    assert v["toilet.households_surveyed"] > 0
    assert v["toilet.households_surveyed"] == (
        v["toilet.renovated_households"] + v["toilet.unrenovated_households"]
    )


def test_selfbuilt_rates_are_relative_to_hazardous_houses() -> None:
    v = _values("selfbuilt.appraisal_rate", "selfbuilt.hazard_rate")
    assert (
        v["selfbuilt.appraisal_rate"]
        == Decimal(v["selfbuilt.appraised"] * 100) / v["selfbuilt.hazardous"]
    )
    assert (
        v["selfbuilt.hazard_rate"]
        == Decimal(v["selfbuilt.hazardous"] * 100) / v["selfbuilt.surveyed"]
    )


def test_dilapidated_figures_count_this_years_cases_only() -> None:
    v = _values("dilapidated.task", "dilapidated.started", "dilapidated.completed")
    assert 0 < v["dilapidated.completed"] <= v["dilapidated.started"] <= v["dilapidated.task"]


def test_section_three_and_its_plan_line_are_covered_from_records() -> None:
    from zhujian.reports.build import default_body
    from zhujian.reports.template import figure_ids

    body = default_body().splitlines()
    ids = [i for line in (body[6], body[22]) for i in figure_ids(line)]
    assert ids and all(v.value is not None for v in evaluate(ids, H1).values())
