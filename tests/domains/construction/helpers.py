"""Shared bits of the construction tests."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhujian.figures.catalog import evaluate
from zhujian.figures.periods import Period

H1 = Period.parse("2022H1")


def messages(obj) -> dict[str, list[str]]:
    """The Chinese messages ``obj``'s rules give, by field (derive first, as every path does)."""
    with pytest.raises(ValidationError) as exc:
        obj.derive()
        obj.clean()
    return exc.value.message_dict


def value(fid: str, period: Period = H1, unit=None):
    return evaluate([fid], period, unit)[fid].value


def within(qs, field: str, period: Period = H1):
    return qs.filter(**{f"{field}__gte": period.start, f"{field}__lte": period.end})
