"""农村危房改造: the year's task and funds, and each household through the “七步走”."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from zhujian.core import codes
from zhujian.core.models import LedgerModel
from zhujian.core.stages import StagedModel, Stages
from zhujian.domains.rural.models.tasks import TownshipYearTask
from zhujian.domains.rural.models.validators import (
    id_number_error,
    village_error,
)


class DilapidatedTask(TownshipYearTask):
    """A township's share of the year's task and subsidy issued from above (任务分解到乡镇).

    ``org_unit`` is the township; the county's task is the sum over townships.
    """

    central_funds = models.DecimalField("中央补助资金（万元）", max_digits=10, decimal_places=2)
    provincial_funds = models.DecimalField("省级补助资金（万元）", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "危房改造年度任务"
        verbose_name_plural = "危房改造年度任务"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "org_unit"], name="rural_dilapidated_task_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年农村危房改造任务"


class PaymentChannel(models.TextChoices):
    CARD = "card", "一卡通"
    BOOK = "book", "一本通"


class DilapidatedHousing(StagedModel, LedgerModel):
    """One household's renovation, step by step. ``org_unit`` is the village."""

    stages = Stages(
        [
            ("applied", "农户申请", "applied_on"),
            ("appraised", "危房鉴定", "appraised_on"),
            ("approved", "审核审批", "approved_on"),
            ("started", "开工建设", "started_on"),
            ("completed", "竣工", "completed_on"),
            ("accepted", "竣工验收", "accepted_on"),
            ("paid", "资金拨付", "paid_on"),
        ]
    )

    case_number = models.CharField("危改编号", max_length=24)
    year = models.PositiveSmallIntegerField("任务年度", db_index=True)
    head_name = models.CharField("户主姓名", max_length=32)
    id_number = models.CharField(
        "户主身份证号（脱敏）", max_length=18, help_text="如 3713**********1234"
    )
    category = models.CharField(
        "保障对象类别",
        max_length=16,
        choices=[
            ("low_income", "低保户"),
            ("scattered", "分散供养特困人员"),
            ("poor_edge", "低保边缘户"),
            ("other", "其他"),
        ],
    )
    appraisal_grade = models.CharField(
        "危房等级", max_length=1, choices=[("C", "C级"), ("D", "D级")], blank=True
    )
    method = models.CharField(
        "改造方式",
        max_length=16,
        choices=[("repair", "修缮加固"), ("rebuild", "拆除重建")],
        default="repair",
    )
    applied_on = models.DateField("申请日期", null=True, blank=True)
    appraised_on = models.DateField("鉴定日期", null=True, blank=True)
    approved_on = models.DateField("审批日期", null=True, blank=True)
    started_on = models.DateField("开工日期", null=True, blank=True)
    completed_on = models.DateField("竣工日期", null=True, blank=True)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    paid_on = models.DateField("拨付日期", null=True, blank=True)
    subsidy = models.DecimalField(
        "补助资金（元）",
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    channel = models.CharField("拨付渠道", max_length=8, choices=PaymentChannel.choices, blank=True)

    township = codes.township_field()

    class Meta:
        verbose_name = "农村危房改造户"
        verbose_name_plural = "农村危房改造户"
        constraints = [
            codes.unique_in_township(
                "case_number", name="rural_dilapidatedhousing_case_number_in_township"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.head_name}"

    def clean(self) -> None:
        errors = self.stage_errors()
        if msg := village_error(self.org_unit if self.org_unit_id else None):
            errors["org_unit"] = msg
        if msg := id_number_error(self.id_number):
            errors["id_number"] = msg
        if self.appraised_on and not self.appraisal_grade:
            errors.setdefault("appraisal_grade", "已鉴定须填写危房等级")
        if self.paid_on:
            if not self.channel:
                errors.setdefault("channel", "已拨付须选择拨付渠道（一卡通/一本通）")
            if not self.subsidy:
                errors.setdefault("subsidy", "已拨付须填写补助资金")
        if errors:
            raise ValidationError(errors)
