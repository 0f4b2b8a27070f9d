"""``zhujian accounts inactive [--disable]``: accounts unused for ``INACTIVE_DAYS`` (90);
``zhujian accounts role LOGIN ROLE``: set a role (三员分立 refusals apply here too)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhujian.core import accounts
from zhujian.core.models import Role, User


class Command(BaseCommand):
    help = "闲置账号报告与停用；设置账号角色"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        inactive = sub.add_parser("inactive", help="列出超过闲置天数未使用的账号")
        inactive.add_argument("--disable", action="store_true", help="同时停用这些账号")
        inactive.add_argument("--days", type=int, default=None, help="闲置天数（默认取参数）")
        role = sub.add_parser("role", help="设置账号角色")
        role.add_argument("login")
        role.add_argument("role", choices=Role.values)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "role":
            user = User.objects.filter(username=options["login"]).first()
            if user is None:
                raise CommandError(f"没有登录名为“{options['login']}”的账号")
            user.role = options["role"]
            try:
                user.full_clean(exclude=["password"])
                user.save()
            except ValidationError as exc:
                raise CommandError(
                    "；".join(m for ms in exc.message_dict.values() for m in ms)
                ) from None
            self.stdout.write(f"已将 {user.username} 设为{user.get_role_display()}")
            return
        days = options["days"]
        if days is not None and not 1 <= days <= 3650:
            raise CommandError(f"--days 应在 1 到 3650 之间（填写的是 {days}）")
        rows = accounts.inactive(days=days)
        for row in rows:
            seen = timezone.localtime(row.last_seen).strftime("%Y-%m-%d")
            what = "从未登录，创建于" if row.never else "最近登录或使用"
            self.stdout.write(
                f"{row.user.username}\t{row.user.role_label}\t{what} {seen}\t闲置 {row.days} 天"
            )
        n = accounts.disable(rows) if options["disable"] else 0
        used = days or accounts.INACTIVE_DAYS.get()
        self.stdout.write(
            f"超过 {used} 天未使用的账号 {len(rows)} 个" + (f"，已停用 {n} 个" if n else "")
        )
