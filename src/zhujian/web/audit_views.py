"""安全审计 (审计管理员 only, 三员分立) and 闲置账号 (系统管理员).

The audit page lists the security events with filters, shows whether the SM3 chain is
whole (``core.audit.verify``) and exports the filtered events as .xlsx (``core.xlsx``);
each export is itself an audit event. The inactive-accounts page lists accounts unused for
``INACTIVE_DAYS`` and disables the chosen ones.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from zhujian.core import accounts, audit, xlsx
from zhujian.core.models import Role, SecurityEvent, User

EXPORT_MAX_ROWS = 200_000


def _auditor(request: HttpRequest) -> None:
    if request.user.role != Role.AUDITOR:
        raise PermissionDenied("安全审计记录只有审计管理员可以查看和导出（三员分立）")


class AuditFilter(forms.Form):
    since = forms.DateField(
        label="开始日期", required=False, widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(
        label="结束日期", required=False, widget=forms.DateInput({"type": "date"})
    )
    kind = forms.ChoiceField(
        label="事件类型", required=False, choices=[("", "全部"), *audit.LABELS.items()]
    )
    outcome = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), ("1", "成功"), ("0", "失败")]
    )
    username = forms.CharField(label="登录名", required=False, max_length=150)
    ip = forms.GenericIPAddressField(label="IP地址", required=False)
    text = forms.CharField(label="内容包含", required=False, max_length=100)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(f"开始日期 {since} 晚于结束日期 {until}")
        return data

    def events(self) -> QuerySet[SecurityEvent]:
        qs = SecurityEvent.objects.order_by("-id")
        if not self.is_valid():
            return qs.none()
        d = self.cleaned_data
        if d["since"]:
            qs = qs.filter(at__date__gte=d["since"])
        if d["until"]:
            qs = qs.filter(at__date__lte=d["until"])
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
        if d["outcome"]:
            qs = qs.filter(outcome=d["outcome"] == "1")
        if d["username"]:
            qs = qs.filter(username=d["username"].strip())
        if d["ip"]:
            qs = qs.filter(ip=d["ip"])
        if d["text"]:
            qs = qs.filter(detail__contains=d["text"].strip())
        return qs


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    _auditor(request)
    form = AuditFilter(request.GET or None)
    events = form.events() if request.GET else SecurityEvent.objects.order_by("-id")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = [
        {"e": e, "kind": audit.LABELS.get(e.kind, e.kind), "link": _record_link(e)}
        for e in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "verdict": audit.verify(),
        "retention": audit.retention_days(),
        "query": query.urlencode(),
    }
    return render(request, "web/audit.html", context)


def _record_link(e: SecurityEvent) -> tuple[str, str] | None:
    if not e.ledger or e.record_id is None:
        return None
    from zhujian.core.registry import registry

    try:
        ledger = registry.get(e.ledger)
    except KeyError:
        return None
    return ledger.url("detail", pk=e.record_id), f"{ledger.label} #{e.record_id}"


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    _auditor(request)
    form = AuditFilter(request.GET or None)
    events = form.events() if request.GET else SecurityEvent.objects.order_by("-id")
    if request.GET and not form.is_valid():
        messages.error(
            request,
            "筛选条件有误，未导出："
            + "；".join(
                f"{form.fields[k].label if k in form.fields else '筛选'}：{'、'.join(v)}"
                for k, v in form.errors.items()
            ),
        )
        return redirect("web:audit")
    count = events.count()
    if count > EXPORT_MAX_ROWS:
        messages.error(
            request,
            f"符合条件的记录有 {count} 条，超过单次导出上限 {EXPORT_MAX_ROWS} 条，请缩小日期范围",
        )
        return redirect("web:audit")
    book = xlsx.workbook(write_only=True)
    sheet = book.create_sheet("安全审计记录")
    sheet.append(audit.EXPORT_HEADER)
    for e in events.order_by("id").iterator(chunk_size=2000):
        sheet.append(audit.export_row(e))
    buffer = io.BytesIO()
    book.save(buffer)
    audit.record(
        audit.Kind.AUDIT,
        f"网页导出审计记录 {count} 条（{form.data.urlencode() if request.GET else '全部'}）",
        user=request.user,
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    return response


# --- 闲置账号 -------------------------------------------------------------------------------


@login_required
def inactive_accounts(request: HttpRequest) -> HttpResponse:
    """Accounts unused for ``INACTIVE_DAYS``; the 系统管理员 disables the chosen ones."""
    user: User = request.user
    if not (user.role == Role.ADMIN or user.is_superuser):
        raise PermissionDenied("闲置账号报告由系统管理员查看和处理")
    rows = accounts.inactive()
    if request.method == "POST":
        chosen = set(request.POST.getlist("user"))
        doomed = [r for r in rows if str(r.user.pk) in chosen and r.user.pk != user.pk]
        if not doomed:
            messages.error(request, "请勾选要停用的账号（不能停用自己）")
        else:
            n = accounts.disable(doomed, by=user, request=request)
            messages.success(request, f"已停用 {n} 个闲置账号")
        return redirect("web:inactive_accounts")
    context = {
        "rows": rows,
        "days": accounts.INACTIVE_DAYS.get(),
    }
    return render(request, "web/inactive_accounts.html", context)
