"""Periodic inspection records (定期检验) of cylinders, from the inspection bodies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.utils import bulk_update_with_history

from zhujian.core.models import LedgerModel
from zhujian.domains.lpg import rules
from zhujian.domains.lpg.models.registers import Cylinder
from zhujian.domains.lpg.rules import RETIRED, CylinderStatus


class InspectionResult(models.TextChoices):
    PASSED = "passed", "合格"
    SCRAPPED = "scrapped", "判废"


# The seven items of a periodic inspection (TSG 23-2021), field name → label.
ITEMS = {
    "appearance_ok": "外观检查合格",
    "weld_ok": "焊接接头检查合格",
    "valve_seat_ok": "阀座检查合格",
    "wall_ok": "壁厚测定合格",
    "volume_ok": "容积测定合格",
    "hydro_ok": "水压试验合格",
    "airtight_ok": "气密性试验合格",
}


class CylinderInspection(LedgerModel):
    """One periodic inspection of one cylinder: the seven items, the result, the next date.

    A record moves its cylinder (see :meth:`apply`): a pass sets the cylinder's last
    inspection date (so its next inspection and scrap dates), a 判废 scraps it. Forms and
    the API apply it on save; Excel imports through :meth:`after_import`.
    """

    unit_from = "cylinder"
    derived_fields = ("next_due",)
    claim_fields = ("inspected_on",)

    cylinder = models.ForeignKey(
        Cylinder, models.PROTECT, related_name="inspections", verbose_name="钢瓶"
    )
    inspected_on = models.DateField("检验日期", db_index=True)
    body = models.CharField("检验机构", max_length=100)
    report_number = models.CharField("检验报告编号", max_length=50, blank=True)
    inspector = models.CharField("检验员", max_length=50, blank=True)
    appearance_ok = models.BooleanField(ITEMS["appearance_ok"], default=True)
    weld_ok = models.BooleanField(ITEMS["weld_ok"], default=True)
    valve_seat_ok = models.BooleanField(ITEMS["valve_seat_ok"], default=True)
    wall_ok = models.BooleanField(ITEMS["wall_ok"], default=True)
    volume_ok = models.BooleanField(ITEMS["volume_ok"], default=True)
    hydro_ok = models.BooleanField(ITEMS["hydro_ok"], default=True)
    airtight_ok = models.BooleanField(ITEMS["airtight_ok"], default=True)
    result = models.CharField("检验结论", max_length=10, choices=InspectionResult.choices)
    next_due = models.DateField("下次检验日期", null=True, editable=False)

    class Meta:
        verbose_name = "钢瓶定期检验"
        verbose_name_plural = "钢瓶定期检验"
        constraints = [
            models.UniqueConstraint(
                fields=["cylinder", "inspected_on"], name="lpg_inspection_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cylinder} {self.inspected_on} {self.get_result_display()}"

    @property
    def failed_items(self) -> list[str]:
        return [label for name, label in ITEMS.items() if not getattr(self, name)]

    def derive(self) -> None:
        super().derive()
        self.next_due = None
        if self.result == InspectionResult.PASSED and self.cylinder_id and self.inspected_on:
            self.next_due = rules.next_inspection_due(
                self.cylinder.manufactured_on, self.inspected_on, self.cylinder.spec
            )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        failed = self.failed_items
        if self.result == InspectionResult.PASSED and failed:
            errors["result"] = f"有不合格项（{'、'.join(failed)}），检验结论不能为合格"
        cylinder = self.cylinder if self.cylinder_id else None
        if cylinder is not None and self.inspected_on:
            if self.inspected_on < cylinder.manufactured_on:
                errors["inspected_on"] = "检验日期不能早于钢瓶制造日期"
            elif (
                self.result == InspectionResult.PASSED
                and cylinder.status in RETIRED
                and (cylinder.scrapped_on is None or self.inspected_on >= cylinder.scrapped_on)
            ):
                errors["result"] = (
                    f"钢瓶 {cylinder.code} 已于 {cylinder.scrapped_on} "
                    f"{CylinderStatus(cylinder.status).label}，不能再登记检验合格使其恢复使用"
                    "（《特种设备安全法》第四十八条）"
                )
            elif (
                self.result == InspectionResult.SCRAPPED
                and not failed
                and not _past_design_life(cylinder, self.inspected_on)
            ):
                errors["result"] = "七项均合格且未到设计使用年限的钢瓶不能判废，请勾选不合格项"
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        apply([self])

    @classmethod
    def after_import(cls, records: Iterable[CylinderInspection], user: Any) -> None:
        apply(records, user=user, reason="Excel导入定期检验记录")


def _past_design_life(cylinder: Cylinder, day: Any) -> bool:
    return rules.add_years(cylinder.manufactured_on, rules.conf.design_life_years()) <= day


def apply(records: Iterable[CylinderInspection], user: Any = None, reason: str = "定期检验") -> int:
    """Move each record's cylinder: a pass advances its last inspection date (and brings a
    cylinder waiting for inspection back into use); a 判废 scraps it on that day. Returns
    the number of cylinders changed."""
    by_cylinder: dict[int, list[CylinderInspection]] = {}
    for record in records:
        by_cylinder.setdefault(record.cylinder_id, []).append(record)
    if not by_cylinder:
        return 0
    changed = []
    for cylinder in Cylinder.objects.filter(pk__in=by_cylinder).select_related("org_unit"):
        before = (cylinder.last_inspected_on, cylinder.status, cylinder.scrapped_on)
        for record in sorted(by_cylinder[cylinder.pk], key=lambda r: r.inspected_on):
            if record.result == InspectionResult.PASSED:
                if (
                    not cylinder.last_inspected_on
                    or record.inspected_on > cylinder.last_inspected_on
                ):
                    cylinder.last_inspected_on = record.inspected_on
                if cylinder.status in (CylinderStatus.DUE, CylinderStatus.INSPECTING):
                    cylinder.status = CylinderStatus.IN_USE
            elif cylinder.status not in RETIRED:
                cylinder.status = CylinderStatus.SCRAPPED
                cylinder.scrapped_on = record.inspected_on
        cylinder.derive()
        if (cylinder.last_inspected_on, cylinder.status, cylinder.scrapped_on) != before:
            changed.append(cylinder)
    if changed:
        bulk_update_with_history(
            changed,
            Cylinder,
            ["last_inspected_on", "status", "scrapped_on", "next_inspection_due", "scrap_due"],
            batch_size=500,
            default_user=user,
            default_change_reason=reason,
        )
    return len(changed)
