"""Where upload states show outside the 上报 list: the record's page and the 待办."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse

from zhujian.core import scope
from zhujian.core.models import Role, User
from zhujian.core.registry import Ledger, registry
from zhujian.exchange.adapters import adapters
from zhujian.exchange.models import Upload
from zhujian.web import workbench

LISTED = 200  # refused uploads listed in one user's 待办 (the 上报 list has them all)


def visible(user: User) -> models.QuerySet[Upload]:
    """Uploads of records ``user`` may see: a township user only its township's."""
    qs = Upload.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_admin or user.role in (Role.LEADER, Role.DEPARTMENT):
        return qs
    if user.org_unit is None:
        return qs.none()
    return qs.filter(org_unit__path__startswith=user.org_unit.path)


def responsible_q(user: User) -> Q | None:
    """Uploads whose refusal the user's unit must deal with: its township's (乡镇), its
    lines' (业务股室), every one (系统管理员). Leaders supervise, they do not correct."""
    if user.is_admin:
        return Q()
    lines = list(user.business_lines or [])
    if user.role == Role.DEPARTMENT:
        return Q(line__in=lines)
    if user.role == Role.TOWNSHIP and user.org_unit is not None:
        return Q(line__in=lines, org_unit__path__startswith=user.org_unit.path)
    return None


def refused(user: User) -> models.QuerySet[Upload]:
    q = responsible_q(user)
    if q is None:
        return Upload.objects.none()
    return visible(user).filter(q, state=Upload.State.FAILED)


def may_retry(user: User, upload: Upload) -> bool:
    return scope.can_edit_line(user, upload.line) and visible(user).filter(pk=upload.pk).exists()


def _work_items(user: User, today: dt.date) -> list[workbench.Item]:
    out = []
    rows = refused(user).select_related("content_type", "org_unit__parent").order_by("-updated_at")
    for upload in rows[:LISTED]:
        ledger = registry.find(upload.content_type.model_class())
        if ledger is None:
            continue
        platform = adapters.label(upload.target)
        out.append(
            workbench.Item(
                obj=upload,
                ledger=ledger,
                workflow=None,
                step_label=f"上报{platform}失败",
                next_action=f"平台反馈：{upload.reason or '未说明原因'}。请核实更正记录后重新上报",
                due=None,
                days_left=None,
                url=reverse("exchange:detail", args=[upload.pk]),
                township=upload.org_unit.township(),
                line=upload.line,
            )
        )
    return out


def _work_count(user: User) -> int:
    return refused(user).count()


workbench.item_provider(_work_items, _work_count)


@registry.detail_panel
def upload_panel(ledger: Ledger, obj: models.Model, user: User) -> dict[str, Any] | None:
    """On a record's page: its state on each platform it goes to."""
    if not any(True for _ in adapters.for_model(type(obj))):
        return None
    ctype = ContentType.objects.get_for_model(type(obj))
    rows = []
    for upload in Upload.objects.filter(content_type=ctype, object_id=obj.pk).order_by("target"):
        rows.append(
            {
                "upload": upload,
                "platform": adapters.label(upload.target),
                "kind": adapters.kind_label(upload.target, upload.kind),
                "url": reverse("exchange:detail", args=[upload.pk]),
                "can_retry": upload.state == Upload.State.FAILED and may_retry(user, upload),
            }
        )
    targets = sorted({a.label for a, _k in adapters.for_model(type(obj))})
    return {"template": "exchange/_panel.html", "rows": rows, "targets": targets}
