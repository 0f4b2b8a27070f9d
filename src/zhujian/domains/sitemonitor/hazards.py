"""An over-limit alarm opens a hazard for its site in the shared loop (隐患闭环).

One open hazard per site and factor: while the hazard from an earlier PM10 alarm at a
site is not yet verified and closed, later PM10 alarms there are attached to it rather
than opening another. The hazard is linked to the site (the construction project), so
it shows on the project's page and is followed up like any inspection's hazard.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from zhujian.domains.construction.models import ConstructionProject
from zhujian.domains.sitemonitor.models import Alarm
from zhujian.hazards.models import Hazard, HazardCategory

FOUND_BY = "扬尘噪声在线监测系统"


def source_of(alarm: Alarm) -> str:
    return f"在线监测报警：{alarm.factor_label}超标"


def open_hazard_for(alarm: Alarm) -> Hazard:
    """The site's open hazard for this factor, opened now if there is none."""
    project: ConstructionProject = alarm.project
    source = source_of(alarm)
    existing = Hazard.objects.filter(
        source_type=ContentType.objects.get_for_model(ConstructionProject),
        source_id=project.pk,
        found_by=FOUND_BY,
        source=source,
        verified_on__isnull=True,
    ).first()
    if existing is not None:
        return existing
    local = timezone.localtime(alarm.started_at)
    hazard = Hazard(
        line="construction",
        org_unit_id=project.org_unit_id,
        source=source,
        category=HazardCategory.OTHER,
        description=(
            f"{project.name}的监测设备{alarm.device.code}自{local:%Y年%m月%d日 %H:%M}起"
            f"{alarm.factor_label}连续{alarm.readings}次超过限值"
            f"（{alarm.basis + '，' if alarm.basis else ''}"
            f"限值{alarm.limit:g}{alarm.unit}，最高{alarm.peak:g}{alarm.unit}），"
            "须查明扬尘或噪声来源并落实降尘、降噪措施。"
        ),
        location=project.address or project.name,
        found_on=local.date(),
        found_by=FOUND_BY,
    )
    hazard.link(project)
    hazard._change_reason = "在线监测超标报警，系统自动登记"
    hazard.save()
    return hazard
