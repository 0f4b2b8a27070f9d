"""Default, expired and unused accounts (等保 2.0 L3-CES1-06/07): the inactivity report.

An active account is *inactive* when neither a login nor an API token's use happened in
the last ``INACTIVE_DAYS`` (90) days; an account that never signed in counts from its
creation. ``zhujian accounts inactive [--disable]`` and the page 系统管理 › 闲置账号 list
them; disabling one sets ``is_active`` off (audited) and keeps the account and its history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from zhujian.core import params
from zhujian.core.models import User

INACTIVE_DAYS = params.declare(
    "安全",
    "INACTIVE_DAYS",
    "账号闲置天数（超过即列入闲置账号报告，可停用）",
    90,
    unit="日",
    min=1,
    max=90,
    source="GB/T 22239-2019 8.1.4.2 c）及时删除或停用多余的、过期的账户",
)


@dataclass(frozen=True)
class Inactive:
    user: User
    last_seen: dt.datetime
    days: int
    never: bool


def inactive(now: dt.datetime | None = None, days: int | None = None) -> list[Inactive]:
    """Active accounts with no login nor token use for ``days`` (the parameter)."""
    now = now or timezone.now()
    days = INACTIVE_DAYS.get() if days is None else days
    cutoff = now - dt.timedelta(days=days)
    qs = (
        User.objects.filter(is_active=True)
        .annotate(token_used=Max("api_tokens__last_used_at"))
        .annotate(
            seen=Greatest(
                Coalesce("last_login", "date_joined"),
                Coalesce("token_used", "last_login", "date_joined"),
            )
        )
        .filter(Q(seen__lt=cutoff))
        .select_related("org_unit")
        .order_by("seen", "username")
    )
    return [
        Inactive(u, u.seen, (now - u.seen).days, u.last_login is None and u.token_used is None)
        for u in qs
    ]


def disable(rows: list[Inactive], *, by: Any = None, request: Any = None) -> int:
    """Disable the listed accounts (audited, one event each)."""
    from zhujian.core import audit

    count = 0
    for row in rows:
        user = row.user
        User.objects.filter(pk=user.pk).update(is_active=False)
        audit.record(
            audit.Kind.USER,
            f"停用闲置账号 {user.username}（{row.days} 天未登录或使用接口令牌）",
            user=by,
            username="" if by is not None else "命令行",
            request=request,
        )
        count += 1
    return count
