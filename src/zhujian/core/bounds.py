"""Bounds every input path applies to a field's value: forms, the API and Excel imports.

The limits are the same whatever the database: SQLite would store 99999 in a small-integer
column and a 50 MB string in a text column, PostgreSQL would refuse the first, and both
would take a date in year 1, which no period can hold. One place decides, so a value a
form accepts is a value the API and an import accept too.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

# Dates a bureau's records can carry (periods are bounded the same way).
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
# Text fields without a max_length of their own (descriptions, notes).
TEXT_MAX_LENGTH = 10_000
# A number written with more characters than this is not a bureau's number.
NUMBER_MAX_CHARS = 40
# JSON a client or a public page sends (API bodies, scan batches, draw files): arrays and
# objects nested deeper than this are refused. Python's parser recurses once per level and
# raises RecursionError (a server error) somewhere near 1,000; no document of ours goes
# beyond 5.
JSON_MAX_DEPTH = 32
# Decimal exponents beyond this are refused before any arithmetic (1e999999999 would
# make int() run for minutes).
MAX_MAGNITUDE = 18


class BoundsError(ValueError):
    """The value is outside what the field may hold; the message is Chinese."""


def value_range(field: models.Field) -> tuple[Any, Any]:
    """The narrowest of the field's declared validators and, for integers, the column range
    every backend can hold."""
    lo, hi = BaseDatabaseOperations.integer_field_ranges.get(
        field.get_internal_type(), (None, None)
    )
    for validator in field._validators:  # the declared ones, not the backend's
        limit = getattr(validator, "limit_value", None)
        if limit is None or callable(limit):
            continue
        if isinstance(validator, MinValueValidator):
            lo = limit if lo is None else max(lo, limit)
        elif isinstance(validator, MaxValueValidator):
            hi = limit if hi is None else min(hi, limit)
    return lo, hi


def decimal_limit(field: models.Field) -> Decimal | None:
    """For a DecimalField: the smallest magnitude that no longer fits its digits."""
    if isinstance(field, models.DecimalField):
        return Decimal(10) ** (field.max_digits - field.decimal_places)
    return None


def text_max_length(field: models.Field) -> int | None:
    """Characters a text field may take (its own max_length, else the default bound)."""
    if getattr(field, "max_length", None):
        return field.max_length
    if isinstance(field, models.TextField):
        return TEXT_MAX_LENGTH
    return None


def to_decimal(value: Any) -> Decimal:
    """A finite Decimal of bounded magnitude, or :class:`BoundsError` — cheap whatever
    the input (no exact integer of a huge exponent is ever built)."""
    if isinstance(value, bool):
        raise BoundsError("应为数字")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BoundsError("不是有效数字（不能是无穷大或 NaN）")
        number = Decimal(repr(value))
    elif isinstance(value, int):
        if value.bit_length() > 64:
            raise BoundsError("数值超出范围")
        number = Decimal(value)
    else:
        text = str(value).strip().replace(",", "")
        if len(text) > NUMBER_MAX_CHARS:
            raise BoundsError("数字过长")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise BoundsError("应为数字") from None
    if not number.is_finite():
        raise BoundsError("不是有效数字（不能是无穷大或 NaN）")
    if number and number.adjusted() > MAX_MAGNITUDE:
        raise BoundsError("数值超出范围")
    return number


def check_range(value: Any, lo: Any, hi: Any) -> None:
    if lo is not None and value < lo:
        raise BoundsError(f"不能小于 {lo}")
    if hi is not None and value > hi:
        raise BoundsError(f"不能大于 {hi}")


def check_date(value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise BoundsError(f"日期超出范围（应在 {DATE_MIN.year}—{DATE_MAX.year} 年之间）")
    return value


def load_json(data: str | bytes, *, parse_constant: Any = None) -> Any:
    """``json.loads`` with nesting bounded by :data:`JSON_MAX_DEPTH`: invalid or too deeply
    nested JSON is a :class:`BoundsError` (a ``ValueError``) with a Chinese message, never
    a ``RecursionError``."""
    try:
        value = json.loads(data, parse_constant=parse_constant)
    except RecursionError:
        raise BoundsError(f"JSON 嵌套层数过多（最多 {JSON_MAX_DEPTH} 层）") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundsError(f"不是有效的 JSON：{exc}") from None
    check_json_depth(value)
    return value


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def check_json_depth(value: Any, limit: int = JSON_MAX_DEPTH) -> None:
    """Refuse a parsed JSON value nested deeper than ``limit`` (walked without recursion;
    only containers are stacked, tested by exact type first: a draw's round file of
    100,000 rows is half a million values)."""
    if not isinstance(value, dict | list):
        return
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise BoundsError(f"JSON 嵌套层数过多（最多 {limit} 层）")
        for child in item.values() if isinstance(item, dict) else item:
            if type(child) not in _JSON_SCALARS and isinstance(child, dict | list):
                stack.append((child, depth + 1))
