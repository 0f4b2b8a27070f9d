"""``zhujian audit``: the tamper-evident security audit log (``zhujian.core.audit``).

- ``zhujian audit verify`` walks the SM3 hash chain; exit status 1 and the first broken
  link when a record was edited, deleted, inserted or moved;
- ``zhujian audit prune [--days N]`` deletes records older than the retention
  (``ZHUJIAN_AUDIT_RETENTION_DAYS``, never under 184 days), leaving a signed checkpoint;
- ``zhujian audit export -o FILE.csv [--since YYYY-MM-DD] [--user LOGIN]`` writes the
  records (for the audit administrator); the export is itself recorded.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhujian.core import audit


class Command(BaseCommand):
    help = "安全审计记录：verify 校验哈希链，prune 清理过期记录，export 导出"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验审计记录的 SM3 哈希链，指出第一个断点")
        prune = sub.add_parser("prune", help="删除超过保存期限的审计记录（至少保存184天）")
        prune.add_argument("--days", type=int, default=None, help="保存天数，默认按设置")
        export = sub.add_parser("export", help="导出审计记录（CSV）")
        export.add_argument("-o", "--output", required=True)
        export.add_argument("--since", type=dt.date.fromisoformat, default=None)
        export.add_argument("--user", default="", help="导出人登录名（记入审计记录）")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify":
            verdict = audit.verify()
            if not verdict.ok:
                raise CommandError(verdict.message())
            self.stdout.write(verdict.message())
        elif action == "prune":
            try:
                count = audit.prune(options["days"])
            except audit.PruneRefused as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"已清理 {count} 条审计记录，保存期 {options['days'] or audit.retention_days()} 天"
            )
        else:
            rows = 0
            with open(options["output"], "w", newline="", encoding="utf-8-sig") as fh:
                out = csv.writer(fh)
                out.writerow(audit.EXPORT_HEADER)
                for row in audit.export_rows(options["since"]):
                    out.writerow(row)
                    rows += 1
            audit.record(
                audit.Kind.AUDIT,
                f"命令行导出审计记录 {rows} 条",
                username=options["user"] or "命令行",
            )
            self.stdout.write(f"已导出 {rows} 条审计记录到 {options['output']}")
