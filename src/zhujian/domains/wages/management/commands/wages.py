"""``zhujian wages check [--month 2022-05] [--as-of 2022-06-25]``: the monthly arrears check,
and the check for attendance of workers not registered by real name (``wages.realname``).

Opens or updates one hazard per project with workers who had attendance in the month and
no payment from the special account by the pay day plus the grace days; running it again
changes nothing unless the data did. Without ``--month`` it checks the last
:data:`RECENT_MONTHS` months before the check date — what the daily timer
(``deploy/systemd/zhujian-wages-check.timer``) runs, so a late payment is caught as soon
as its grace period ends and a warning updates as payments arrive.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhujian.core import bounds

#: Months a check without ``--month`` looks at, counting back from the check date's month.
RECENT_MONTHS = 3


def _month(text: str) -> dt.date:
    try:
        year, month = (int(p) for p in text.strip().split("-"))
        day = dt.date(year, month, 1)
        bounds.check_date(day)
    except (ValueError, bounds.BoundsError):
        raise CommandError(f"月份“{text[:20]}”无效，应为 2022-05 格式") from None
    return day


def _day(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
        bounds.check_date(day)
    except (ValueError, bounds.BoundsError):
        raise CommandError(f"日期“{text[:20]}”无效，应为 2022-06-25 格式") from None
    return day


class Command(BaseCommand):
    help = "农民工工资：按月检查欠薪（有考勤、逾期未发放工资），登记或更新欠薪预警隐患。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="按月检查欠薪并登记隐患")
        check.add_argument(
            "--month", help=f"工资所属月份，如 2022-05（默认检查日期之前的{RECENT_MONTHS}个月）"
        )
        check.add_argument("--as-of", dest="as_of", help="检查日期（默认今天），如 2022-06-25")

    def handle(self, *args: Any, **options: Any) -> None:
        from zhujian.domains.wages import arrears, realname

        as_of = _day(options["as_of"]) if options.get("as_of") else dt.date.today()
        if options.get("month"):
            months = [_month(options["month"])]
        else:
            months, month = [], as_of.replace(day=1)
            for _ in range(RECENT_MONTHS):
                month = (month - dt.timedelta(days=1)).replace(day=1)
                months.append(month)
        for month in sorted(months):
            result = arrears.check(month, as_of)
            self.stdout.write(f"{month:%Y年%m月}：{result.summary()}")
            found = realname.check(month, as_of)  # attendance before real-name registration
            self.stdout.write(f"{month:%Y年%m月}：{found.summary()}")
