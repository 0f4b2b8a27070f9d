"""``zhujian remind``: tell each user what is theirs to do, overdue or due soon.

Run daily by ``deploy/systemd/zhujian-remind.timer``. One notice per user with work in
their 待办 (the same lists the workbench shows), through every configured channel
(``core.notify``); ``--dry-run`` prints who would be told.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from zhujian.core import notify
from zhujian.core.models import User
from zhujian.web import workbench


def notice_for(user: User, today: dt.date) -> notify.Message | None:
    """The user's reminder: due-soon and overdue steps that are the user's to take."""
    mine = workbench.pending(user, today)
    late = [i for i in mine if i.days_left is not None and i.days_left < 0]
    soon = [
        i
        for i in mine
        if i.days_left is not None
        and 0 <= i.days_left <= (i.workflow.soon_days() if i.workflow else 7)
    ]
    if not (late or soon):
        return None
    lines = [f"{i.obj}：{i.next_action}" for i in [*late, *soon][:20]]
    more = len(late) + len(soon) - len(lines)
    if more > 0:
        lines.append(f"……另有 {more} 件")
    return notify.Message(
        subject=f"待办提醒：逾期 {len(late)} 件，临期 {len(soon)} 件",
        body="\n".join(lines),
        url="/workbench/",
    )


class Command(BaseCommand):
    help = "按各流程的提醒天数，向有逾期或临期待办的用户发送提醒"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只列出将提醒谁，不发送")
        parser.add_argument("--as-of", help="按哪一天计算（YYYY-MM-DD，默认今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        today = dt.date.fromisoformat(options["as_of"]) if options.get("as_of") else dt.date.today()
        channels = notify.channels()
        told = 0
        for user in User.objects.filter(is_active=True).select_related("org_unit"):
            message = notice_for(user, today)
            if message is None:
                continue
            if options["dry_run"]:
                self.stdout.write(f"{user.username}：{message.subject}")
                continue
            if any([channel.send(message, user) for channel in channels]):
                told += 1
        if not options["dry_run"]:
            self.stdout.write(f"已提醒 {told} 位用户")
