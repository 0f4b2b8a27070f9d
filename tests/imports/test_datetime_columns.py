"""Date-time columns: Excel has no time zones, so they travel as local time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhujian.imports.columns import CellError, format_datetime, parse_datetime


def test_a_written_date_time_is_read_in_the_servers_zone():
    moment = parse_datetime("2022-06-01 08:30")
    assert timezone.is_aware(moment)
    assert timezone.localtime(moment).replace(tzinfo=None) == dt.datetime(2022, 6, 1, 8, 30)


def test_an_excel_time_is_rounded_to_the_second():
    moment = parse_datetime(dt.datetime(2022, 6, 1, 8, 29, 59, 999_700))
    assert timezone.localtime(moment).replace(tzinfo=None) == dt.datetime(2022, 6, 1, 8, 30)


def test_an_aware_time_is_exported_as_local_time_without_a_zone():
    moment = timezone.make_aware(dt.datetime(2022, 6, 1, 23, 5))
    assert format_datetime(moment) == dt.datetime(2022, 6, 1, 23, 5)
    assert parse_datetime(format_datetime(moment)) == moment


@pytest.mark.parametrize("text", ["2022-13-01 08:00", "明天上午", "1800-01-01 08:00"])
def test_a_bad_date_time_is_a_cell_error(text):
    with pytest.raises(CellError):
        parse_datetime(text)
