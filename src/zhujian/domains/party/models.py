"""Seed section （一）党建: party activities, co-construction projects, issued documents."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from zhujian.core.models import LedgerModel


class ActivityKind(models.TextChoices):
    MOBILIZATION = "mobilization", "动员会议"
    CENTER_STUDY = "center_study", "理论中心组学习"
    PARTY_LECTURE = "party_lecture", "集中上党课"
    THEME_DAY = "theme_day", "主题党日+"
    VOLUNTEER = "volunteer", "双报到志愿服务"
    SPECIAL_MEETING = "special_meeting", "专题会议"
    GROUP_STUDY = "group_study", "集中学习"
    STORY = "story", "讲故事学理论活动"


class PartyActivity(LedgerModel):
    held_on = models.DateField("活动日期", db_index=True)
    kind = models.CharField("活动类型", max_length=20, choices=ActivityKind.choices)
    topic = models.CharField("主题", max_length=200)
    campaign = models.CharField("所属活动", max_length=50, blank=True, help_text="如：学悟见创")
    participants = models.PositiveIntegerField("参加人数", default=0)
    location = models.CharField("地点", max_length=100, blank=True)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "党建活动"
        verbose_name_plural = "党建活动"
        indexes = [models.Index(fields=["kind", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}：{self.topic}"


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    ONGOING = "ongoing", "实施中"
    COMPLETED = "completed", "已完成"


class CoBuildProject(LedgerModel):
    """共驻共建项目: a project the bureau's branch carries out with a community."""

    name = models.CharField("项目名称", max_length=200)
    partner = models.CharField("共建支部", max_length=100)
    started_on = models.DateField("开始日期")
    completed_on = models.DateField("完成日期", null=True, blank=True, db_index=True)
    status = models.CharField(
        "状态", max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.ONGOING
    )
    content = models.TextField("项目内容", blank=True)

    class Meta:
        verbose_name = "共驻共建项目"
        verbose_name_plural = "共驻共建项目"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.completed_on and self.started_on and self.completed_on < self.started_on:
            raise ValidationError({"completed_on": "完成日期不能早于开始日期"})
        if self.status == ProjectStatus.COMPLETED and not self.completed_on:
            raise ValidationError({"completed_on": "状态为“已完成”时必须填写完成日期"})


class DocumentKind(models.TextChoices):
    PLAN = "plan", "方案"
    RULE = "rule", "制度"
    FRAMEWORK = "framework", "理论武装体系"
    NOTICE = "notice", "通知"


class PartyDocument(LedgerModel):
    title = models.CharField("文件标题", max_length=200)
    number = models.CharField("文号", max_length=50, unique=True)
    kind = models.CharField("类别", max_length=16, choices=DocumentKind.choices)
    issued_on = models.DateField("印发日期")
    main_items = models.PositiveIntegerField(
        "主体项数", null=True, blank=True, help_text="理论武装体系“1+N”中的 1"
    )
    supporting_items = models.PositiveIntegerField(
        "配套项数", null=True, blank=True, help_text="理论武装体系“1+N”中的 N"
    )
    summary = models.TextField("内容摘要", blank=True)

    class Meta:
        verbose_name = "党建文件"
        verbose_name_plural = "党建文件"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.kind == DocumentKind.FRAMEWORK and not (self.main_items and self.supporting_items):
            raise ValidationError({"main_items": "理论武装体系须填写主体项数和配套项数"})
