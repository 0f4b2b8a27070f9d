"""What still stands in the way of closing a project's special wage account (条例 Art 26–27).

Kept beside the models (not in :mod:`zhujian.domains.wages.arrears`) because the account's
own ``clean()`` asks it, and the arrears check builds on the models: one direction only.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.db.models.functions import TruncMonth

from zhujian.domains.construction.models import ConstructionProject
from zhujian.domains.wages.models.cases import WageCase
from zhujian.domains.wages.models.pay import WagePayment
from zhujian.domains.wages.models.workers import Attendance
from zhujian.hazards.models import Hazard

#: ``Hazard.found_by`` of the arrears warnings the monthly check opens.
FOUND_BY = "农民工工资实名制监管"


def outstanding(project: ConstructionProject) -> str | None:
    """Why the project still has arrears (for closing its special account), or None."""
    reasons = []
    cases = WageCase.objects.filter(project=project, resolved_on__isnull=True).count()
    if cases:
        reasons.append(f"尚有{cases}件欠薪案件未办结")
    ctype = ContentType.objects.get_for_model(ConstructionProject)
    warnings = Hazard.objects.filter(
        source_type=ctype, source_id=project.pk, found_by=FOUND_BY, verified_on__isnull=True
    ).count()
    if warnings:
        reasons.append(f"尚有{warnings}条欠薪预警未销号")
    paid = WagePayment.objects.filter(worker_id=OuterRef("worker_id"), month=OuterRef("m"))
    unpaid_workers = (
        Attendance.objects.filter(project=project)
        .annotate(m=TruncMonth("day"))
        .filter(~Exists(paid))
        .values("worker_id")
        .distinct()
        .count()
    )
    if unpaid_workers:
        reasons.append(f"尚有{unpaid_workers}名工人有考勤月份未从专用账户发放工资")
    return "、".join(reasons) or None
