"""Issued reports (印发) in the web UI: issue from the report page, list, reopen each
format byte for byte, and the drift view (what would differ today, and why)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from zhujian.core import scope
from zhujian.core.models import Role, User
from zhujian.core.registry import registry
from zhujian.reports import issue as issuing
from zhujian.reports import render as renderers
from zhujian.reports.models import IssuedReport, ReportTemplate
from zhujian.reports.template import TemplateError
from zhujian.reports.templates_formats import FORMAT_LABELS
from zhujian.web.params import period_and_unit

MAX_ID = 2**63 - 1


def can_view(user: User, issued: IssuedReport) -> bool:
    """A county-wide report is for the bureau; a unit's report also for that unit."""
    if not user.is_authenticated or not user.is_active:
        return False
    if issued.unit is None:
        return user.role != Role.TOWNSHIP
    return scope.unit_allowed(user, issued.unit)


def visible(user: User) -> list[IssuedReport]:
    qs = IssuedReport.objects.select_related("unit", "issued_by").defer("lineage", "values")
    return [r for r in qs if can_view(user, r)]


@login_required
@require_POST
def issue_view(request: HttpRequest) -> HttpResponse:
    if not issuing.can_issue(request.user):
        raise PermissionDenied("只有系统管理员、局领导和办公室可以印发报告")
    period, unit = period_and_unit(request)
    name = request.GET.get("template")
    template = ReportTemplate.objects.filter(name=name).first() if name else None
    template = template or ReportTemplate.objects.filter(is_default=True).first()
    if template is None:
        raise Http404("没有报告模板")
    try:
        issued = issuing.issue(
            period,
            request.user,
            unit,
            template,
            doc_number=request.POST.get("doc_number", ""),
            approved_only=request.GET.get("approved") == "1",
        )
    except TemplateError as exc:
        messages.error(request, f"报告模板有错误，未印发：{exc}")
        return redirect(f"{reverse('web:report')}?{request.GET.urlencode()}")
    messages.success(request, f"已印发“{issued.title}”，其文件与数字从此固定不变")
    return redirect("issued:detail", pk=issued.pk)


@login_required
def issued_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/issued_list.html", {"reports": visible(request.user)})


def _issued(request: HttpRequest, pk: int) -> IssuedReport:
    if pk > MAX_ID:  # beyond any table's ids (and SQLite's integers)
        raise Http404("没有这条记录")
    issued = get_object_or_404(IssuedReport.objects.select_related("unit", "issued_by"), pk=pk)
    if not can_view(request.user, issued):
        raise Http404("没有这份报告，或不在您的管辖范围内")
    return issued


def record_link(label: str, pk: int) -> str:
    """The record's page (its 修改记录 section), when it still exists as a ledger record."""
    from django.apps import apps

    try:
        model = apps.get_model(label)
    except LookupError:
        return ""
    ledger = registry.find(model)
    if ledger is None or not model._default_manager.filter(pk=pk).exists():
        return ""
    try:
        return reverse("web:ledger_detail", kwargs={"ledger": ledger.name, "pk": pk}) + "#history"
    except NoReverseMatch:
        return ""


def model_label(label: str) -> str:
    from django.apps import apps

    try:
        model = apps.get_model(label)
    except LookupError:
        return label
    ledger = registry.find(model)
    return ledger.label if ledger else str(model._meta.verbose_name)


@login_required
def issued_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issued = _issued(request, pk)
    drift = issuing.drift(issued)
    figures = []
    for fd in drift.figures:
        rows = []
        for rc in fd.records:
            rows.append(
                {
                    "change": rc,
                    "ledger": model_label(rc.label),
                    "url": record_link(rc.label, rc.pk),
                    "then": rc.then[0] if rc.then else None,
                    "now": rc.now[0] if rc.now else None,
                }
            )
        figures.append({"drift": fd, "records": rows})
    html = issuing.stored_file(issued, "html").decode("utf-8")
    body = html.split("<body>", 1)[-1].rsplit("</body>", 1)[0]
    formats = [(f, FORMAT_LABELS.get(f, f)) for f in renderers.RENDERERS]
    return render(
        request,
        "reports/issued_detail.html",
        {
            "issued": issued,
            "drift": drift,
            "figures": figures,
            "body": body,
            "formats": formats,
            "lineage_bytes": len(bytes(issued.lineage)),
        },
    )


@login_required
def issued_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    issued = _issued(request, pk)
    try:
        data = issuing.stored_file(issued, fmt)
    except KeyError:
        raise Http404(f"这份报告没有“{fmt}”格式的文件") from None
    response = HttpResponse(data, content_type=renderers.CONTENT_TYPES[fmt])
    filename = f"{issued.name}-{issued.period_code}-印发{issued.pk}.{fmt}"
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
