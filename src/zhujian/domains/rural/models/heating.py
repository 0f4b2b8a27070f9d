"""农村清洁取暖: the year's task and each household's installation and acceptance."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from zhujian.core import codes
from zhujian.core.models import LedgerModel
from zhujian.domains.rural.models.tasks import TownshipYearTask
from zhujian.domains.rural.models.validators import village_error


class CleanHeatTask(TownshipYearTask):
    """A township's share of the year's clean-heating task. ``org_unit`` is the township;
    the county's task is the sum over townships."""

    class Meta:
        verbose_name = "清洁取暖年度任务"
        verbose_name_plural = "清洁取暖年度任务"
        constraints = [
            models.UniqueConstraint(fields=["year", "org_unit"], name="rural_cleanheat_task_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year}年农村清洁取暖任务"


class HeatDevice(models.TextChoices):
    AIR_SOURCE = "air_source", "空气源热泵"
    ELECTRIC = "electric", "电采暖"
    GAS = "gas", "燃气壁挂炉"
    BIOMASS = "biomass", "生物质炉具"
    SOLAR = "solar", "太阳能+"


class CleanHeatHousehold(LedgerModel):
    """A household in the year's clean-heating programme. ``org_unit`` is the village."""

    household_code = models.CharField("户编号", max_length=24)
    year = models.PositiveSmallIntegerField("任务年度", db_index=True)
    head_name = models.CharField("户主姓名", max_length=32)
    device = models.CharField("取暖方式", max_length=16, choices=HeatDevice.choices)
    installed_on = models.DateField("安装日期", null=True, blank=True)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    tested = models.BooleanField("已调试", default=False)

    township = codes.township_field()

    class Meta:
        verbose_name = "清洁取暖改造户"
        verbose_name_plural = "清洁取暖改造户"
        constraints = [
            codes.unique_in_township(
                "household_code", name="rural_cleanheathousehold_household_code_in_township"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_code} {self.head_name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if msg := village_error(self.org_unit if self.org_unit_id else None):
            errors["org_unit"] = msg
        if self.accepted_on and not self.installed_on:
            errors["accepted_on"] = "未安装不能验收"
        elif self.accepted_on and self.accepted_on < self.installed_on:
            errors["accepted_on"] = "验收日期不能早于安装日期"
        if self.tested and not self.installed_on:
            errors["tested"] = "未安装不能调试"
        if errors:
            raise ValidationError(errors)
