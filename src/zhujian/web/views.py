"""Home, figure catalog, figure drill-down and the report page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhujian.core import deadlines
from zhujian.core.lines import BY_CODE
from zhujian.core.models import Job, OrgUnit
from zhujian.core.registry import registry
from zhujian.figures import catalog
from zhujian.figures.periods import Period
from zhujian.jobs.tasks import submit
from zhujian.reports import render as renderers
from zhujian.reports.build import build_report, ensure_default_template
from zhujian.reports.coverage import describe
from zhujian.reports.forms import problems
from zhujian.reports.issue import can_issue
from zhujian.reports.models import ReportTemplate
from zhujian.reports.template import TemplateError
from zhujian.web import dashboard, drilldown, tables
from zhujian.web.errors import BadParameter
from zhujian.web.ledger_views import display
from zhujian.web.params import period_and_unit, unit_choices


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard (驾驶舱): headline figures, comparisons, trends and overdue hazards."""
    period, unit = period_and_unit(request, lenient=True)
    context = dashboard.context(request, period, unit)
    context["units"] = unit_choices(request)
    context["calendar_missing"] = deadlines.missing_years()
    return render(request, "web/home.html", context)


def line_label(code: str) -> str:
    """A business line as people call it (党建, not ``party``)."""
    line = BY_CODE.get(code)
    return line.label if line else "其他"


@login_required
def figure_catalog(request: HttpRequest) -> HttpResponse:
    period, unit = period_and_unit(request, lenient=True)
    figures = catalog.all_figures()
    values = catalog.evaluate([f.id for f in figures], period, unit, request.user)
    rows = [(f, values[f.id], line_label(f.line)) for f in figures]
    return render(
        request,
        "web/figures.html",
        {"rows": rows, "period": period, "unit": unit, "units": unit_choices(request)},
    )


@login_required
def figure_records(request: HttpRequest, figure_id: str) -> HttpResponse:
    """The records behind one figure for a period and unit, under the viewer's scope."""
    try:
        figure = catalog.get(figure_id)
    except KeyError:
        raise Http404("没有这个指标") from None
    period, unit = period_and_unit(request, lenient=True)
    if figure.drill is not None:  # records that are not a ledger's: the figure's own page
        return redirect(figure.drill(period, unit))
    value = catalog.evaluate([figure_id], period, unit, request.user)[figure_id]
    qs = catalog.records(figure_id, period, unit, request.user)
    context = {"figure": figure, "value": value, "period": period, "unit": unit, "inputs": []}
    # a rate drills down to the records missing from it (found but not rectified)
    missing = drilldown.missing(figure, period, unit, request.user) if qs is None else None
    if missing is not None:
        qs = missing.records
        context["missing"] = missing
    if qs is not None:
        ledger = registry.for_model(qs.model)
        columns = list(ledger.list_display)
        related = [c.split("__")[0] for c in columns if ledger.field(c.split("__")[0]).is_relation]
        ordered = (qs.select_related(*related) if related else qs).order_by(*ledger.ordering)
        total_row = drilldown.totals(ledger, columns, qs)
        if request.GET.get("format") == "xlsx":
            return tables.response(
                f"{figure.label}-{period.label}{'-' + unit.name if unit else ''}.xlsx",
                figure.label,
                [ledger.field_label(c) for c in columns],
                ([display(o, c) for c in columns] for o in ordered[: tables.MAX_ROWS]),
                total_row,
            )
        context["total_row"] = total_row
        page = Paginator(ordered, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            ledger=ledger,
            page=page,
            headers=[ledger.field_label(c) for c in columns],
            rows=[(o, [display(o, c) for c in columns]) for o in page.object_list],
            query=query.urlencode(),
            total=page.paginator.count,
        )
    else:
        parts = [a for a, back in figure.inputs()]
        sub = catalog.evaluate(parts, period, unit, request.user)
        context["inputs"] = [
            (sub[a].figure, back, sub.get(a if not back else f"{a}@-{back}"))
            for a, back in figure.inputs()
        ]
    context["source"] = describe(figure, period)
    return render(request, "web/figure_records.html", context)


def _report_args(
    request: HttpRequest, lenient: bool = False
) -> tuple[Period, OrgUnit | None, ReportTemplate]:
    period, unit = period_and_unit(request, lenient=lenient)
    ensure_default_template()
    name = request.GET.get("template")
    template = ReportTemplate.objects.filter(name=name).first() if name else None
    template = template or ReportTemplate.objects.filter(is_default=True).first()
    if template is None:
        raise Http404("没有报告模板")
    return period, unit, template


def _template_error(template: ReportTemplate, exc: TemplateError) -> str:
    found = problems(template.title, template.body)
    detail = "；".join(found) if found else str(exc)
    return f"报告模板“{template.name}”有错误，无法生成报告：{detail}"


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    period, unit, template = _report_args(request, lenient=True)
    context = {
        "period": period,
        "unit": unit,
        "template": template,
        "templates": ReportTemplate.objects.all(),
        "template_params": [] if template.is_default else [("template", template.name)],
        "can_issue": can_issue(request.user),
        "units": unit_choices(request),
        "formats": [
            ("docx", "Word"),
            ("xlsx", "Excel 指标表"),
            ("html", "HTML"),
            ("md", "Markdown"),
            ("txt", "文本"),
        ],
    }
    approved_only = request.GET.get("approved") == "1"
    context["approved_only"] = approved_only
    try:
        report = build_report(period, unit, request.user, template, approved_only=approved_only)
    except TemplateError as exc:  # a template saved before it was checked, or broken since
        context["template_error"] = _template_error(template, exc)
        return render(request, "web/report.html", context)
    context.update(
        report=report,
        body=renderers.html_body(report),
        missing=sum(1 for f in report.marks if f.missing),
        mark_count=len(report.marks),
    )
    return render(request, "web/report.html", context)


@login_required
@require_POST
def report_download(request: HttpRequest) -> HttpResponse:
    """Start building the report file in the background; its page offers the download."""
    period, unit, template = _report_args(request)
    fmt = request.POST.get("format", "docx")
    if fmt not in renderers.RENDERERS:
        raise BadParameter(f"不支持的下载格式“{fmt}”：可用 {'、'.join(renderers.RENDERERS)}")
    try:  # a template broken in the database: the report page says what is wrong
        if problems(template.title, template.body):
            raise TemplateError("模板有错误")
        build_report(period, unit, request.user, template)  # fast; the file is the slow part
    except TemplateError:
        return redirect(f"{reverse('web:report')}?{request.GET.urlencode()}")
    filename = f"{template.name}-{period.code}{'-' + unit.name if unit else ''}.{fmt}"
    job = Job.objects.create(
        kind=Job.Kind.REPORT,
        user=request.user,
        params={
            "period": period.code,
            "unit": unit.code if unit else None,
            "template": template.name,
            "format": fmt,
            "approved_only": request.GET.get("approved") == "1",
        },
        filename=filename,
        result_name=filename,
    )
    submit(job)
    return redirect(reverse("web:job", args=[job.pk]) + "?auto=1")  # downloads when done
