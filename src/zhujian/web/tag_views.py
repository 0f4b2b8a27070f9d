"""The report-tag panel on a record's page, and adding or removing a tag."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from zhujian.core import scope, tags
from zhujian.core.models import User
from zhujian.core.registry import Ledger, registry


@registry.detail_panel
def tag_panel(ledger: Ledger, obj: models.Model, user: User) -> dict[str, Any] | None:
    if not ledger.report_tags:
        return None
    can_change = scope.restrict(
        ledger.model._default_manager.filter(pk=obj.pk), user, "change"
    ).exists()
    return {
        "template": "web/_tags_panel.html",
        "tags": tags.tags_of(obj),
        "can_change": can_change,
        "url": ledger.url("tags", pk=obj.pk),
        "max_length": tags.MAX_LENGTH,
    }


@login_required
@require_POST
def change_tags(request: HttpRequest, ledger: str, pk: int) -> HttpResponse:
    try:
        found = registry.get(ledger)
    except KeyError:
        raise Http404("没有这个台账") from None
    if not found.report_tags:
        raise Http404("该台账不使用报告标记")
    obj = scope.restrict(found.model._default_manager.filter(pk=pk), request.user).first()
    if obj is None:
        raise Http404("没有这条记录，或不在您的管辖范围内")
    if not scope.restrict(
        found.model._default_manager.filter(pk=pk), request.user, "change"
    ).exists():
        raise PermissionDenied("您不能修改这条记录的报告标记")
    try:
        if remove := request.POST.get("remove"):
            tags.remove(obj, remove)
            messages.success(request, f"已移除报告标记“{remove[:50]}”")
        else:
            tag = tags.add(obj, request.POST.get("tag", ""))
            messages.success(request, f"已添加报告标记“{tag}”")
    except tags.TagError as exc:
        messages.error(request, str(exc))
    return redirect(found.url("detail", pk=pk))
