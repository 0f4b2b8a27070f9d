"""Report templates in the web UI: list, create/copy, edit with a figure picker and a live
preview, version history with diffs, restore, and reset of the default template.

Everyone logged in may look; only 系统管理员 and 局领导 may change anything."""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from zhujian.core import lines
from zhujian.core.models import Role, User
from zhujian.figures import catalog
from zhujian.figures.periods import Period, PeriodError
from zhujian.reports import render as renderers
from zhujian.reports import template as tpl
from zhujian.reports.build import build_report, ensure_default_template
from zhujian.reports.forms import DEFAULT_PERIOD, ReportTemplateForm, problems, scope_unit, validate
from zhujian.reports.models import ReportTemplate


def can_edit(user: User) -> bool:
    """系统管理员 and 局领导 may create, edit and restore report templates."""
    return bool(user.is_authenticated and (user.is_admin or user.role == Role.LEADER))


def _require_editor(request: HttpRequest) -> None:
    if not can_edit(request.user):
        raise PermissionDenied("只有系统管理员和局领导可以修改报告模板")


def _period(code: str | None, request: HttpRequest | None = None) -> Period:
    """The preview period; a bad code falls back to the default, saying so on the page."""
    try:
        return Period.parse(code or DEFAULT_PERIOD)
    except PeriodError as exc:
        if request is not None:
            messages.error(request, f"{exc}；已按 {DEFAULT_PERIOD} 计算")
        return Period.parse(DEFAULT_PERIOD)


# --- figure picker ----------------------------------------------------------------------


@dataclass
class FigureGroup:
    code: str
    label: str
    figures: list[tuple[catalog.Figure, str]] = field(default_factory=list)


def figure_groups(period: Period, user: User) -> list[FigureGroup]:
    """Every figure of the catalog with its current value, grouped by business line."""
    figures = catalog.all_figures()
    try:
        values = catalog.evaluate([f.id for f in figures], period, scope_unit(user), user)
    except Exception:  # a broken figure must not take the editor down
        values = {}
    groups: dict[str, FigureGroup] = {
        line.code: FigureGroup(line.code, line.label) for line in lines.LINES
    }
    for fig in sorted(figures, key=lambda f: f.id):
        group = groups.setdefault(fig.line, FigureGroup(fig.line, fig.line))
        fv = values.get(fig.id)
        group.figures.append((fig, str(fv) if fv is not None else "—"))
    return [g for g in groups.values() if g.figures]


# --- preview ----------------------------------------------------------------------------


def _sanitize(text: str) -> str:
    """Replace references that cannot be evaluated by a 【缺】 mark, so the rest previews."""

    def fix(match: Any) -> str:
        return "{{ ?引用有误 }}" if tpl.ref_problems(tpl.parse_ref(match)) else match[0]

    return tpl.REF.sub(fix, text)


def preview_context(request: HttpRequest, title: str, body: str, period: Period) -> dict[str, Any]:
    found = problems(title, body)
    context: dict[str, Any] = {"problems": found, "period": period, "error": ""}
    try:
        report = build_report(
            period,
            scope_unit(request.user),
            request.user,
            ReportTemplate(name="预览", title=title, body=body),
            body=_sanitize(body),
            title=_sanitize(title),
        )
    except Exception as exc:  # e.g. |month on a number: show it, do not fail the page
        context["error"] = f"预览失败：{exc}"
        return context
    context.update(
        report=report,
        body=renderers.html_body(report),
        mark_count=len(report.marks),
        missing=sum(1 for f in report.marks if f.missing),
    )
    return context


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The live preview (htmx): the posted title and body rendered as the report page."""
    period = _period(request.POST.get("preview_period"))
    context = preview_context(
        request, request.POST.get("title", ""), request.POST.get("body", ""), period
    )
    return render(request, "reports/_preview.html", context)


# --- list, create, edit -----------------------------------------------------------------


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    ensure_default_template()
    templates = ReportTemplate.objects.select_related("updated_by").all()
    rows = [(t, t.history.count()) for t in templates]
    return render(
        request, "reports/template_list.html", {"rows": rows, "can_edit": can_edit(request.user)}
    )


def _editor(
    request: HttpRequest, form: ReportTemplateForm, obj: ReportTemplate | None
) -> HttpResponse:
    period = _period(request.GET.get("period") or request.POST.get("preview_period"), request)
    title = form["title"].value() or ""
    body = form["body"].value() or ""
    return render(
        request,
        "reports/template_form.html",
        {
            "form": form,
            "object": obj,
            "can_edit": can_edit(request.user),
            "period": period,
            "groups": figure_groups(period, request.user),
            "figure_count": len(catalog.all_figures()),
            **{f"preview_{k}": v for k, v in preview_context(request, title, body, period).items()},
        },
    )


def _save(request: HttpRequest, form: ReportTemplateForm, reason: str) -> ReportTemplate:
    obj = form.save(commit=False)
    obj.updated_by = request.user
    obj._change_reason = form.cleaned_data.get("change_reason") or reason
    with transaction.atomic():
        obj.save()
    return obj


@login_required
def template_create(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    if request.method == "POST":
        form = ReportTemplateForm(
            request.POST, user=request.user, preview_url=reverse("reports:preview")
        )
        if form.is_valid():
            obj = _save(request, form, "新建模板")
            messages.success(request, f"已新建报告模板“{obj.name}”")
            return redirect("reports:edit", pk=obj.pk)
        return _editor(request, form, None)
    initial: dict[str, Any] = {}
    if copy := request.GET.get("copy"):
        source = get_object_or_404(ReportTemplate, pk=copy)
        initial = {"name": f"{source.name}（副本）", "title": source.title, "body": source.body}
        initial["change_reason"] = f"复制自“{source.name}”"
    form = ReportTemplateForm(initial=initial, preview_url=reverse("reports:preview"))
    return _editor(request, form, None)


@login_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(ReportTemplate, pk=pk)
    editable = can_edit(request.user)
    if request.method == "POST":
        _require_editor(request)
        form = ReportTemplateForm(
            request.POST, instance=obj, user=request.user, preview_url=reverse("reports:preview")
        )
        if form.is_valid():
            if form.has_changed():
                _save(request, form, "修改模板")
                messages.success(request, "已保存，旧版本可在“版本历史”中查看和恢复")
            else:
                messages.info(request, "内容没有变化，未生成新版本")
            return redirect("reports:edit", pk=obj.pk)
        return _editor(request, form, obj)
    form = ReportTemplateForm(
        instance=obj, preview_url=reverse("reports:preview"), readonly=not editable
    )
    return _editor(request, form, obj)


@login_required
@require_POST
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    obj = get_object_or_404(ReportTemplate, pk=pk)
    if obj.is_default:
        messages.error(request, "默认模板不能删除")
        return redirect("reports:edit", pk=obj.pk)
    obj._change_reason = "删除模板"
    obj.delete()
    messages.success(request, f"已删除报告模板“{obj.name}”")
    return redirect("reports:list")


@login_required
@require_POST
def reset_default(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    obj = get_object_or_404(ReportTemplate, pk=pk)
    if not obj.is_default:
        raise Http404("只有默认模板可以恢复为程序自带的版本")
    before = obj.history.count()
    ensure_default_template(update=True)
    obj.refresh_from_db()
    if obj.history.count() > before:
        ReportTemplate.objects.filter(pk=obj.pk).update(updated_by=request.user)
        messages.success(request, "已恢复为程序自带的默认模板，原内容保留在版本历史中")
    else:
        messages.info(request, "默认模板与程序自带的版本相同，无需恢复")
    return redirect("reports:edit", pk=obj.pk)


# --- history ----------------------------------------------------------------------------


@dataclass
class Version:
    record: Any
    is_current: bool
    title_before: str | None
    diff: list[tuple[str, SafeString]]

    @property
    def changed(self) -> bool:
        return bool(self.diff) or self.title_before is not None

    @property
    def action(self) -> str:
        return {"+": "新建", "~": "修改", "-": "删除"}.get(self.record.history_type, "修改")

    @property
    def line_count(self) -> int:
        return len(self.record.body.splitlines())


def _inline(a: str, b: str) -> tuple[SafeString, SafeString]:
    """Two versions of one line with the changed characters marked."""
    old, new = [], []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = html.escape(a[i1:i2]), html.escape(b[j1:j2])
        if op == "equal":
            old.append(left)
            new.append(right)
        else:
            if left:
                old.append(f"<del>{left}</del>")
            if right:
                new.append(f"<ins>{right}</ins>")
    return mark_safe("".join(old)), mark_safe("".join(new))


def body_diff(before: str, after: str) -> list[tuple[str, SafeString]]:
    """The body's changed lines (difflib), as ("hunk"|"del"|"add", html) rows; a line
    changed in place has its changed characters marked."""
    a, b = before.splitlines(), after.splitlines()
    rows: list[tuple[str, SafeString]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        where = f"第{j1 + 1}行" if j2 > j1 else f"原第{i1 + 1}行"
        rows.append(("hunk", mark_safe(html.escape(where))))
        if op == "replace" and i2 - i1 == j2 - j1:
            for old, new in zip(a[i1:i2], b[j1:j2], strict=True):
                left, right = _inline(old, new)
                rows += [("del", left), ("add", right)]
            continue
        rows += [("del", mark_safe(html.escape(line))) for line in a[i1:i2]]
        rows += [("add", mark_safe(html.escape(line))) for line in b[j1:j2]]
    return rows


def versions(obj: ReportTemplate) -> list[Version]:
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-pk"))
    out = []
    for i, record in enumerate(records):
        older = records[i + 1] if i + 1 < len(records) else None
        out.append(
            Version(
                record,
                is_current=i == 0,
                title_before=(older.title if older and older.title != record.title else None),
                diff=body_diff(older.body, record.body) if older else [],
            )
        )
    return out


@login_required
def template_history(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(ReportTemplate, pk=pk)
    return render(
        request,
        "reports/template_history.html",
        {"object": obj, "versions": versions(obj), "can_edit": can_edit(request.user)},
    )


@login_required
@require_POST
def restore(request: HttpRequest, pk: int, history_id: int) -> HttpResponse:
    """Make an old version current again (as a new version: nothing is lost)."""
    _require_editor(request)
    obj = get_object_or_404(ReportTemplate, pk=pk)
    record = get_object_or_404(obj.history.model, history_id=history_id, id=obj.pk)
    found = validate(record.title, record.body, request.user)
    if found:
        messages.error(
            request, "这个版本有错误（如引用了现在已不存在的指标），不能恢复：" + "；".join(found)
        )
        return redirect("reports:history", pk=obj.pk)
    if record.title == obj.title and record.body == obj.body:
        messages.info(request, "这个版本与当前内容相同")
        return redirect("reports:history", pk=obj.pk)
    obj.title, obj.body = record.title, record.body
    obj.updated_by = request.user
    when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")
    obj._change_reason = f"恢复为 {when} 的版本"
    obj.save()
    messages.success(request, f"已恢复为 {when} 的版本")
    return redirect("reports:edit", pk=obj.pk)
