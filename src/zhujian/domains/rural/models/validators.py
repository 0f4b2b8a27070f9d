"""Rules shared by the rural ledgers: masked ID numbers, village and township units."""

from __future__ import annotations

import re

from zhujian.core.models import TOWNSHIP_KINDS, VILLAGE_KINDS, OrgUnit

# 18-character 居民身份证号 with the 10 middle digits masked: 3713**********1234.
MASKED_ID_RE = re.compile(r"^\d{4}\*{10}\d{3}[\dX]$")
FULL_ID_RE = re.compile(r"^\d{17}[\dXx]$")


def mask_id_number(number: str) -> str:
    """The masked form of a full 18-digit ID number (keep the first 4 and last 4)."""
    number = number.strip().upper()
    return f"{number[:4]}{'*' * 10}{number[-4:]}"


def id_number_error(value: str) -> str | None:
    """Why ``value`` is not a masked ID number (None when it is)."""
    if not value:
        return None
    if FULL_ID_RE.match(value):
        return "不得保存完整身份证号，请填写脱敏后的号码（如 3713**********1234）"
    if not MASKED_ID_RE.match(value):
        return "身份证号应为脱敏格式：前4位 + 10个* + 后4位（如 3713**********1234）"
    return None


def unit_kind_error(unit: OrgUnit | None, kinds: tuple[str, ...], what: str) -> str | None:
    if unit is not None and unit.kind not in kinds:
        return f"应选择{what}"
    return None


def village_error(unit: OrgUnit | None) -> str | None:
    return unit_kind_error(unit, VILLAGE_KINDS, "村或社区")


def township_error(unit: OrgUnit | None) -> str | None:
    return unit_kind_error(unit, TOWNSHIP_KINDS, "乡镇或街道")
