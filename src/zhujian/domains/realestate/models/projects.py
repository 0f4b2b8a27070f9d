"""Development projects and their presale permits (商品房预售许可)."""

from __future__ import annotations

import datetime as dt
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
    """A 商品房预售许可 from application to permit: 申请 (the record's registration) →
    受理 (the department names the 承办人) → 审核 → 核发 (the permit number), the decision
    due within 10 days of the application (第二十四条). Passing review or issuing needs
    every condition of 城市房地产开发经营管理条例第二十二条: land premium paid with the
    land certificate, the planning and construction permits, investment of at least 25 %
    of the total, and a construction schedule with a delivery date."""

    unit_from = "project"

    permit_no = models.CharField(
        "预售许可证号", max_length=50, blank=True, help_text="核发时填写；申请办理中为空"
    )
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
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    handler = models.CharField(
        "承办人", max_length=50, blank=True, help_text="受理时指定，负责审核的工作人员姓名"
    )
    reviewed_on = models.DateField("审核日期", null=True, blank=True)
    review_opinion = models.CharField("审核意见", max_length=200, blank=True)
    issued_on = models.DateField("发证日期", null=True, blank=True, db_index=True)
    decision_due_on = models.DateField("法定办结期限", null=True, editable=False)
    decided_late = models.BooleanField("超过法定办理时限", default=False, editable=False)
    land_premium_paid = models.BooleanField("已缴清土地出让金", default=False)
    land_certificate_no = models.CharField("土地使用权证书号", max_length=50, blank=True)
    planning_permit_no = models.CharField("建设工程规划许可证号", max_length=50, blank=True)
    construction_permit_no = models.CharField("施工许可证号", max_length=50, blank=True)
    total_investment = models.DecimalField("工程建设总投资（万元）", **WAN)
    invested = models.DecimalField("已投入开发建设资金（万元）", **WAN)
    delivery_on = models.DateField("竣工交付日期")

    derived_fields = ("total_area", "decided_late", "decision_due_on")

    class Meta:
        verbose_name = "商品房预售许可"
        verbose_name_plural = "商品房预售许可"
        constraints = [
            models.UniqueConstraint(
                fields=["permit_no"],
                condition=~models.Q(permit_no=""),
                name="realestate_presale_permit_no_unique",
                violation_error_message="该预售许可证号已存在",
            )
        ]

    def __str__(self) -> str:
        return self.permit_no or f"{self.buildings}预售许可申请（{self.applied_on}）"

    def area_sum(self) -> Decimal:
        parts = (self.residential_area, self.commercial_area, self.office_area, self.other_area)
        return sum((p or Decimal(0) for p in parts), Decimal(0))

    def derive(self) -> None:
        super().derive()
        self.total_area = self.area_sum()
        self.decision_due_on = (
            due_after(self.applied_on, rules.value("PRESALE_DECISION_DAYS"))
            if self.applied_on
            else None
        )
        self.decided_late = bool(
            self.applied_on
            and self.issued_on
            and self.issued_on > due_after(self.applied_on, rules.value("PRESALE_DECISION_DAYS"))
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self._check_steps(errors)
        if self.reviewed_on or self.issued_on:
            self._check_conditions(errors)
        if self.delivery_on and self.issued_on and self.delivery_on <= self.issued_on:
            errors["delivery_on"] = "竣工交付日期应晚于发证日期"
        if self.area_sum() <= 0:
            errors["residential_area"] = (
                "预售面积合计应大于0（住宅、商业、办公、其他面积至少填一项）"
            )
        if errors:
            raise ValidationError(errors)

    def _check_steps(self, errors: dict[str, str]) -> None:
        """受理 → 审核 → 核发 in order, each dated on or after the one before."""
        order = (
            ("applied_on", "申请"),
            ("accepted_on", "受理"),
            ("reviewed_on", "审核"),
            ("issued_on", "核发"),
        )
        last: tuple[str, dt.date] | None = None
        for name, label in order:
            day = getattr(self, name)
            if day is None:
                continue
            if last is not None and day < last[1]:
                errors.setdefault(name, f"{label}日期不能早于{last[0]}日期（{last[1]}）")
            last = (label, day)
        for name, label, before, before_label in (
            ("reviewed_on", "审核", "accepted_on", "受理"),
            ("issued_on", "核发", "reviewed_on", "审核"),
        ):
            if name == "issued_on" and self.recorded_issued:
                continue
            if getattr(self, name) and not getattr(self, before):
                errors.setdefault(
                    name, f"未办理{before_label}，不能{label}：请先填写{before_label}日期"
                )
        if self.accepted_on and not self.handler.strip():
            errors.setdefault("handler", "受理时须指定承办人")
        if self.issued_on and not self.permit_no.strip():
            errors.setdefault("permit_no", "核发预售许可须填写预售许可证号")

    @property
    def recorded_issued(self) -> bool:
        """A permit entered as issued, with none of its handling steps (补录 of a permit
        issued before the platform recorded them): no step to take."""
        return bool(
            self.issued_on and not (self.accepted_on or self.reviewed_on or self.handler.strip())
        )

    def _check_conditions(self, errors: dict[str, str]) -> None:
        """城市房地产开发经营管理条例第二十二条: the conditions of a presale permit."""
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
