"""Accounts the hazard tests act as."""

from __future__ import annotations

from typing import Any

from zhujian.core.models import Role, User


def township_of(record: Any) -> User:
    """The demo township account of the 乡镇/街道 a record lies in (its 整改责任单位)."""
    return User.objects.get(role=Role.TOWNSHIP, org_unit=record.org_unit.township())
