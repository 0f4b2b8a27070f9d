from __future__ import annotations

from django.core.management.base import CommandError

from zhujian.core.models import OrgUnit, User
from zhujian.core.registry import Ledger, registry


def get_ledger(name: str) -> Ledger:
    try:
        return registry.get(name)
    except KeyError as exc:
        raise CommandError(exc.args[0]) from None


def get_user(username: str) -> User:
    try:
        return User.objects.select_related("org_unit").get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"没有用户 {username!r}") from None


def get_unit(code: str) -> OrgUnit:
    try:
        return OrgUnit.objects.get(code=code)
    except OrgUnit.DoesNotExist:
        raise CommandError(f"没有代码为 {code!r} 的单位") from None


def system_user() -> User:
    """The user CLI commands act as when none is named: the first superuser."""
    user = User.objects.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        raise CommandError(
            "没有系统管理员账户：先运行 `zhujian demo` 或 `zhujian createsuperuser`，或用 --user 指定用户"
        )
    return user
