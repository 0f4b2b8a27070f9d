"""How pages write numbers and dates (web/numbers.py), the periods people type
(figures/periods.normalize) and the colour of a change (good or bad, not up or down)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhujian.core.models import OrgUnit
from zhujian.figures import catalog
from zhujian.figures.periods import Period, PeriodError, normalize
from zhujian.web import dashboard, numbers
from zhujian.web.templatetags import zhujian_ui


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (None, None, "—"),
        ("", None, "—"),
        (0, None, "0"),
        (Decimal("0.00"), None, "0"),
        (0, 1, "0.0"),
        (12345, None, "12,345"),
        (-1234567, None, "-1,234,567"),
        (Decimal("1234567.891"), None, "1,234,567.891"),
        (Decimal("1234567.891"), 1, "1,234,567.9"),
        (Decimal("12.30"), None, "12.3"),
        (Decimal("-0.5"), None, "-0.5"),
        (Decimal("1E+3"), None, "1,000"),
        (float("nan"), None, "—"),
        ("已办结", None, "已办结"),
        (True, None, "是"),
    ],
)
def test_numbers_are_grouped_and_zero_is_not_empty(value, decimals, shown) -> None:
    assert numbers.number(value, decimals) == shown


def test_amounts_read_in_wan_yuan_from_ten_thousand() -> None:
    assert numbers.money(Decimal("1234567")) == ("123.46", "万元")
    assert numbers.money(9800) == ("9,800", "元")
    assert numbers.money(0) == ("0", "元")
    assert numbers.money(None) == ("—", "")
    assert zhujian_ui.wan(Decimal("25000")) == "2.50万元"


def test_dates_carry_the_year_and_months_read_in_chinese() -> None:
    assert numbers.day(dt.date(2022, 6, 30)) == "2022年6月30日"
    assert numbers.month(dt.date(2022, 6, 1)) == "2022年6月"
    assert numbers.day(None) == "—"
    assert zhujian_ui.num(1234, "x") == "1,234"  # a bad template argument is ignored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("2022年上半年", "2022H1"),
        ("2022年下半年", "2022H2"),
        ("2022上半年", "2022H1"),
        ("2022H1", "2022H1"),
        ("2022h2", "2022H2"),
        (" 2022 年 6 月 ", "2022-06"),
        ("2022年6月", "2022-06"),
        ("2022.6", "2022-06"),
        ("2022-5", "2022-05"),
        ("２０２２年第二季度", "2022Q2"),
        ("2022年三季度", "2022Q3"),
        ("2022Q4", "2022Q4"),
        ("2022年", "2022"),
        ("2022年度", "2022"),
        ("截至2022年6月30日", "@2022-06-30"),
        ("2022-06-30", "@2022-06-30"),
        ("@2022-06-30", "@2022-06-30"),
        ("2022年1月1日至2022年6月30日", "2022-01-01..2022-06-30"),
    ],
)
def test_periods_are_read_as_people_type_them(typed, code) -> None:
    assert Period.parse(typed).code == code


def test_period_labels_read_in_chinese() -> None:
    assert Period.parse("2022-06").label == "2022年6月"
    assert Period.parse("2022年上半年").label == "2022年上半年"
    assert Period.parse("2022-01-01..2022-06-30").label == "2022年1月1日至2022年6月30日"


@pytest.mark.parametrize(
    "bad", ["上半年", "2022年第五季度", "2022年13月", "二〇二二年", "x" * 500, "2022年2月30日", ""]
)
def test_garbage_is_refused_in_chinese(bad) -> None:
    if bad == "":
        assert normalize(bad) == ""
    with pytest.raises(PeriodError, match=r"期间|月份|日期"):
        Period.parse(bad)


def _fig(good: str) -> catalog.Aggregate:
    return catalog.Aggregate(id="gas.x", label="x", model=OrgUnit, unit="条", good=good)


def test_a_change_is_coloured_by_what_the_figure_declares_good() -> None:
    assert dashboard.change(10, 5, _fig("up")).tone == "good"
    assert dashboard.change(10, 5, _fig("down")).tone == "bad"
    assert dashboard.change(3, 5, _fig("down")).tone == "good"
    assert dashboard.change(10, 5, _fig("")).tone == ""  # neutral: no colour
    assert dashboard.change(5, 5, _fig("up")).tone == ""
    assert dashboard.change(5, None, _fig("up")).tone == ""
    rate = catalog.get("gas.hazards_rate")
    overdue = catalog.get("gas.hazards_overdue")
    assert rate.good == "up" and overdue.good == "down"
    # a rising rectification rate and falling overdue hazards are both good news
    assert dashboard.change(Decimal("90"), Decimal("80"), rate).tone == "good"
    assert dashboard.change(2, 6, overdue).tone == "good"
    assert dashboard.change(6, 2, overdue).tone == "bad"


def test_a_figure_declares_only_up_down_or_neutral() -> None:
    with pytest.raises(ValueError, match="good"):
        _fig("better")


def test_headline_figures_show_grouped_numbers() -> None:
    fig = catalog.get("toilet.problem_households")
    assert dashboard.display(123456, fig) == ("123,456", "户")
    assert dashboard.display(0, fig) == ("0", "户")
    assert dashboard.display(None, fig) == ("—", "")
