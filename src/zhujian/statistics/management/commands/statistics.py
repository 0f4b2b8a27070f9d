from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhujian.figures.periods import MAX_YEAR, MIN_YEAR
from zhujian.statistics import checks, compute, coverage
from zhujian.statistics.render import RENDERERS
from zhujian.statistics.tables import SCOPES


class Command(BaseCommand):
    help = "Write the annual 城乡建设统计 return (县城 or 村镇) for a year, or show its coverage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=2022, help="statistical year")
        parser.add_argument("--scope", choices=sorted(SCOPES), default="county")
        parser.add_argument("--town", help="code of one 乡镇 (村镇 return only)")
        parser.add_argument("--format", choices=sorted(RENDERERS), default="xlsx")
        parser.add_argument("-o", "--output", help="file to write")
        parser.add_argument(
            "--coverage", action="store_true", help="list where each indicator comes from"
        )
        parser.add_argument("--check", action="store_true", help="run the 审核关系 only")

    def handle(self, *args: Any, **options: Any) -> None:
        year, scope = options["year"], options["scope"]
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CommandError(f"统计年度应在 {MIN_YEAR}–{MAX_YEAR} 之间")
        if options["coverage"]:
            found = coverage.items(scope)
            for item in found:
                self.stdout.write(
                    f"{item.table.number:<6} {item.row.code:>3} {item.row.label:<18} "
                    f"{coverage.LABELS[item.source]:<6} {item.row.figure or '—':<34} "
                    f"{item.description}"
                )
            self.stdout.write(coverage.summary(found))
            return
        try:
            filled = compute.fill(scope, year, town=options["town"])
        except compute.ScopeDenied as exc:
            raise CommandError(str(exc)) from None
        findings = checks.run(filled)
        for f in findings:
            self.stderr.write(f"审核 {f.check.code}：{f.message}")
        if options["check"]:
            self.stdout.write(f"审核：{len(findings)} 项未通过" if findings else "审核：全部通过")
            if any(f.blocking for f in findings):
                raise CommandError("审核未通过")
            return
        if not options["output"]:
            raise CommandError("请用 -o 指定输出文件")
        fmt = options["format"]
        data = RENDERERS[fmt](filled, findings) if fmt == "html" else RENDERERS[fmt](filled)
        path = Path(options["output"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.stdout.write(
            f"已写出 {path}（审核：{'全部通过' if not findings else f'{len(findings)} 项未通过'}）"
        )
