"""Inspections of sites and enterprises, suspensions (停产整顿) and violation leads."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from zhujian.core.models import LedgerModel
from zhujian.domains.construction.models.enterprises import Enterprise
from zhujian.domains.construction.models.projects import ConstructionProject

NAME_SEPARATORS = re.compile(r"[、，,；;\s]+")


class InspectionKind(models.TextChoices):
    SAFETY = "safety", "安全生产监督检查"
    QUALITY = "quality", "质量监督检查"
    SPECIAL = "special", "专项检查"
    MARKET = "market", "建筑市场执法检查"


class SiteInspection(LedgerModel):
    """An inspection of a site (project) or an enterprise; hazards it finds go into the loop."""

    unit_from = "project"
    derived_fields = ("enterprise",)

    code = models.CharField("检查编号", max_length=30, unique=True)
    kind = models.CharField("检查类别", max_length=10, choices=InspectionKind.choices)
    project = models.ForeignKey(
        ConstructionProject,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name="被检查项目",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name="被检查企业",
    )
    inspected_on = models.DateField("检查日期", db_index=True)
    inspectors = models.CharField("检查人员", max_length=200, help_text="多人用顿号分隔")
    person_times = models.PositiveSmallIntegerField(
        "出动人次", validators=[MinValueValidator(1)], help_text="本次检查出动的检查人员人次"
    )
    findings = models.TextField("检查情况", blank=True)

    class Meta:
        verbose_name = "建筑工地检查"
        verbose_name_plural = "建筑工地检查"

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.project or self.enterprise or ''}"

    def derive(self) -> None:
        super().derive()
        if self.project_id and not self.enterprise_id:
            self.enterprise_id = self.project.contractor_id

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not self.project_id and not self.enterprise_id:
            errors["project"] = "请选择被检查项目或被检查企业"
        names = [n for n in NAME_SEPARATORS.split(self.inspectors or "") if n]
        if self.person_times is not None and self.person_times < len(names):
            errors["person_times"] = f"出动人次不能少于所列检查人员人数（{len(names)}人）"
        if errors:
            raise ValidationError(errors)


class Suspension(LedgerModel):
    """A suspension order (停产整顿) on an enterprise, for one of its projects or all."""

    unit_from = "project"

    number = models.CharField("文书编号", max_length=40, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, related_name="suspensions", verbose_name="被责令企业"
    )
    project = models.ForeignKey(
        ConstructionProject,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="suspensions",
        verbose_name="涉及项目",
    )
    inspection = models.ForeignKey(
        SiteInspection,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="suspensions",
        verbose_name="依据的检查",
    )
    ordered_on = models.DateField("责令日期", db_index=True)
    reason = models.CharField("停产整顿原因", max_length=200)
    lifted_on = models.DateField("复工（解除）日期", null=True, blank=True)

    class Meta:
        verbose_name = "停产整顿"
        verbose_name_plural = "停产整顿"

    def __str__(self) -> str:
        return f"{self.number} {self.enterprise}"

    def clean(self) -> None:
        if self.lifted_on and self.ordered_on and self.lifted_on < self.ordered_on:
            raise ValidationError({"lifted_on": "复工日期不能早于责令停产整顿日期"})
        if (
            self.inspection_id
            and self.ordered_on
            and self.inspection.inspected_on > self.ordered_on
        ):
            raise ValidationError({"ordered_on": "责令日期不能早于所依据检查的日期"})


class ViolationKind(models.TextChoices):
    NO_PERMIT = "no_permit", "未取得施工许可擅自施工"
    ILLEGAL_CONTRACTING = "contracting", "违法发包"
    SUBCONTRACTING = "subcontracting", "转包、违法分包"
    AFFILIATION = "affiliation", "挂靠（出借资质）"
    BIDDING = "bidding", "招标投标违法"
    OTHER = "other", "其他违法行为"


class ViolationLead(LedgerModel):
    """A violation lead found in market supervision and transferred for enforcement."""

    unit_from = "project"

    number = models.CharField("线索编号", max_length=30, unique=True)
    kind = models.CharField("违法类型", max_length=16, choices=ViolationKind.choices)
    project = models.ForeignKey(
        ConstructionProject,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="violation_leads",
        verbose_name="涉及项目",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="violation_leads",
        verbose_name="涉及企业",
    )
    found_on = models.DateField("发现日期", db_index=True)
    facts = models.TextField("违法事实")
    transferred_to = models.CharField("移交单位", max_length=100, blank=True)
    transferred_on = models.DateField("移交日期", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "违法线索移交"
        verbose_name_plural = "违法线索移交"

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    def clean(self) -> None:
        if self.transferred_on and not self.transferred_to.strip():
            raise ValidationError({"transferred_to": "填写了移交日期，请填写移交单位"})
        if self.transferred_on and self.found_on and self.transferred_on < self.found_on:
            raise ValidationError({"transferred_on": "移交日期不能早于发现日期"})
