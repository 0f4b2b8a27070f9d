"""The 上报 list (filters, retry, export), one upload's page, and starting a send."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhujian.core import scope, xlsx
from zhujian.core.models import Role
from zhujian.core.registry import registry
from zhujian.exchange import engine, tasks
from zhujian.exchange.adapters import adapters
from zhujian.exchange.models import Upload
from zhujian.exchange.panels import may_retry, visible

PER_PAGE = 50
EXPORT_MAX = 100_000


def _filters(request: HttpRequest) -> dict[str, str]:
    get = request.GET
    return {k: (get.get(k) or "").strip()[:50] for k in ("target", "kind", "state", "unit", "q")}


def _filtered(request: HttpRequest) -> tuple[QuerySet[Upload], dict[str, str]]:
    f = _filters(request)
    qs = visible(request.user).select_related("org_unit")
    if f["target"]:
        qs = qs.filter(target=f["target"])
    if f["kind"]:
        qs = qs.filter(kind=f["kind"])
    if f["state"] in Upload.State.values:
        qs = qs.filter(state=f["state"])
    if f["unit"]:
        unit = scope.org_units_for(request.user).filter(code=f["unit"]).first()
        if unit is None:
            raise Http404("没有这个单位，或不在您的管辖范围内")
        qs = qs.filter(org_unit__path__startswith=unit.path)
    if f["q"]:
        qs = qs.filter(Q(label__icontains=f["q"]) | Q(upstream_id=f["q"]))
    return qs.order_by("-updated_at", "-pk"), f


def _kinds() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for adapter in adapters:
        for kind in adapter.kinds:
            seen.setdefault(kind.code, kind.label)
    return list(seen.items())


def _row(upload: Upload) -> dict[str, Any]:
    return {
        "upload": upload,
        "platform": adapters.label(upload.target),
        "kind": adapters.kind_label(upload.target, upload.kind),
    }


def _may_send(user: Any) -> bool:
    return bool(user.is_admin or user.role == Role.DEPARTMENT)


@login_required
def upload_list(request: HttpRequest) -> HttpResponse:
    qs, f = _filtered(request)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    counts = dict(
        visible(request.user).values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    query = urlencode({k: v for k, v in f.items() if v})
    return render(
        request,
        "exchange/list.html",
        {
            "page": page,
            "rows": [_row(u) for u in page],
            "f": f,
            "query": query,
            "targets": adapters.choices(),
            "kinds": _kinds(),
            "states": Upload.State.choices,
            "units": scope.org_units_for(request.user).filter(
                kind__in=["county", "town", "township", "street"]
            ),
            "summary": [
                {"label": label, "count": counts.get(code, 0)}
                for code, label in Upload.State.choices
            ],
            "can_send": _may_send(request.user),
            "can_retry_all": f["state"] == Upload.State.FAILED and request.user.role != Role.LEADER,
        },
    )


def _upload(request: HttpRequest, pk: int) -> Upload:
    found = visible(request.user).select_related("org_unit", "content_type").filter(pk=pk).first()
    if found is None:
        raise Http404("没有这条上报记录，或不在您的管辖范围内")
    return found


@login_required
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _upload(request, pk)
    adapter = adapters._by_code.get(upload.target)
    labels = getattr(adapter, "upstream_labels", {}) if adapter else {}
    ledger = registry.find(upload.content_type.model_class())
    record_url = ""
    if ledger is not None and not upload.deleted:
        if scope.restrict(
            ledger.model._default_manager.filter(pk=upload.object_id), request.user
        ).exists():
            record_url = ledger.url("detail", pk=upload.object_id)
    return render(
        request,
        "exchange/detail.html",
        {
            "upload": upload,
            "platform": adapters.label(upload.target),
            "kind": adapters.kind_label(upload.target, upload.kind),
            "upstream": [(labels[k], v) for k, v in (upload.upstream or {}).items() if k in labels],
            "versions": upload.outbox.order_by("-version")[:50],
            "record_url": record_url,
            "can_retry": upload.state == Upload.State.FAILED and may_retry(request.user, upload),
        },
    )


@require_POST
@login_required
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _upload(request, pk)
    if not may_retry(request.user, upload):
        raise PermissionDenied("您不能重新上报该业务条线的记录")
    if engine.retry(upload):
        messages.success(request, "已重新排入上报队列，下次上报任务运行时发送")
    else:
        messages.error(request, "该记录当前不是“失败”状态，无需重新上报")
    return redirect("exchange:detail", pk)


@require_POST
@login_required
def retry_all(request: HttpRequest) -> HttpResponse:
    qs, f = _filtered(request)
    done = 0
    for upload in qs.filter(state=Upload.State.FAILED)[:10_000]:
        if may_retry(request.user, upload) and engine.retry(upload):
            done += 1
    messages.success(request, f"已将 {done} 条失败记录重新排入上报队列")
    query = urlencode({k: v for k, v in f.items() if v})
    return redirect(f"{reverse('exchange:list')}?{query}")


@login_required
def export(request: HttpRequest) -> HttpResponse:
    qs, _f = _filtered(request)
    book = xlsx.workbook(write_only=True)
    sheet = book.create_sheet("上报记录")
    sheet.append(
        [
            "记录",
            "上报平台",
            "上报对象",
            "所属单位",
            "上报状态",
            "平台编号",
            "平台反馈",
            "状态时间",
            "最近成功时间",
        ]
    )
    for upload in qs[:EXPORT_MAX]:
        sheet.append(
            xlsx.row(
                sheet,
                [
                    upload.label,
                    adapters.label(upload.target),
                    adapters.kind_label(upload.target, upload.kind),
                    upload.org_unit.name,
                    upload.get_state_display(),
                    upload.upstream_id,
                    upload.reason,
                    upload.updated_at.strftime("%Y-%m-%d %H:%M:%S"),
                    upload.succeeded_at.strftime("%Y-%m-%d %H:%M:%S")
                    if upload.succeeded_at
                    else "",
                ],
            )
        )
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E4%B8%8A%E6%8A%A5%E8%AE%B0%E5%BD%95.xlsx"
    )
    return response


@require_POST
@login_required
def send(request: HttpRequest, target: str) -> HttpResponse:
    if not _may_send(request.user):
        raise PermissionDenied("只有业务股室和系统管理员可以发起上报")
    try:
        adapter = adapters.get(target)
    except KeyError:
        raise Http404("没有这个上报平台") from None
    tasks.send_target.enqueue(adapter.code)
    messages.success(request, f"已提交后台上报任务：{adapter.label}")
    return redirect("exchange:list")
