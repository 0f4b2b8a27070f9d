"""The arrears-warning panel on the leaders' dashboard (``registry.dashboard_panel``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from zhujian.core import scope
from zhujian.core.models import OrgUnit, User
from zhujian.core.registry import registry
from zhujian.domains.construction.models import ConstructionProject, Enterprise
from zhujian.domains.wages import arrears
from zhujian.domains.wages.models import ProjectWageSetup
from zhujian.figures.periods import Period
from zhujian.hazards.models import Hazard

LISTED = 8


def latest_due_month(as_of: dt.date) -> dt.date:
    """The latest month whose wages are overdue by ``as_of`` at the county's pay day."""
    month = (as_of.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    while arrears.warning_day(month) > as_of:
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


@registry.dashboard_panel
def arrears_panel(period: Period, unit: OrgUnit | None, user: User) -> dict[str, Any] | None:
    """Unpaid workers of the latest overdue month, by project and by employer, and the
    projects whose wage set-up has gaps; every name links to its records."""
    if not scope.can(user, "view", "wages"):
        return None
    as_of = min(period.end, dt.date.today())
    month = latest_due_month(as_of)
    projects = scope.restrict(ConstructionProject.objects.all(), user, "view")
    setups = scope.restrict(ProjectWageSetup.objects.all(), user, "view")
    hazards = scope.restrict(Hazard.objects.filter(line="wages"), user, "view")
    if unit is not None:
        projects = projects.filter(org_unit__path__startswith=unit.path)
        setups = setups.filter(org_unit__path__startswith=unit.path)
        hazards = hazards.filter(org_unit__path__startswith=unit.path)
    rows = arrears.unpaid(month, as_of, projects)
    by_project = Counter(r.project_id for r in rows)
    by_employer = Counter(r.employer_id for r in rows)
    names = dict(
        ConstructionProject.objects.filter(pk__in=list(by_project)).values_list("pk", "name")
    )
    employers = dict(Enterprise.objects.filter(pk__in=list(by_employer)).values_list("pk", "name"))
    project_url = registry.get("construction_constructionproject").url
    enterprise_url = registry.get("construction_enterprise").url
    hazards_url = reverse("hazards:list") + "?" + urlencode({"line": "wages"})
    return {
        "template": "wages/_arrears_panel.html",
        "alerts": [
            {
                "label": "欠薪未发放人数",
                "count": len(rows),
                "unit": "人",
                "url": hazards_url,
                "note": f"{month.year}年{month.month}月工资，涉及项目{len(by_project)}个",
            }
        ],
        "month": month,
        "as_of": as_of,
        "workers": len(rows),
        "projects": [
            (names[pid], project_url("detail", pk=pid), n)
            for pid, n in by_project.most_common(LISTED)
        ],
        "project_count": len(by_project),
        "employers": [
            (employers[eid], enterprise_url("detail", pk=eid), n)
            for eid, n in by_employer.most_common(LISTED)
        ],
        "open_warnings": arrears.open_warnings(hazards).count(),
        "hazards_url": hazards_url,
        "gaps": setups.filter(compliant=False, closed_on__isnull=True).count(),
        "gaps_url": registry.get("wages_projectwagesetup").url("list") + "?compliant=false",
    }


MONTHS_SHOWN = 12


@registry.detail_panel
def project_wages_panel(ledger: Any, obj: Any, user: Any) -> dict[str, Any] | None:
    """On a construction project's page: its wage set-up, workers, attendance and pay
    sheets by month, and the months with workers still unpaid (the arrears rule's
    numbers), each linked to its records."""
    if not isinstance(obj, ConstructionProject) or not scope.can(user, "view", "wages"):
        return None
    from django.db.models.functions import TruncMonth

    from zhujian.domains.wages.models import Attendance, PaySheet, Worker

    by_month = dict(
        Attendance.objects.filter(project=obj)
        .annotate(m=TruncMonth("day"))
        .values("m")
        .annotate(n=Count("worker", distinct=True))
        .order_by("-m")
        .values_list("m", "n")[:MONTHS_SHOWN]
    )
    if not by_month and not Worker.objects.filter(project=obj).exists():
        return None
    sheets = dict(
        PaySheet.objects.filter(project=obj, month__in=list(by_month))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    today = dt.date.today()
    only = ConstructionProject.objects.filter(pk=obj.pk)
    months = []
    for month in sorted(by_month, reverse=True):
        due = arrears.warning_day(month) <= today
        unpaid = len(arrears.unpaid(month, today, only)) if due else None
        months.append(
            {
                "month": month,
                "workers": by_month[month],
                "sheets": sheets.get(month, 0),
                "unpaid": unpaid,
            }
        )
    setup = ProjectWageSetup.objects.filter(project=obj).first()
    return {
        "template": "wages/_project_wages.html",
        "setup": setup,
        "setup_url": registry.get("wages_projectwagesetup").url("detail", pk=setup.pk)
        if setup
        else "",
        "workers": Worker.objects.filter(project=obj).count(),
        "workers_url": registry.get("wages_worker").url_list,
        "sheets_url": registry.get("wages_paysheet").url_list,
        "months": months,
        "unpaid_months": sum(1 for m in months if m["unpaid"]),
    }
