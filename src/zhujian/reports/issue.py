"""Issuing a report (印发): freeze it, reopen it as issued, and say how it would differ today.

:func:`issue` builds the report once, renders every format the report writer has, and
stores the files, every figure value and the lineage of each value (the record versions
it was computed from, ``figures.lineage``) in one transaction. :func:`drift` evaluates
the same figures and lineage on today's records and names each figure whose value
changed, with the record changes that caused it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from zhujian.core.models import OrgUnit, Role, User
from zhujian.figures import catalog, lineage
from zhujian.figures.periods import Period
from zhujian.reports import render as renderers
from zhujian.reports.build import Report, build_report
from zhujian.reports.models import IssuedFile, IssuedReport, ReportTemplate

OFFICE_LINE = "general"  # the 办公室 keeps the bureau's general line


def can_issue(user: User) -> bool:
    """系统管理员, 局领导 and the 办公室 (the department holding the general line) issue
    reports in the bureau's name."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_admin or user.role == Role.LEADER:
        return True
    return user.role == Role.DEPARTMENT and OFFICE_LINE in (user.business_lines or [])


def encode(value: Any) -> Any:
    """A figure value as JSON that keeps its type (a Decimal is not a float)."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, float):
        return {"decimal": repr(value)}
    return {"text": str(value)}


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "decimal" in value:
            return Decimal(value["decimal"])
        if "date" in value:
            return dt.date.fromisoformat(value["date"])
        return value.get("text")
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal | int | float) and isinstance(b, Decimal | int | float):
        if isinstance(a, bool) or isinstance(b, bool):
            return a == b
        return Decimal(str(a)) == Decimal(str(b))
    return a == b


def render_all(report: Report) -> dict[str, bytes]:
    return {fmt: renderers.render(report, fmt) for fmt in renderers.RENDERERS}


@transaction.atomic
def issue(
    period: Period | str,
    user: User,
    unit: OrgUnit | None = None,
    template: ReportTemplate | None = None,
    doc_number: str = "",
    approved_only: bool = False,
) -> IssuedReport:
    """Issue the report for ``period`` (and ``unit``) as ``user`` sees the records."""
    period = Period.parse(period) if isinstance(period, str) else period
    report = build_report(period, unit, user, template, approved_only=approved_only)
    files = render_all(report)
    lin = lineage.compute(report.values, period, unit, user, approved_only=approved_only)
    template = template or ReportTemplate.objects.filter(name=report.name).first()
    version = None
    if template is not None:
        version = (
            template.history.order_by("-history_id").values_list("history_id", flat=True).first()
        )
    values = {
        key: {
            "value": encode(fv.value),
            "text": str(fv),
            "label": fv.figure.label,
            "unit": fv.figure.unit,
            "period": fv.period.code,
        }
        for key, fv in sorted(report.values.items())
    }
    issued = IssuedReport.objects.create(
        name=report.name,
        title=report.title,
        period_code=period.code,
        unit=unit,
        template=template,
        template_version=version,
        doc_number=doc_number.strip()[:100],
        issued_by=user,
        approved_only=approved_only,
        values=values,
        lineage=lineage.pack(lin),
        lineage_records=lin.record_count,
    )
    IssuedFile.objects.bulk_create(
        IssuedFile(report=issued, format=fmt, content=data, sha256=hashlib.sha256(data).hexdigest())
        for fmt, data in files.items()
    )
    return issued


def stored_file(issued: IssuedReport, fmt: str) -> bytes:
    """The file of format ``fmt`` exactly as issued."""
    found = issued.files.filter(format=fmt).values_list("content", flat=True).first()
    if found is None:
        raise KeyError(fmt)
    return bytes(found)


@dataclass
class FigureDrift:
    key: str
    label: str
    unit: str
    period: str
    old: Any
    new: Any
    old_text: str
    new_text: str
    records: list[lineage.RecordChange]


@dataclass
class Drift:
    figures: list[FigureDrift]
    checked: int
    records_changed: int  # record versions behind the report that differ today

    @property
    def unchanged(self) -> bool:
        return not self.figures


def drift(issued: IssuedReport) -> Drift:
    """What the issued report's figures would be today, and why they differ."""
    period = Period.parse(issued.period_code)
    keys = list(issued.values)
    ids = sorted({k.partition("@-")[0] for k in keys if catalog.exists(k.partition("@-")[0])})
    mode = {"approved_only": issued.approved_only}
    now_values = catalog.evaluate(ids, period, issued.unit, issued.issued_by, **mode)
    then = lineage.unpack(issued.lineage)
    now = lineage.compute(
        [k for k in keys if k in now_values], period, issued.unit, issued.issued_by, **mode
    )
    out = []
    for key in keys:
        stored = issued.values[key]
        old = decode(stored["value"])
        fv = now_values.get(key)
        new = fv.value if fv is not None else None
        if fv is not None and _same(old, new):
            continue
        out.append(
            FigureDrift(
                key=key,
                label=stored["label"],
                unit=stored.get("unit", ""),
                period=stored.get("period", issued.period_code),
                old=old,
                new=new,
                old_text=stored["text"],
                new_text=str(fv) if fv is not None else "（指标已不存在）",
                records=lineage.record_changes(key, then, now),
            )
        )
    changed = sum(
        1
        for label, versions in then.records.items()
        for pk, version in versions.items()
        if now.records.get(label, {}).get(pk, version) != version
    )
    return Drift(out, len(keys), changed)
