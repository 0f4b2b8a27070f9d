"""Field validators of the LPG registers (messages in Chinese)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from zhujian.domains.lpg import conf

MASKED_ID = re.compile(r"^\d{3,6}\*{8,12}\d{3}[\dX]$")
STATION_CODE = re.compile(r"^[0-9A-Z-]{2,20}$")


def validate_cylinder_code(value: str) -> None:
    """The county's code format (一瓶一码), a setting."""
    if not conf.code_pattern().match(value or ""):
        raise ValidationError(
            "钢瓶编码格式不正确（应为8—20位大写字母或数字，与钢瓶二维码标签一致）",
            code="cylinder_code",
        )


def validate_masked_id(value: str) -> None:
    """Only a masked ID number is kept (e.g. 3713**********1234), never the full number."""
    if value and (len(value) != 18 or not MASKED_ID.match(value)):
        raise ValidationError(
            "身份证号只登记脱敏后的形式，如 3713**********1234（不保存完整号码）",
            code="masked_id",
        )


def validate_station_code(value: str) -> None:
    if not STATION_CODE.match(value or ""):
        raise ValidationError("编号应为2—20位大写字母、数字或“-”", code="station_code")
