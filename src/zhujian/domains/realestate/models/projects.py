"""Development projects and their presale permits (商品房预售许可)."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from zhujian.core.deadlines import due_after
from zhujian.core.models import LedgerModel
from zhujian.domains.realestate import rules

AREA = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}
WAN = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class DevelopmentProject(LedgerModel):
    """A commercial housing development (楼盘), e.g. 锦绣华府二期, and its developer."""

    code = models.CharField("项目编号", max_length=30, unique=True)
    name = models.CharField("项目名称", max_length=100)
    developer = models.CharField("开发企业", max_length=100)
    developer_licence = models.CharField("开发资质证书编号", max_length=50, blank=True)
    address = models.CharField("项目地址", max_length=200, blank=True)
    land_area = models.DecimalField("用地面积（平方米）", **AREA, default=0)
    planned_area = models.DecimalField("规划总建筑面积（平方米）", **AREA, default=0)
    started_on = models.DateField("开工日期", null=True, blank=True)

    class Meta:
        verbose_name = "房地产开发项目"
        verbose_name_plural = "房地产开发项目"

    def __str__(self) -> str:
        return self.name


class PresalePermit(LedgerModel):
    """A 商品房预售许可证. Issuing one needs every condition of 城市房地产开发经营管理条例
    第二十二条, checked on entry: land premium paid with the land certificate, the
    planning and construction permits, investment of at least 25 % of the total, and a
    construction schedule with a delivery date."""

    unit_from = "project"

    permit_no = models.CharField("预售许可证号", max_length=50, unique=True)
    project = models.ForeignKey(
        DevelopmentProject, models.PROTECT, related_name="permits", verbose_name="开发项目"
    )
    buildings = models.CharField("预售楼栋", max_length=200, help_text="如：1#、2#、5#楼")
    residential_area = models.DecimalField("住宅面积（平方米）", **AREA, default=0)
    commercial_area = models.DecimalField("商业面积（平方米）", **AREA, default=0)
    office_area = models.DecimalField("办公面积（平方米）", **AREA, default=0)
    other_area = models.DecimalField("其他面积（平方米）", **AREA, default=0)
    total_area = models.DecimalField("预售总面积（平方米）", **AREA, default=0, editable=False)
    units = models.PositiveIntegerField("预售套数", default=0)
    applied_on = models.DateField("申请日期")
    issued_on = models.DateField("发证日期", db_index=True)
    decided_late = models.BooleanField("超过法定办理时限", default=False, editable=False)
    land_premium_paid = models.BooleanField("已缴清土地出让金", default=False)
    land_certificate_no = models.CharField("土地使用权证书号", max_length=50, blank=True)
    planning_permit_no = models.CharField("建设工程规划许可证号", max_length=50, blank=True)
    construction_permit_no = models.CharField("施工许可证号", max_length=50, blank=True)
    total_investment = models.DecimalField("工程建设总投资（万元）", **WAN)
    invested = models.DecimalField("已投入开发建设资金（万元）", **WAN)
    delivery_on = models.DateField("竣工交付日期")

    derived_fields = ("total_area", "decided_late")

    class Meta:
        verbose_name = "商品房预售许可"
        verbose_name_plural = "商品房预售许可"

    def __str__(self) -> str:
        return self.permit_no

    def area_sum(self) -> Decimal:
        parts = (self.residential_area, self.commercial_area, self.office_area, self.other_area)
        return sum((p or Decimal(0) for p in parts), Decimal(0))

    def derive(self) -> None:
        super().derive()
        self.total_area = self.area_sum()
        self.decided_late = bool(
            self.applied_on
            and self.issued_on
            and self.issued_on > due_after(self.applied_on, rules.value("PRESALE_DECISION_DAYS"))
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.applied_on and self.issued_on and self.issued_on < self.applied_on:
            errors["issued_on"] = "发证日期不能早于申请日期"
        if not self.land_premium_paid:
            errors["land_premium_paid"] = (
                "未缴清全部土地使用权出让金，不得核发预售许可（城市房地产开发经营管理条例第二十二条）"
            )
        for name, label in (
            ("land_certificate_no", "土地使用权证书"),
            ("planning_permit_no", "建设工程规划许可证"),
            ("construction_permit_no", "施工许可证"),
        ):
            if not getattr(self, name).strip():
                errors[name] = f"未取得{label}，不得核发预售许可，请填写证书编号"
        share = rules.value("PRESALE_MIN_INVESTMENT_PERCENT")
        if self.total_investment is not None and self.invested is not None:
            if self.total_investment <= 0:
                errors["total_investment"] = "工程建设总投资应大于0"
            elif self.invested * 100 < self.total_investment * share:
                actual = (self.invested * 100 / self.total_investment).quantize(
                    Decimal("0.01"), rounding=ROUND_DOWN
                )
                errors["invested"] = (
                    f"投入开发建设的资金未达到工程建设总投资的{share}%"
                    f"（已投入{self.invested}万元，总投资{self.total_investment}万元，"
                    f"占{actual}%），不得核发预售许可"
                )
        if self.delivery_on and self.issued_on and self.delivery_on <= self.issued_on:
            errors["delivery_on"] = "竣工交付日期应晚于发证日期"
        if self.area_sum() <= 0:
            errors["residential_area"] = (
                "预售面积合计应大于0（住宅、商业、办公、其他面积至少填一项）"
            )
        if errors:
            raise ValidationError(errors)
