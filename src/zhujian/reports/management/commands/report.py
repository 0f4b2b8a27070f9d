from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhujian.core.models import OrgUnit
from zhujian.figures.periods import Period, PeriodError
from zhujian.reports import coverage
from zhujian.reports.build import build_report, ensure_default_template, get_template
from zhujian.reports.models import ReportTemplate
from zhujian.reports.render import RENDERERS, write


class Command(BaseCommand):
    help = "Write the half-year summary (or another template) for a period, or show its coverage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--period", default="2022H1", help="2022H1, 2022, 2022Q3, 2022-05, @2022-06-30 …"
        )
        parser.add_argument("--unit", help="org unit code (default: the whole county)")
        parser.add_argument("--template", help="template name (default: the default template)")
        parser.add_argument("--format", choices=sorted(RENDERERS), default="txt")
        parser.add_argument(
            "-o", "--output", help="file to write (default: standard output for txt/md)"
        )
        parser.add_argument(
            "--all-formats", action="store_true", help="write every format into the -o folder"
        )
        parser.add_argument(
            "--coverage", action="store_true", help="list what fills each mark of the template"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = Period.parse(options["period"])
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        unit = None
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"没有代码为 {options['unit']} 的单位")
        ensure_default_template()
        try:
            template = get_template(options["template"])
        except ReportTemplate.DoesNotExist:
            raise CommandError(f"没有名为 {options['template']!r} 的报告模板") from None
        if options["coverage"]:
            self.coverage(template, period, unit)
            return
        report = build_report(period, unit, template=template)
        if options["all_formats"]:
            folder = Path(options["output"] or "var/reports")
            stem = f"{template.name}-{period.code}" + (f"-{unit.code}" if unit else "")
            for fmt in RENDERERS:
                path = write(report, fmt, folder / f"{stem}.{fmt}")
                self.stdout.write(f"已写出 {path}")
            return
        fmt = options["format"]
        if options["output"]:
            path = write(report, fmt, options["output"])
            self.stdout.write(f"已写出 {path}")
        elif fmt in ("txt", "md", "html"):
            self.stdout.write(RENDERERS[fmt](report).decode("utf-8"), ending="")
        else:
            raise CommandError(f"{fmt} 格式需要用 -o 指定输出文件")

    def coverage(self, template: ReportTemplate, period: Period, unit: OrgUnit | None) -> None:
        items = coverage.marks(template.body, period)
        report = build_report(period, unit, template=template)
        shown = [f for f in report.marks]
        for mark, fragment in zip(items, shown, strict=True):
            target = mark.figure_id or "—"
            self.stdout.write(
                f"#{mark.number:<3} 第{mark.line:>2}行  {mark.source:<8} {target:<40} "
                f"{fragment.text:<12} {mark.description}"
            )
        self.stdout.write(coverage.summary(items))
