"""城镇老旧小区改造 (communities, their items) and 棚户区改造 (projects), both staged."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from zhujian.core.models import LedgerModel
from zhujian.core.stages import StagedModel, Stages
from zhujian.domains.housing import conf


class OldCommunity(StagedModel, LedgerModel):
    """An old residential community declared for renovation in a year (申报改造).

    ``org_unit`` is the 社区 (or 街道) where it lies.
    """

    stages = Stages(
        [
            ("declared", "申报", "declared_on"),
            ("tendered", "招投标", "tendered_on"),
            ("started", "施工", "started_on"),
            ("accepted", "完工验收", "accepted_on"),
        ]
    )

    code = models.CharField("项目编号", max_length=30, unique=True)
    name = models.CharField("小区名称", max_length=100)
    year = models.PositiveSmallIntegerField("改造年度", db_index=True)
    built_year = models.PositiveSmallIntegerField("建成年份")
    buildings = models.PositiveIntegerField("楼栋数（栋）")
    households = models.PositiveIntegerField("户数（户）")
    floor_area = models.DecimalField(
        "改造面积（平方米）", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    investment = models.DecimalField(
        "投资（万元）", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    planned_start = models.DateField("计划开工月份", help_text="填该月任一日期，如 2022-07-01")
    planned_finish = models.DateField("计划完工月份", help_text="填该月任一日期，如 2022-11-01")
    declared_on = models.DateField("申报日期", null=True, blank=True)
    tendered_on = models.DateField("招投标日期", null=True, blank=True)
    started_on = models.DateField("开工日期", null=True, blank=True)
    accepted_on = models.DateField("完工验收日期", null=True, blank=True)

    class Meta:
        verbose_name = "老旧小区改造项目"
        verbose_name_plural = "老旧小区改造项目"

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"

    def clean(self) -> None:
        errors = self.stage_errors()
        limit = conf.old_community_built_by()
        if self.built_year and self.built_year > limit:
            errors["built_year"] = (
                f"城镇老旧小区改造对象为{limit}年底前建成的小区（国办发〔2020〕23号），"
                f"该小区建成于{self.built_year}年"
            )
        start, finish = self.planned_start, self.planned_finish
        if start and finish and (finish.year, finish.month) < (start.year, start.month):
            errors["planned_finish"] = "计划完工月份不能早于计划开工月份"
        if errors:
            raise ValidationError(errors)


class ItemClass(models.TextChoices):
    BASIC = "basic", "基础类"
    IMPROVE = "improve", "完善类"
    ENHANCE = "enhance", "提升类"


class RenovationItem(LedgerModel):
    """One renovation item of a community, by the policy's three classes.

    基础类: utilities, roofs, fire safety …; 完善类: lifts, parking, energy saving …;
    提升类: community, elderly- and child-care services.
    """

    unit_from = "community"

    community = models.ForeignKey(
        OldCommunity, models.CASCADE, related_name="items", verbose_name="老旧小区"
    )
    item_class = models.CharField("改造类别", max_length=8, choices=ItemClass.choices)
    content = models.CharField("改造内容", max_length=100, help_text="如：供水管网改造、加装电梯")
    investment = models.DecimalField(
        "投资（万元）",
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = "老旧小区改造内容"
        verbose_name_plural = "老旧小区改造内容"
        constraints = [
            models.UniqueConstraint(
                fields=["community", "item_class", "content"], name="renovation_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_item_class_display()}：{self.content}"


class StopReason(models.TextChoices):
    DEMOLITION = "demolition", "拆迁未完成"
    FUNDS = "funds", "资金未到位"
    PERMITS = "permits", "手续不全"
    OTHER = "other", "其他"


class ShantytownProject(StagedModel, LedgerModel):
    """A 棚户区改造 (shantytown renovation) resettlement-housing project.

    The stages are the seed's categories: 基础施工 → 主体施工 → 主体基本建成 (interior and
    outside works) → 办理验收手续 → 综合验收完成 (then the housing is allocated). A project
    stopped (停工) and not resumed is in no other category on that day.
    """

    stages = Stages(
        [
            ("approved", "立项", "approved_on"),
            ("foundation", "基础施工", "foundation_on"),
            ("structure", "主体施工", "structure_on"),
            ("topped", "主体基本建成", "topped_out_on"),
            ("acceptance", "办理验收手续", "acceptance_on"),
            ("accepted", "综合验收完成", "accepted_on"),
        ]
    )

    code = models.CharField("项目编号", max_length=30, unique=True)
    name = models.CharField("项目名称", max_length=100)
    households = models.PositiveIntegerField("安置户数（户）", default=0)
    units = models.PositiveIntegerField("安置房套数（套）", default=0)
    floor_area = models.DecimalField(
        "建筑面积（平方米）", max_digits=12, decimal_places=2, default=0
    )
    investment = models.DecimalField("总投资（万元）", max_digits=12, decimal_places=2, default=0)
    approved_on = models.DateField("立项日期", null=True, blank=True)
    foundation_on = models.DateField("基础施工开始日期", null=True, blank=True)
    structure_on = models.DateField("主体施工开始日期", null=True, blank=True)
    topped_out_on = models.DateField("主体基本建成日期", null=True, blank=True)
    acceptance_on = models.DateField("开始办理验收手续日期", null=True, blank=True)
    accepted_on = models.DateField("综合验收完成日期", null=True, blank=True)
    stopped_on = models.DateField("停工日期", null=True, blank=True)
    stop_reason = models.CharField(
        "停工原因", max_length=12, choices=StopReason.choices, blank=True
    )
    resumed_on = models.DateField("复工日期", null=True, blank=True)

    class Meta:
        verbose_name = "棚户区改造项目"
        verbose_name_plural = "棚户区改造项目"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = self.stage_errors()
        stopped, resumed = self.stopped_on, self.resumed_on
        if stopped:
            if not self.stop_reason:
                errors.setdefault("stop_reason", "停工的项目须选择停工原因")
            if not self.foundation_on or stopped < self.foundation_on:
                errors.setdefault(
                    "stopped_on", "停工日期不能早于基础施工开始日期（未开工的项目无从停工）"
                )
            elif self.accepted_on and stopped >= self.accepted_on:
                errors.setdefault("stopped_on", _two_stages("综合验收完成"))
            else:
                until = resumed or dt.date.max
                during = [
                    s
                    for s in type(self).stages
                    if (day := getattr(self, s.field)) and stopped < day < until
                ]
                if during:
                    errors.setdefault("stopped_on", _two_stages(during[-1].label))
        if resumed and not stopped:
            errors.setdefault("resumed_on", "填写复工日期前须填写停工日期")
        if resumed and stopped and resumed < stopped:
            errors.setdefault("resumed_on", f"复工日期不能早于停工日期（{stopped}）")
        if self.stop_reason and not stopped:
            errors.setdefault("stopped_on", "填写停工原因时须填写停工日期")
        if errors:
            raise ValidationError(errors)


def _two_stages(label: str) -> str:
    return (
        f"同一项目不能同时处于“停工”和“{label}”两个阶段：停工期间不能推进到下一阶段，"
        "已完成综合验收的项目不能停工"
    )


def stopped_on_day(day: dt.date) -> Q:
    """Projects stopped (停工) and not yet resumed on ``day``."""
    return Q(stopped_on__lte=day) & (Q(resumed_on__isnull=True) | Q(resumed_on__gt=day))
