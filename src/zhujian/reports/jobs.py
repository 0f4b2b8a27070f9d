"""A report-file job: build the report as the job's user (their scope) and render it."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from zhujian.core import scope
from zhujian.core.models import Job
from zhujian.figures.periods import Period
from zhujian.reports import render as renderers
from zhujian.reports.build import build_report, get_template
from zhujian.reports.models import ReportTemplate


def run_report(job: Job) -> dict[str, Any]:
    params = job.params
    period = Period.parse(params["period"])
    unit = None
    if code := params.get("unit"):
        unit = scope.org_units_for(job.user).filter(code=code).first()
        if unit is None:  # the user's scope changed since the request
            job.status = Job.Status.REFUSED
            job.summary = "该单位不在您的管辖范围内，未生成报告。"
            return {}
    try:
        template = get_template(params.get("template") or None)
    except ReportTemplate.DoesNotExist:
        job.status = Job.Status.REFUSED
        job.summary = f"报告模板“{params.get('template')}”已不存在，未生成报告。"
        return {}
    fmt = params["format"]
    report = build_report(
        period, unit, job.user, template, approved_only=bool(params.get("approved_only"))
    )
    data = renderers.render(report, fmt)
    job.result.save(f"report-{job.pk}.{fmt}", ContentFile(data), save=False)
    job.status = Job.Status.DONE
    job.done = job.total = 1
    job.summary = f"报告已生成：{report.title}（{len(report.marks)} 处数字）。"
    return {"bytes": len(data)}
