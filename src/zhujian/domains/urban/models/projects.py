"""市政道路与重点工程: projects and their dated progress reports."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zhujian.core.models import LedgerModel


class ProjectKind(models.TextChoices):
    ROAD = "road", "市政道路"
    KEY = "key", "重点工程"


class ProjectStage(models.TextChoices):
    PLANNED = "planned", "谋划储备"
    PREPARING = "preparing", "前期手续"
    BUILDING = "building", "在建"
    OPENED = "opened", "已通车"
    COMPLETED = "completed", "竣工验收"


class MunicipalProject(LedgerModel):
    """A municipal road or key project, e.g. 会宝路东延（7号路至12号路）."""

    code = models.CharField("项目编号", max_length=30, unique=True)
    name = models.CharField("项目名称", max_length=200)
    kind = models.CharField("类别", max_length=10, choices=ProjectKind.choices)
    area = models.CharField("片区", max_length=50, blank=True, help_text="如：东城新区、老城区")
    road = models.CharField("道路名称", max_length=50, help_text="如：会宝路、泉山路")
    segment_from = models.CharField("起点", max_length=50, blank=True, help_text="如：7号路")
    segment_to = models.CharField("终点", max_length=50, blank=True, help_text="如：苍山路")
    length_m = models.DecimalField("长度（米）", max_digits=10, decimal_places=1, default=0)
    planned_investment = models.DecimalField(
        "计划投资（万元）", max_digits=12, decimal_places=2, default=0
    )
    stage = models.CharField(
        "阶段", max_length=12, choices=ProjectStage.choices, default=ProjectStage.PLANNED
    )
    started_on = models.DateField("开工日期", null=True, blank=True)
    target_open_on = models.DateField("计划通车日期", null=True, blank=True)
    opened_on = models.DateField("实际通车日期", null=True, blank=True)
    plan_year = models.PositiveIntegerField("计划年度", null=True, blank=True)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "市政道路与重点工程"
        verbose_name_plural = "市政道路与重点工程"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.opened_on and self.started_on and self.opened_on < self.started_on:
            raise ValidationError({"opened_on": "通车日期不能早于开工日期"})
        if self.stage == ProjectStage.OPENED and not self.opened_on:
            raise ValidationError({"opened_on": "阶段为“已通车”时须填写实际通车日期"})
        if self.stage in (ProjectStage.BUILDING, ProjectStage.OPENED) and not self.started_on:
            raise ValidationError({"started_on": "在建或已通车的项目须填写开工日期"})


class ProjectProgress(LedgerModel):
    """A dated progress report: cumulative investment and percent complete never go down."""

    unit_from = "project"

    project = models.ForeignKey(
        MunicipalProject, models.CASCADE, related_name="progress", verbose_name="项目"
    )
    reported_on = models.DateField("填报日期", db_index=True)
    cumulative_investment = models.DecimalField(
        "累计完成投资（万元）", max_digits=12, decimal_places=2
    )
    percent_complete = models.DecimalField(
        "形象进度（%）",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    note = models.TextField("进展情况", blank=True)

    class Meta:
        verbose_name = "工程进度"
        verbose_name_plural = "工程进度"
        ordering = ["project", "reported_on"]
        constraints = [
            models.UniqueConstraint(fields=["project", "reported_on"], name="progress_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.reported_on}：{self.percent_complete}%"

    def clean(self) -> None:
        if self.percent_complete is not None and not 0 <= self.percent_complete <= 100:
            raise ValidationError({"percent_complete": "形象进度应在0～100%之间"})
        if self.cumulative_investment is not None and self.cumulative_investment < 0:
            raise ValidationError({"cumulative_investment": "累计完成投资不能为负数"})
        if not self.project_id or not self.reported_on:
            return
        others = ProjectProgress.objects.filter(project_id=self.project_id).exclude(pk=self.pk)
        before = others.filter(reported_on__lt=self.reported_on).order_by("-reported_on").first()
        after = others.filter(reported_on__gt=self.reported_on).order_by("reported_on").first()
        errors = {}
        if before is not None:
            if self.cumulative_investment < before.cumulative_investment:
                errors["cumulative_investment"] = (
                    f"累计完成投资不能少于上次填报（{before.reported_on}：{before.cumulative_investment}万元）"
                )
            if self.percent_complete < before.percent_complete:
                errors["percent_complete"] = (
                    f"形象进度不能低于上次填报（{before.reported_on}：{before.percent_complete}%）"
                )
        if after is not None:
            if self.cumulative_investment > after.cumulative_investment:
                errors.setdefault(
                    "cumulative_investment",
                    f"累计完成投资不能多于之后的填报（{after.reported_on}：{after.cumulative_investment}万元）",
                )
            if self.percent_complete > after.percent_complete:
                errors.setdefault(
                    "percent_complete",
                    f"形象进度不能高于之后的填报（{after.reported_on}：{after.percent_complete}%）",
                )
        if errors:
            raise ValidationError(errors)
