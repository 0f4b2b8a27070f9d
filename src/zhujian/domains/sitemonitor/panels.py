"""What site monitoring adds to other pages: a dashboard panel (sites by state) and a
link from each monitored site's record page to its monitoring page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhujian.core import scope
from zhujian.core.registry import registry
from zhujian.domains.construction.models import ConstructionProject, SiteDevice
from zhujian.domains.sitemonitor import status


@registry.dashboard_panel
def site_state_panel(period: Any, unit: Any, user: Any) -> dict[str, Any] | None:
    """Monitored sites by state now (normal / over limit / offline), worst first."""
    if not scope.can_ledger(user, "view", registry.for_model(ConstructionProject)):
        return None
    states = status.site_states(status.sites_for(user, unit))
    if not states:
        return None
    rows = status.as_rows(states)
    counts = status.counts(states)
    url = reverse("sitemonitor:sites")
    return {
        "template": "sitemonitor/_dashboard_panel.html",
        "alerts": [
            {
                "label": "离线监测工地",
                "count": counts[status.OFFLINE],
                "unit": "个",
                "url": f"{url}?state=offline",
                "note": f"超标{counts[status.OVER]}个，共监测{len(states)}个",
            }
        ],
        "counts": counts,
        "labels": status.STATES,
        "attention": [r for r in rows if r["state"] != status.NORMAL][:10],
        "total": len(states),
        "url": url,
        "unit": unit,
    }


@registry.detail_panel
def site_link_panel(ledger: Any, obj: Any, user: Any) -> dict[str, Any] | None:
    if isinstance(obj, ConstructionProject):
        if not SiteDevice.objects.filter(status.monitored(), project=obj).exists():
            return None
        return {"template": "sitemonitor/_site_link.html", "project": obj}
    return None
