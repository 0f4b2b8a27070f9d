"""Sections the LPG line adds to the generic record pages (see ``Registry.detail_panel``)."""

from __future__ import annotations

from typing import Any

from zhujian.core import scope
from zhujian.core.registry import registry
from zhujian.domains.lpg.models import Customer, Cylinder, ScanDevice


@registry.detail_panel
def lpg_panel(ledger: Any, obj: Any, user: Any) -> dict[str, Any] | None:
    """Links from the generic record pages: a cylinder's trace and label, a user's trace,
    a device's token."""
    if isinstance(obj, Cylinder):
        return {"template": "lpg/_cylinder_panel.html", "cylinder": obj}
    if isinstance(obj, Customer):
        return {"template": "lpg/_customer_panel.html", "customer": obj}
    if isinstance(obj, ScanDevice):
        can_change = scope.restrict(ScanDevice.objects.filter(pk=obj.pk), user, "change").exists()
        return {"template": "lpg/_device_panel.html", "device": obj, "can_change": can_change}
    return None
