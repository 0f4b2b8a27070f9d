import datetime as dt

import pytest

from zhujian.figures.periods import Period, PeriodError


@pytest.mark.parametrize(
    ("code", "start", "end", "label"),
    [
        ("2022", dt.date(2022, 1, 1), dt.date(2022, 12, 31), "2022年"),
        ("2022H1", dt.date(2022, 1, 1), dt.date(2022, 6, 30), "2022年上半年"),
        ("2022h2", dt.date(2022, 7, 1), dt.date(2022, 12, 31), "2022年下半年"),
        ("2022Q3", dt.date(2022, 7, 1), dt.date(2022, 9, 30), "2022年第三季度"),
        ("2022-05", dt.date(2022, 5, 1), dt.date(2022, 5, 31), "2022年5月"),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "2024年2月"),
        ("@2022-06-30", dt.date(2022, 1, 1), dt.date(2022, 6, 30), "截至2022年6月30日"),
    ],
)
def test_parse(code, start, end, label):
    period = Period.parse(code)
    assert (period.start, period.end, period.label) == (start, end, label)


def test_date_range_and_previous_year():
    period = Period.parse("2022-05-01..2022-05-07")
    assert period.previous_year() == Period(
        "2021-05-01..2021-05-07", dt.date(2021, 5, 1), dt.date(2021, 5, 7)
    )
    assert Period.parse("2022H1").previous_year().code == "2021H1"
    assert Period.parse("2024-02").previous_year().end == dt.date(2023, 2, 28)
    assert Period.parse("@2022-06-30").previous_year().as_of


@pytest.mark.parametrize("bad", ["2022H3", "2022-13", "下半年", "2022-06-30..2022-01-01"])
def test_bad_periods_say_what_is_wrong(bad):
    with pytest.raises(PeriodError, match=r"期间|月份|结束日期"):
        Period.parse(bad)
