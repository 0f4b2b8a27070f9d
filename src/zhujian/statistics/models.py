"""Ledgers the annual 城乡建设统计 returns need and no business ledger holds, and the
state of each return (checked, explained, marked ready).

- :class:`AnnualBase` — a unit's yearly statement of population and area (公安 and
  自然资源 figures), one record per 乡镇/街道 per year;
- :class:`GreenSpace` — the green-space inventory (园林绿地);
- :class:`CityFacility` — roads, bridges, street lamps, public toilets, sanitation
  vehicles and transfer stations (市政环卫设施);
- :class:`CityOperation` — the 县城's monthly sewage and household-waste volumes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from zhujian.core.models import LedgerModel

ZERO = MinValueValidator(0)


class AnnualBase(LedgerModel):
    """A 乡镇/街道's population and area at the end of one statistical year."""

    as_of = models.DateField("统计截止日期", db_index=True, help_text="一般为当年12月31日")
    resident_population = models.PositiveIntegerField("户籍人口（人）")
    temporary_population = models.PositiveIntegerField("暂住人口（人）", default=0)
    area_km2 = models.DecimalField(
        "区域面积（平方公里）", max_digits=9, decimal_places=2, validators=[ZERO]
    )
    built_up_km2 = models.DecimalField(
        "建成区面积（平方公里）", max_digits=9, decimal_places=2, validators=[ZERO]
    )
    water_population = models.PositiveIntegerField("用水人口（人）", default=0)
    gas_population = models.PositiveIntegerField("用气人口（人）", default=0)
    source = models.CharField("数据来源", max_length=200, blank=True)

    class Meta:
        verbose_name = "人口与面积年报"
        verbose_name_plural = "人口与面积年报"
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "as_of"], name="annual_base_unique")
        ]

    def __str__(self) -> str:
        return f"{self.as_of:%Y}年 人口与面积"


class GreenKind(models.TextChoices):
    PARK = "park", "公园绿地"
    PROTECTIVE = "protective", "防护绿地"
    SQUARE = "square", "广场用地"
    ATTACHED = "attached", "附属绿地"
    REGIONAL = "regional", "区域绿地"


class GreenSpace(LedgerModel):
    """One park, belt or square of the green-space inventory, from its opening on."""

    name = models.CharField("绿地名称", max_length=100, unique=True)
    kind = models.CharField("绿地类别", max_length=12, choices=GreenKind.choices)
    green_ha = models.DecimalField(
        "绿地面积（公顷）", max_digits=9, decimal_places=2, validators=[ZERO]
    )
    coverage_ha = models.DecimalField(
        "绿化覆盖面积（公顷）", max_digits=9, decimal_places=2, validators=[ZERO]
    )
    in_built_up = models.BooleanField("位于建成区", default=True)
    opened_on = models.DateField("建成日期", db_index=True)
    closed_on = models.DateField("撤销日期", null=True, blank=True)

    class Meta:
        verbose_name = "园林绿地"
        verbose_name_plural = "园林绿地"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            raise ValidationError({"closed_on": "撤销日期不能早于建成日期"})


class FacilityKind(models.TextChoices):
    ROAD = "road", "城市道路"
    BRIDGE = "bridge", "桥梁"
    LAMP = "lamp", "道路照明灯"
    TOILET = "toilet", "公共厕所"
    VEHICLE = "vehicle", "市容环卫专用车辆设备"
    TRANSFER = "transfer", "生活垃圾转运站"


class CityFacility(LedgerModel):
    """A municipal or sanitation facility in service from one date (a road, a batch of
    street lamps, a toilet, a sanitation vehicle …)."""

    kind = models.CharField("设施类别", max_length=12, choices=FacilityKind.choices)
    name = models.CharField("名称", max_length=100)
    quantity = models.PositiveIntegerField(
        "数量（座/盏/台）", default=1, help_text="道路填1；路灯填盏数"
    )
    length_km = models.DecimalField(
        "长度（公里）", max_digits=8, decimal_places=2, null=True, blank=True, validators=[ZERO]
    )
    area_10k_m2 = models.DecimalField(
        "面积（万平方米）",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[ZERO],
    )
    sidewalk_10k_m2 = models.DecimalField(
        "其中人行道面积（万平方米）",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[ZERO],
    )
    in_service_on = models.DateField("投入使用日期", db_index=True)
    retired_on = models.DateField("停用日期", null=True, blank=True)

    class Meta:
        verbose_name = "市政环卫设施"
        verbose_name_plural = "市政环卫设施"
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="city_facility_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == FacilityKind.ROAD:
            if self.length_km is None:
                errors["length_km"] = "城市道路须填写长度"
            if self.area_10k_m2 is None:
                errors["area_10k_m2"] = "城市道路须填写面积"
            if (
                self.sidewalk_10k_m2 is not None
                and self.area_10k_m2 is not None
                and self.sidewalk_10k_m2 > self.area_10k_m2
            ):
                errors["sidewalk_10k_m2"] = (
                    f"人行道面积 {self.sidewalk_10k_m2} 万平方米不能大于道路面积 "
                    f"{self.area_10k_m2} 万平方米"
                )
        if not self.quantity:
            errors["quantity"] = "数量应大于0"
        if self.retired_on and self.in_service_on and self.retired_on < self.in_service_on:
            errors["retired_on"] = "停用日期不能早于投入使用日期"
        if errors:
            raise ValidationError(errors)


class CityOperation(LedgerModel):
    """One month of the 县城's sewage and household-waste volumes (an aggregate of the
    plants' and the sanitation department's monthly statements)."""

    month = models.DateField("月份", unique=True, help_text="填当月1日")
    sewage_discharged = models.DecimalField(
        "污水排放量（万立方米）", max_digits=10, decimal_places=2, validators=[ZERO]
    )
    sewage_treated = models.DecimalField(
        "污水处理量（万立方米）", max_digits=10, decimal_places=2, validators=[ZERO]
    )
    waste_collected = models.DecimalField(
        "生活垃圾清运量（万吨）", max_digits=10, decimal_places=3, validators=[ZERO]
    )
    waste_harmless = models.DecimalField(
        "生活垃圾无害化处理量（万吨）", max_digits=10, decimal_places=3, validators=[ZERO]
    )

    class Meta:
        verbose_name = "城区污水与垃圾月报"
        verbose_name_plural = "城区污水与垃圾月报"

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 污水与垃圾"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "月份请填当月1日"})


class ReturnStatus(models.Model):
    """A return (县城 for the county, or 村镇 for one 乡镇) marked ready after its checks
    passed, with the explanations given for large year-on-year changes."""

    year = models.PositiveSmallIntegerField("统计年度")
    scope = models.CharField("年报", max_length=8, choices=[("county", "县城"), ("town", "村镇")])
    # the county for the 县城 return, the 乡镇 for a 村镇 return
    unit = models.ForeignKey("core.OrgUnit", models.PROTECT, verbose_name="填报范围")
    explanations = models.JSONField("变动说明", default=dict, blank=True)
    ready = models.BooleanField("已审核可报送", default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, verbose_name="标记人"
    )
    marked_at = models.DateTimeField("标记时间", null=True, blank=True)

    class Meta:
        verbose_name = "统计年报状态"
        verbose_name_plural = "统计年报状态"
        constraints = [
            models.UniqueConstraint(fields=["year", "scope", "unit"], name="return_status_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_scope_display()}统计年报"
