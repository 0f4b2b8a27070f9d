"""排水: dischargers and their sampling, wastewater plants, plant activities, projects."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from zhujian.core.models import LedgerModel


class Discharger(LedgerModel):
    """A 排水户 holding (or needing) a drainage permit."""

    name = models.CharField("排水户名称", max_length=100, unique=True)
    trade = models.CharField("行业", max_length=50)
    address = models.CharField("地址", max_length=200, blank=True)
    permit_number = models.CharField("排水许可证号", max_length=50, blank=True)
    permit_expires_on = models.DateField("许可证有效期至", null=True, blank=True)

    class Meta:
        verbose_name = "排水户"
        verbose_name_plural = "排水户"

    def __str__(self) -> str:
        return self.name


class DischargerSample(LedgerModel):
    unit_from = "discharger"
    discharger = models.ForeignKey(
        Discharger, models.CASCADE, related_name="samples", verbose_name="排水户"
    )
    sampled_on = models.DateField("抽检日期", db_index=True)
    cod = models.DecimalField("化学需氧量（mg/L）", max_digits=8, decimal_places=1)
    ammonia = models.DecimalField("氨氮（mg/L）", max_digits=8, decimal_places=2)
    compliant = models.BooleanField("达标", default=True)
    sampler = models.CharField("抽检人员", max_length=50, blank=True)

    class Meta:
        verbose_name = "排水户水质抽检"
        verbose_name_plural = "排水户水质抽检"
        constraints = [
            models.UniqueConstraint(
                fields=["discharger", "sampled_on"], name="discharger_sample_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.discharger} {self.sampled_on}"


class WastewaterPlant(LedgerModel):
    name = models.CharField("污水处理厂", max_length=100, unique=True)
    operator = models.CharField("运营单位", max_length=100)
    capacity = models.DecimalField("设计规模（万吨/日）", max_digits=6, decimal_places=2)
    in_operation = models.BooleanField("已投产运营", default=True)
    commissioned_on = models.DateField("投产日期", null=True, blank=True)

    class Meta:
        verbose_name = "污水处理厂"
        verbose_name_plural = "污水处理厂"

    def __str__(self) -> str:
        return self.name


class EffluentSample(LedgerModel):
    unit_from = "plant"
    plant = models.ForeignKey(
        WastewaterPlant, models.CASCADE, related_name="samples", verbose_name="污水处理厂"
    )
    sampled_on = models.DateField("抽检日期", db_index=True)
    cod = models.DecimalField("出水化学需氧量（mg/L）", max_digits=8, decimal_places=1)
    ammonia = models.DecimalField("出水氨氮（mg/L）", max_digits=8, decimal_places=2)
    compliant = models.BooleanField("达标", default=True)

    class Meta:
        verbose_name = "污水处理厂出水抽检"
        verbose_name_plural = "污水处理厂出水抽检"
        constraints = [
            models.UniqueConstraint(fields=["plant", "sampled_on"], name="effluent_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.plant} {self.sampled_on}"


class PlantActivityKind(models.TextChoices):
    ASSESSMENT = "assessment", "安全生产运营全面考核"
    CONFINED_DRILL = "confined_drill", "有限空间作业应急演练"
    FLOOD_DRILL = "flood_drill", "防汛应急演练"


class PlantActivity(LedgerModel):
    """An operations assessment or an emergency drill at a wastewater plant."""

    unit_from = "plant"

    plant = models.ForeignKey(
        WastewaterPlant, models.CASCADE, related_name="activities", verbose_name="污水处理厂"
    )
    kind = models.CharField("类别", max_length=16, choices=PlantActivityKind.choices)
    held_on = models.DateField("日期", db_index=True)
    participants = models.PositiveIntegerField("参加人数", default=0)
    score = models.DecimalField("考核得分", max_digits=5, decimal_places=1, null=True, blank=True)
    summary = models.TextField("情况", blank=True)

    class Meta:
        verbose_name = "污水处理厂考核与演练"
        verbose_name_plural = "污水处理厂考核与演练"
        constraints = [
            models.UniqueConstraint(
                fields=["plant", "kind", "held_on"], name="plant_activity_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plant} {self.get_kind_display()} {self.held_on}"

    def clean(self) -> None:
        if self.kind == PlantActivityKind.ASSESSMENT and self.score is None:
            raise ValidationError({"score": "运营考核须填写考核得分"})
        if self.score is not None and not 0 <= self.score <= 100:
            raise ValidationError({"score": "考核得分应在0～100之间"})


class DrainageProject(LedgerModel):
    """A drainage works, e.g. 景城花园南水沟污染治理项目: laid length never exceeds the total."""

    code = models.CharField("项目编号", max_length=30, unique=True)
    name = models.CharField("项目名称", max_length=200)
    investment = models.DecimalField("投资（万元）", max_digits=12, decimal_places=2)
    total_length_m = models.DecimalField("全长（米）", max_digits=10, decimal_places=1)
    laid_length_m = models.DecimalField(
        "已铺设管网（米）", max_digits=10, decimal_places=1, default=0
    )
    started_on = models.DateField("开工日期", null=True, blank=True)
    expected_done_on = models.DateField("预计完工日期", null=True, blank=True)
    completed_on = models.DateField("完工日期", null=True, blank=True)

    class Meta:
        verbose_name = "排水工程"
        verbose_name_plural = "排水工程"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.laid_length_m is not None
            and self.total_length_m is not None
            and self.laid_length_m > self.total_length_m
        ):
            raise ValidationError({"laid_length_m": "已铺设长度不能超过工程全长"})
        if self.completed_on and self.started_on and self.completed_on < self.started_on:
            raise ValidationError({"completed_on": "完工日期不能早于开工日期"})
