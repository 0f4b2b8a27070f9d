"""What still stands in the way of closing a project's special wage account (条例 Art 26–27).

Kept beside the models (not in :mod:`zhujian.domains.wages.arrears`) because the account's
own ``clean()`` asks it, and the arrears check builds on the models: one direction only.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Sum
from django.db.models.functions import TruncMonth

from zhujian.domains.construction.models import ConstructionProject
from zhujian.domains.wages.models.cases import WageCase
from zhujian.domains.wages.models.pay import PayLine, WagePayment
from zhujian.domains.wages.models.workers import Attendance
from zhujian.hazards.models import Hazard

#: ``Hazard.found_by`` of the arrears warnings the monthly check opens.
FOUND_BY = "农民工工资实名制监管"


def underpaid_workers(project: ConstructionProject) -> set[int]:
    """Workers paid less than the net pay of their pay-sheet lines for some month (条例第三条:
    full payment), by two grouped queries."""
    owed = {
        (r["worker_id"], r["sheet__month"]): r["s"]
        for r in PayLine.objects.filter(sheet__project=project)
        .values("worker_id", "sheet__month")
        .annotate(s=Sum("net"))
    }
    paid = {
        (r["worker_id"], r["month"]): r["s"]
        for r in WagePayment.objects.filter(project=project)
        .values("worker_id", "month")
        .annotate(s=Sum("amount"))
    }
    return {w for (w, m), net in owed.items() if (w, m) in paid and paid[(w, m)] < net}


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
    unpaid_workers = set(
        Attendance.objects.filter(project=project)
        .annotate(m=TruncMonth("day"))
        .filter(~Exists(paid))
        .values_list("worker_id", flat=True)
        .distinct()
    )
    unpaid_workers |= underpaid_workers(project)
    if unpaid_workers:
        reasons.append(f"尚有{len(unpaid_workers)}名工人有考勤月份未从专用账户足额发放工资")
    return "、".join(reasons) or None
