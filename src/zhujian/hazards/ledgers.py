"""The hazard ledger: one table for every line's hazards, scoped per record by ``line``."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from zhujian.core import scope
from zhujian.core.models import User
from zhujian.core.registry import Ledger, registry
from zhujian.hazards.models import Hazard

# Registered under 综合 for navigation; ``line_field`` makes each record's own line decide
# who may change it, on the generic pages, the API, imports and the loop pages alike.
HAZARD_LEDGER = registry.register(
    Ledger(
        model=Hazard,
        township_codes=["code"],
        line="general",
        list_display=[
            "code",
            "line",
            "found_on",
            "org_unit",
            "category",
            "status",
            "notice_deadline",
        ],
        filters=["line", "status", "category", "found_on", "notice_deadline"],
        search=["code", "description", "source", "location", "notice_number"],
        natural_key=["code"],
        date_field="found_on",
        ordering=["-found_on", "-id"],
        help="各业务条线检查发现的安全隐患：发现→下达整改通知→整改→验收销号。",
        line_field="line",
    )
)


@registry.detail_panel
def hazards_found(ledger: Ledger, obj: models.Model, user: User) -> dict[str, Any] | None:
    """On an inspection's page: the hazards it found, and a link to register another."""
    if not ledger.inspects:
        return None
    content_type = ContentType.objects.get_for_model(type(obj))
    found = scope.restrict(
        Hazard.objects.filter(source_type=content_type, source_id=obj.pk), user
    ).order_by("found_on", "pk")
    can_add = scope.can_edit_line(user, ledger.line) and scope.can_ledger(
        user, "add", HAZARD_LEDGER
    )
    return {
        "template": "hazards/_detail_panel.html",
        "hazards": list(found),
        "add_url": f"{reverse('hazards:create')}?ledger={ledger.name}&id={obj.pk}"
        if can_add
        else "",
    }
