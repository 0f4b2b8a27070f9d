"""供热: heating seasons, heat sources, pipeline/renovation projects, maintenance work."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from zhujian.core.models import LedgerModel


class HeatingSeason(LedgerModel):
    """One heating season, e.g. 2021-2022年度 (15 Nov – 15 Mar)."""

    start_year = models.PositiveIntegerField("起始年度")
    end_year = models.PositiveIntegerField("结束年度")
    started_on = models.DateField("开始供热日期")
    ended_on = models.DateField("停止供热日期", null=True, blank=True)
    heated_area = models.DecimalField("集中供热面积（万平方米）", max_digits=10, decimal_places=2)
    households = models.PositiveIntegerField("供热户数", default=0)
    complaints = models.PositiveIntegerField("受理投诉（件）", default=0)
    summary = models.TextField("运行情况", blank=True)

    class Meta:
        verbose_name = "供热季"
        verbose_name_plural = "供热季"
        constraints = [
            models.UniqueConstraint(fields=["start_year"], name="heating_season_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.start_year}-{self.end_year}年度供热季"

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year != self.start_year + 1:
            raise ValidationError({"end_year": "结束年度应为起始年度的下一年"})
        if self.ended_on and self.started_on and self.ended_on <= self.started_on:
            raise ValidationError({"ended_on": "停止供热日期应晚于开始供热日期"})


class HeatSourceKind(models.TextChoices):
    COGENERATION = "cogeneration", "热电联产"
    BOILER = "boiler", "燃气锅炉房"
    WASTE_HEAT = "waste_heat", "工业余热"
    HEAT_PUMP = "heat_pump", "热泵"


class HeatSource(LedgerModel):
    name = models.CharField("热源名称", max_length=100, unique=True)
    kind = models.CharField("热源类型", max_length=16, choices=HeatSourceKind.choices)
    operator = models.CharField("运营单位", max_length=100)
    capacity_mw = models.DecimalField("供热能力（兆瓦）", max_digits=8, decimal_places=1)
    area_served = models.DecimalField(
        "承担供热面积（万平方米）", max_digits=10, decimal_places=2, default=0
    )
    in_service = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "热源"
        verbose_name_plural = "热源"

    def __str__(self) -> str:
        return self.name


class HeatingProjectKind(models.TextChoices):
    PIPELINE = "pipeline", "供热管网建设"
    OLD_COMMUNITY = "old_community", "老旧小区供热改造"
    SOURCE = "source", "热源整合"


class HeatingProject(LedgerModel):
    code = models.CharField("项目编号", max_length=30, unique=True)
    name = models.CharField("项目名称", max_length=200)
    kind = models.CharField("类别", max_length=16, choices=HeatingProjectKind.choices)
    year = models.PositiveIntegerField("计划年度")
    planned_investment = models.DecimalField("计划投资（万元）", max_digits=12, decimal_places=2)
    completed_investment = models.DecimalField(
        "已完成投资（万元）", max_digits=12, decimal_places=2, default=0
    )
    pipe_length_m = models.DecimalField(
        "管网长度（米）", max_digits=10, decimal_places=1, default=0
    )
    started_on = models.DateField("开工日期", null=True, blank=True)
    completed_on = models.DateField("完工日期", null=True, blank=True)

    class Meta:
        verbose_name = "供热工程"
        verbose_name_plural = "供热工程"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.completed_investment is not None
            and self.planned_investment is not None
            and self.completed_investment > self.planned_investment * 2
        ):
            raise ValidationError({"completed_investment": "已完成投资超过计划投资的两倍，请核实"})
        if self.completed_on and self.started_on and self.completed_on < self.started_on:
            raise ValidationError({"completed_on": "完工日期不能早于开工日期"})


class HeatingMaintenance(LedgerModel):
    """A maintenance work order on a heating facility."""

    number = models.CharField("工单编号", max_length=30, unique=True)
    reported_on = models.DateField("报修日期", db_index=True)
    facility = models.CharField("设施", max_length=100, help_text="如：换热站、阀门井、管道")
    location = models.CharField("位置", max_length=200, blank=True)
    problem = models.CharField("故障情况", max_length=200)
    completed_on = models.DateField("修复日期", null=True, blank=True)
    crew = models.CharField("维修班组", max_length=50, blank=True)

    class Meta:
        verbose_name = "供热设施维修"
        verbose_name_plural = "供热设施维修"

    def __str__(self) -> str:
        return f"{self.number} {self.facility}"

    def clean(self) -> None:
        if self.completed_on and self.reported_on and self.completed_on < self.reported_on:
            raise ValidationError({"completed_on": "修复日期不能早于报修日期"})
