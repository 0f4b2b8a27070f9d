"""供水: monthly supply and revenue, mains laid, meter installations per community."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from zhujian.core.models import LedgerModel


class WaterSupply(LedgerModel):
    """Monthly supply volume and revenue of the county water company (an aggregate)."""

    month = models.DateField("月份", unique=True, help_text="填当月1日")
    volume = models.DecimalField("供水量（万立方米）", max_digits=10, decimal_places=2)
    revenue = models.DecimalField("水费收入（万元）", max_digits=10, decimal_places=2)
    users = models.PositiveIntegerField("用水户数", default=0)

    class Meta:
        verbose_name = "供水月报"
        verbose_name_plural = "供水月报"

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 供水"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "月份请填当月1日"})


class WaterMain(LedgerModel):
    """A section of supply main laid (新铺设供水主管道)."""

    name = models.CharField("管道工程", max_length=200, unique=True)
    road = models.CharField("所在道路", max_length=100, blank=True)
    diameter_mm = models.PositiveIntegerField("管径（毫米）")
    length_km = models.DecimalField("长度（公里）", max_digits=8, decimal_places=2)
    completed_on = models.DateField("铺设完成日期", db_index=True)

    class Meta:
        verbose_name = "供水主管道铺设"
        verbose_name_plural = "供水主管道铺设"

    def __str__(self) -> str:
        return self.name


class MeterKind(models.TextChoices):
    HOUSEHOLD = "household", "户表"
    BULK = "bulk", "总计量水表"


class MeterInstallation(LedgerModel):
    """Meters installed in one community or old residential compound on one day."""

    place = models.CharField("社区/小区", max_length=100)
    kind = models.CharField("水表类别", max_length=10, choices=MeterKind.choices)
    installed_on = models.DateField("安装日期", db_index=True)
    quantity = models.PositiveIntegerField("数量（户/块）")
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "水表安装"
        verbose_name_plural = "水表安装"
        constraints = [
            models.UniqueConstraint(
                fields=["place", "kind", "installed_on"], name="meter_installation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.get_kind_display()} {self.quantity}"

    def clean(self) -> None:
        if self.quantity == 0:
            raise ValidationError({"quantity": "数量应大于0"})
