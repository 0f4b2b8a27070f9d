"""Build a report: evaluate every figure its template references, in few queries, and
lay the text out as lines of fragments that each renderer (txt, md, html, docx, xlsx)
turns into its format."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from zhujian.core.models import OrgUnit, User
from zhujian.figures import catalog
from zhujian.figures.catalog import FigureValue
from zhujian.figures.periods import Period
from zhujian.reports import template as tpl
from zhujian.reports.models import ReportTemplate

DEFAULT_DIR = Path(__file__).resolve().parent / "default"
DEFAULT_NAME = "住建局半年工作总结及下半年工作计划"
DEFAULT_TITLE = (
    "{{ general.county_name }}县住房和城乡建设局{{ =year }}年上半年工作总结及下半年工作计划"
)


def default_body() -> str:
    """The default template's text: one file per line of the seed, so that each business
    line's section can be edited on its own."""
    return "\n".join(
        p.read_text(encoding="utf-8").rstrip("\n") for p in sorted(DEFAULT_DIR.glob("*.txt"))
    )


def ensure_default_template(update: bool = False) -> ReportTemplate:
    """The default template, created from the shipped text if missing (``update``: reset it)."""
    with transaction.atomic():
        obj, created = ReportTemplate.objects.get_or_create(
            name=DEFAULT_NAME,
            defaults={"title": DEFAULT_TITLE, "body": default_body(), "is_default": True},
        )
        if update and not created and (obj.body != default_body() or obj.title != DEFAULT_TITLE):
            obj.body = default_body()
            obj.title = DEFAULT_TITLE
            obj._change_reason = "恢复为程序自带的默认模板"
            obj.save()
    return obj


def get_template(name: str | None = None) -> ReportTemplate:
    if name:
        return ReportTemplate.objects.get(name=name)
    found = ReportTemplate.objects.filter(is_default=True).first()
    return found or ensure_default_template()


@dataclass
class FigureRow:
    id: str
    label: str
    unit: str
    line: str
    value: Any
    previous: Any
    change: Any  # percent change against the same period last year, when both are numbers
    text: str


@dataclass
class Report:
    name: str
    title: str
    period: Period
    unit: OrgUnit | None
    lines: list[tpl.Line]
    values: dict[str, FigureValue]
    rows: list[FigureRow] = field(default_factory=list)
    approved_only: bool = False  # counted only approved data where approval applies

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines) + "\n"

    @property
    def marks(self) -> list[tpl.Fragment]:
        return [f for line in self.lines for f in line.fragments if f.is_mark]


def build_report(
    period: Period | str,
    unit: OrgUnit | None = None,
    user: User | None = None,
    template: ReportTemplate | None = None,
    *,
    body: str | None = None,
    title: str | None = None,
    approved_only: bool = False,
) -> Report:
    period = Period.parse(period) if isinstance(period, str) else period
    template = template or get_template()
    body = template.body if body is None else body
    title = template.title if title is None else title
    # A reference to a figure that no longer exists renders 【缺】 rather than failing the page.
    ids = [fid for fid in tpl.figure_ids(title + "\n" + body) if catalog.exists(fid)]
    values = catalog.evaluate(ids, period, unit, user, approved_only=approved_only)
    variables = {"year": str(period.end.year)}
    lines = tpl.render_lines(body, values, variables)
    try:
        title_text = tpl.render_lines(title, values, variables)[0].text if title else template.name
    except tpl.TemplateError as exc:
        raise tpl.TemplateError(str(exc).replace("第1行：", "标题：", 1)) from None
    rows = []
    for fid in ids:
        fv = values[fid]
        previous = _previous(fid, period, unit, user, values)
        rows.append(
            FigureRow(
                fid,
                fv.figure.label,
                fv.figure.unit,
                fv.figure.line,
                fv.value,
                previous,
                _change(fv.value, previous),
                str(fv),
            )
        )
    return Report(
        template.name, title_text, period, unit, lines, values, rows, approved_only=approved_only
    )


def _previous(
    fid: str,
    period: Period,
    unit: OrgUnit | None,
    user: User | None,
    values: dict[str, FigureValue],
) -> Any:
    return values.get(f"{fid}@-1").value if f"{fid}@-1" in values else None


def _change(now: Any, before: Any) -> Any:
    from decimal import Decimal

    if (
        isinstance(now, int | float | Decimal)
        and isinstance(before, int | float | Decimal)
        and before
    ):
        return (Decimal(str(now)) - Decimal(str(before))) * 100 / Decimal(str(before))
    return None


def with_previous_year(report: Report, user: User | None = None) -> Report:
    """Fill each figure row's value for the same period last year (for the xlsx table)."""
    ids = [r.id for r in report.rows if not isinstance(r.value, str)]
    before = catalog.evaluate(
        ids,
        report.period.previous_year(),
        report.unit,
        user,
        approved_only=report.approved_only,
    )
    for row in report.rows:
        if row.id in before:
            row.previous = before[row.id].value
            row.change = _change(row.value, row.previous)
    return report
