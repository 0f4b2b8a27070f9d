"""Special campaigns (专项行动): time-boxed supervision whose figures are data, not code.

A campaign (the 2022 site epidemic-control campaign, a flood season, a safety month)
declares its measures as records — code, 中文名称, unit and how the logs add up — and
staff log dated values per measure. Report figures pick the campaign by its report tag
(报告标记) and the measure by its code (see ``figures.campaign_figure`` and the
``campaign.<标记>.<代码>`` figure family), so a new campaign needs no code.

How a measure's logs add up over a period (``Aggregation``):
- 合计 sum: every log in the period (passes issued, workers tested per batch …);
- 峰值 max / 最新值 latest: a stock kept by each reporting unit (sites shut, teams formed)
  — each unit's peak or last value in the period, then summed over the units, so the
  county's figure is the sum of its townships';
- 最低值 min: the lowest value anywhere (“每天不低于*%”);
- 日均 per_day / 周均 per_week: the period's sum divided by the campaign's days (weeks)
  inside the period.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from zhujian.core.models import LedgerModel

MEASURE_CODE = re.compile(r"^\w{1,30}$")


class CampaignKind(models.TextChoices):
    EPIDEMIC = "epidemic", "疫情防控"
    FLOOD = "flood", "汛期安全"
    SAFETY_MONTH = "safety_month", "安全生产月"
    RECTIFICATION = "rectification", "专项整治"
    OTHER = "other", "其他"


class Campaign(LedgerModel):
    """A time-boxed supervision campaign; its org unit bounds who reports logs to it."""

    code = models.CharField("行动编号", max_length=30, unique=True)
    name = models.CharField("专项行动名称", max_length=100)
    kind = models.CharField("行动类别", max_length=14, choices=CampaignKind.choices)
    started_on = models.DateField("开始日期", db_index=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    lead = models.CharField("牵头领导", max_length=30, blank=True)
    description = models.TextField("工作安排", blank=True)

    class Meta:
        verbose_name = "专项行动"
        verbose_name_plural = "专项行动"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "结束日期不能早于开始日期"})


class Aggregation(models.TextChoices):
    SUM = "sum", "合计"
    MAX = "max", "峰值（各单位峰值之和）"
    LATEST = "latest", "最新值（各单位最新值之和）"
    MIN = "min", "最低值"
    PER_DAY = "per_day", "日均（合计÷行动天数）"
    PER_WEEK = "per_week", "周均（合计÷行动周数）"


class CampaignMeasure(LedgerModel):
    """A measure a campaign reports (e.g. vehicles out per day), declared as data."""

    unit_from = "campaign"

    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="measures", verbose_name="专项行动"
    )
    code = models.CharField(
        "指标代码",
        max_length=30,
        blank=True,
        help_text="可不填：保存时自动编为 m1、m2…；报告模板和日志按此引用（也可填汉字）",
    )
    name = models.CharField("指标名称", max_length=50)
    unit = models.CharField("计量单位", max_length=10, blank=True, help_text="如：辆、人次、%")
    aggregation = models.CharField("汇总方式", max_length=10, choices=Aggregation.choices)
    decimals = models.PositiveSmallIntegerField(
        "保留小数位", default=0, validators=[MaxValueValidator(4)]
    )

    class Meta:
        verbose_name = "专项行动指标"
        verbose_name_plural = "专项行动指标"
        ordering = ["campaign", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="measure_code_in_campaign")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.name}"

    def derive(self) -> None:
        """A measure left without a code gets the campaign's next ``m<n>``: staff never
        have to invent an identifier."""
        super().derive()
        self.code = (self.code or "").strip()
        if not self.code and self.campaign_id:
            taken = set(
                CampaignMeasure.objects.filter(campaign_id=self.campaign_id)
                .exclude(pk=self.pk)
                .values_list("code", flat=True)
            )
            n = len(taken) + 1
            while f"m{n}" in taken:
                n += 1
            self.code = f"m{n}"

    def clean(self) -> None:
        if self.code and not MEASURE_CODE.match(self.code):
            raise ValidationError(
                {"code": "指标代码只能由字母、数字、下划线或汉字组成（最多30位）"}
            )


class CampaignLog(LedgerModel):
    """A dated value of one measure of a campaign, reported by one unit."""

    derived_fields = ("measure",)

    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="logs", verbose_name="专项行动"
    )
    measure_code = models.CharField(
        "指标代码", max_length=30, help_text="填写指标代码或指标名称（如“出动车辆”）"
    )
    measure = models.ForeignKey(
        CampaignMeasure,
        models.CASCADE,
        null=True,
        editable=False,
        related_name="logs",
        verbose_name="指标",
    )
    logged_on = models.DateField("日期", db_index=True)
    value = models.DecimalField("数值", max_digits=14, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "专项行动日志"
        verbose_name_plural = "专项行动日志"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "measure_code", "logged_on", "org_unit"],
                name="campaign_log_once_a_day",
            )
        ]
        indexes = [models.Index(fields=["measure", "logged_on"])]

    def __str__(self) -> str:
        return f"{self.logged_on} {self.measure_code}：{self.value}"

    def derive(self) -> None:
        super().derive()
        if self.campaign_id and self.measure_code:
            self.measure_code = self.measure_code.strip()
            measures = CampaignMeasure.objects.filter(campaign_id=self.campaign_id)
            found = measures.filter(code=self.measure_code).values_list("pk", "code").first()
            if found is None:  # a clerk may name the measure instead of giving its code
                found = measures.filter(name=self.measure_code).values_list("pk", "code").first()
            if found is not None:
                self.measure_id, self.measure_code = found
            else:
                self.measure_id = None

    def clean(self) -> None:
        if not self.campaign_id:
            return
        campaign = self.campaign
        errors: dict[str, str] = {}
        if self.measure_code and self.measure_id is None:
            codes = (
                "、".join(f"{c}（{n}）" for c, n in campaign.measures.values_list("code", "name"))
                or "（尚未声明指标）"
            )
            errors["measure_code"] = (
                f"专项行动“{campaign.name}”没有代码或名称为“{self.measure_code}”的指标"
                f"（可用：{codes}）"
            )
        if self.logged_on:
            if self.logged_on < campaign.started_on or (
                campaign.ended_on and self.logged_on > campaign.ended_on
            ):
                end = campaign.ended_on or "今"
                errors["logged_on"] = f"日期不在专项行动期间（{campaign.started_on}至{end}）内"
        if self.value is not None and self.value < 0:
            errors["value"] = "数值不能为负数"
        elif self.value is not None and self.measure_id and self.measure.unit == "%":
            if self.value > 100:
                errors["value"] = "百分比不能大于100"
        if (
            self.org_unit_id
            and campaign.org_unit_id
            and not self.org_unit.path.startswith(campaign.org_unit.path)
        ):
            errors["org_unit"] = (
                f"填报单位不在专项行动“{campaign.name}”的范围（{campaign.org_unit}）内"
            )
        if errors:
            raise ValidationError(errors)
