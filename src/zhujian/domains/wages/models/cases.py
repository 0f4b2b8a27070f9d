"""Wage-arrears cases (欠薪案件) by the channel they came through."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from zhujian.core.models import LedgerModel
from zhujian.domains.construction.models import ConstructionProject, Enterprise

HOTLINE_RE = re.compile(r"^\d{3,8}$")


class CaseSource(models.TextChoices):
    HOTLINE = "hotline", "热线"
    SHOUFA = "shoufa", "首发平台"
    PETITION = "petition", "信访"
    NATIONAL = "national", "全国根治欠薪线索反映平台"


class WageCase(LedgerModel):
    """A wage-arrears case: who complained, about which project, what was recovered."""

    unit_from = "project"

    number = models.CharField("案件编号", max_length=40, unique=True)
    source = models.CharField("案件来源", max_length=10, choices=CaseSource.choices)
    hotline = models.CharField(
        "热线号码", max_length=8, blank=True, help_text="来源为热线时填写，如 12345、12333"
    )
    received_on = models.DateField("受理日期", db_index=True)
    project = models.ForeignKey(
        ConstructionProject,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="wage_cases",
        verbose_name="涉及项目",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="wage_cases",
        verbose_name="被投诉企业",
    )
    complainant = models.CharField("投诉人", max_length=30)
    workers = models.PositiveIntegerField("涉及人数", validators=[MinValueValidator(1)])
    amount_claimed = models.DecimalField(
        "诉求金额（元）", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    amount_recovered = models.DecimalField(
        "解决金额（元）",
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    resolved_on = models.DateField("办结日期", null=True, blank=True, db_index=True)
    handling = models.TextField("处理情况", blank=True)

    class Meta:
        verbose_name = "欠薪案件"
        verbose_name_plural = "欠薪案件"

    def __str__(self) -> str:
        return f"{self.number} {self.complainant}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        hotline = (self.hotline or "").strip()
        if self.source == CaseSource.HOTLINE and not HOTLINE_RE.match(hotline):
            errors["hotline"] = "来源为热线的案件须填写热线号码（3—8位数字，如12345）"
        elif self.source and self.source != CaseSource.HOTLINE and hotline:
            errors["hotline"] = "只有来源为热线的案件填写热线号码"
        if self.resolved_on and self.received_on and self.resolved_on < self.received_on:
            errors["resolved_on"] = "办结日期不能早于受理日期"
        if self.resolved_on and not self.handling.strip():
            errors["handling"] = "办结的案件须填写处理情况"
        if errors:
            raise ValidationError(errors)
