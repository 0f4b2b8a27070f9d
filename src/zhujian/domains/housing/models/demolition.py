"""拆迁: demolition areas (片区) and their households, tail households (尾子户) included."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from zhujian.core import codes
from zhujian.core.models import LedgerModel
from zhujian.domains.rural.models.validators import id_number_error


class DemolitionArea(LedgerModel):
    """A demolition area or project (片区), e.g. 自来水片区, 龙沂庄二期配套区.

    ``org_unit`` is the 街道/乡镇 (or 社区/村) where it lies.
    """

    code = models.CharField("片区编号", max_length=30)
    name = models.CharField("片区名称", max_length=100)
    started_on = models.DateField("启动日期", null=True, blank=True)
    purpose = models.CharField(
        "拆迁用途", max_length=100, blank=True, help_text="如：棚户区改造、道路配套、学校建设"
    )
    note = models.TextField("备注", blank=True)

    township = codes.township_field()

    class Meta:
        verbose_name = "拆迁片区"
        verbose_name_plural = "拆迁片区"
        constraints = [
            codes.unique_in_township("code", name="housing_demolitionarea_code_in_township")
        ]

    def __str__(self) -> str:
        return self.name


class HomesteadKind(models.TextChoices):
    PLANNED = "planned", "规划宅基户"
    UNPLANNED = "unplanned", "非规划宅基户"


class DemolitionHousehold(LedgerModel):
    """One household to be relocated from an area; a 尾子户 once put on the tail list."""

    unit_from = "area"

    area = models.ForeignKey(
        DemolitionArea, models.PROTECT, related_name="households", verbose_name="拆迁片区"
    )
    household_code = models.CharField("户编号", max_length=30)
    head_name = models.CharField("户主姓名", max_length=32)
    id_number = models.CharField(
        "户主身份证号（脱敏）", max_length=18, blank=True, help_text="如 3713**********1234"
    )
    address = models.CharField("房屋坐落", max_length=128, blank=True)
    homestead_kind = models.CharField(
        "宅基地类别", max_length=12, choices=HomesteadKind.choices, blank=True
    )
    tail_listed_on = models.DateField(
        "列入尾子户日期",
        null=True,
        blank=True,
        help_text="列入拆迁扫尾攻坚的剩余未签约或未拆除户",
    )
    agreement_signed_on = models.DateField("签订协议日期", null=True, blank=True, db_index=True)
    demolished_on = models.DateField("拆除日期", null=True, blank=True, db_index=True)
    enforcement_document = models.CharField(
        "依法强制拆除文书号",
        max_length=60,
        blank=True,
        help_text="未签协议而依法强制拆除的，填写法院裁定或征收决定文书号",
    )

    township = codes.township_field()

    class Meta:
        verbose_name = "拆迁户"
        verbose_name_plural = "拆迁户"
        constraints = [
            codes.unique_in_township(
                "household_code", name="housing_demolitionhousehold_household_code_in_township"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_code} {self.head_name}"

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> Any:
        obj = super().from_db(db, field_names, values, **kwargs)
        obj._area_loaded = obj.__dict__.get("area_id")
        return obj

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if msg := id_number_error(self.id_number):
            errors["id_number"] = msg
        loaded = getattr(self, "_area_loaded", None)
        if self.pk and loaded and self.area_id and loaded != self.area_id:
            was = DemolitionArea.objects.filter(pk=loaded).values_list("name", flat=True).first()
            errors["area"] = (
                f"户编号 {self.household_code} 已登记在“{was}”，同一户不能同时属于两个片区；"
                "确属登记错误的，请先在原片区删除该户再重新登记"
            )
        signed, demolished = self.agreement_signed_on, self.demolished_on
        if demolished and signed and demolished < signed:
            errors["demolished_on"] = f"拆除日期不能早于签订协议日期（{signed}）"
        if demolished and not signed and not self.enforcement_document.strip():
            errors["agreement_signed_on"] = (
                "已拆除的户须填写签订协议日期；未签协议而依法强制拆除的，请填写强制拆除文书号"
            )
        started = self.area.started_on if self.area_id else None
        if started and signed and signed < started:
            errors.setdefault(
                "agreement_signed_on", f"签订协议日期不能早于片区启动日期（{started}）"
            )
        if errors:
            raise ValidationError(errors)
