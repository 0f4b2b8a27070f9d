"""Data requests (报送任务): what a department asks of units for a period, by a deadline;
each unit's submission (报送) with its answers; the approval (审核) of each submission by
declared levels; and every step recorded (:class:`RequestEvent`).

The rules are written in docs/decisions/data-requests.md; the mechanics in
``zhujian.requests.service``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class DataRequest(models.Model):
    class Kind(models.TextChoices):
        FORM = "form", "填报表单（若干数据项）"
        RECORDS = "records", "台账记录（本期记录）"

    class Recurrence(models.TextChoices):
        NONE = "", "不重复"
        MONTHLY = "monthly", "每月"
        QUARTERLY = "quarterly", "每季度"
        HALF = "half", "每半年"

    title = models.CharField("任务名称", max_length=100)
    note = models.TextField("说明", blank=True, max_length=2000)
    issuer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, verbose_name="发起人", related_name="+"
    )
    issuing_unit = models.ForeignKey(
        "core.OrgUnit", models.PROTECT, verbose_name="发起单位", related_name="+"
    )
    period_code = models.CharField("报送期间", max_length=32)
    deadline = models.DateField("截止日期")
    kind = models.CharField("报送内容", max_length=8, choices=Kind.choices, default=Kind.FORM)
    ledgers = models.JSONField("报送的台账", default=list, blank=True)
    recurrence = models.CharField(
        "重复", max_length=10, choices=Recurrence.choices, default="", blank=True
    )
    series = models.ForeignKey(
        "self",
        models.CASCADE,
        null=True,
        blank=True,
        verbose_name="所属系列（首期任务）",
        related_name="instances",
    )
    levels = models.JSONField("审核层级", default=list, blank=True)
    units = models.ManyToManyField("core.OrgUnit", through="Assignment", related_name="+")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["units"])

    class Meta:
        verbose_name = "报送任务"
        verbose_name_plural = "报送任务"
        ordering = ["-deadline", "-pk"]

    def __str__(self) -> str:
        return f"{self.title}（{self.period_code}）"

    @property
    def series_root_id(self) -> int:
        return self.series_id or self.pk


class Measure(models.Model):
    """One item of a request's form, defined by staff in the page (no code): a count, an
    amount or a text; pre-filled from a figure, or bound to a field of the unit's record
    of a ledger for the period (then a correction is written back into that record)."""

    class Kind(models.TextChoices):
        COUNT = "count", "数量（整数）"
        AMOUNT = "amount", "金额或数值"
        TEXT = "text", "文字"

    request = models.ForeignKey(DataRequest, models.CASCADE, related_name="measures")
    position = models.PositiveSmallIntegerField("序号", default=0)
    label = models.CharField("数据项名称", max_length=60)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices, default=Kind.COUNT)
    unit_label = models.CharField("计量单位", max_length=10, blank=True)
    figure_id = models.CharField("预填指标", max_length=120, blank=True)
    ledger = models.CharField("绑定台账", max_length=64, blank=True)
    field = models.CharField("绑定字段", max_length=64, blank=True)

    class Meta:
        verbose_name = "数据项"
        verbose_name_plural = "数据项"
        ordering = ["request", "position", "pk"]

    def __str__(self) -> str:
        return self.label


class Assignment(models.Model):
    """One unit's part of a request: its submission and where it stands in approval."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待报送"
        SUBMITTED = "submitted", "已报送"
        RETURNED = "returned", "已退回"

    request = models.ForeignKey(DataRequest, models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("core.OrgUnit", models.PROTECT, verbose_name="报送单位")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    # When the standing submission was first made: a return keeps it (the reviewer's act),
    # a withdrawal clears it (the unit's own). On time or late is judged on it.
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    last_submitted_at = models.DateTimeField("最近提交时间", null=True, blank=True)
    approved = models.PositiveSmallIntegerField("已通过的审核层级数", default=0)
    approved_at = models.DateTimeField("最近审核通过时间", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "报送"
        verbose_name_plural = "报送"
        ordering = ["request", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["request", "unit"], name="assignment_once")]

    def __str__(self) -> str:
        return f"{self.request} · {self.unit}"


class Answer(models.Model):
    """A unit's value for one measure; every change kept in the history."""

    assignment = models.ForeignKey(Assignment, models.CASCADE, related_name="answers")
    measure = models.ForeignKey(Measure, models.CASCADE, related_name="answers")
    value = models.CharField("报送值", max_length=500, blank=True)
    prefilled = models.CharField("系统预填值", max_length=500, blank=True)
    source = models.CharField("来源", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "报送值"
        verbose_name_plural = "报送值"
        constraints = [
            models.UniqueConstraint(fields=["assignment", "measure"], name="answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.value}"

    @property
    def corrected(self) -> bool:
        return self.value != self.prefilled


class RequestEvent(models.Model):
    """One step on a submission: submitted, withdrawn, returned, approved, unapproved,
    or approval dropped because data changed. Written, never edited."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "报送"
        WITHDRAW = "withdraw", "撤回"
        RETURN = "return", "退回"
        APPROVE = "approve", "审核通过"
        UNAPPROVE = "unapprove", "撤销审核"
        DROPPED = "dropped", "数据变更，审核失效"
        CORRECT = "correct", "更正记录"

    assignment = models.ForeignKey(Assignment, models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    level = models.CharField("审核层级", max_length=16, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField("时间")
    reason = models.CharField("原因或说明", max_length=200, blank=True)
    via = models.CharField("途径", max_length=10, default="page")
    late = models.BooleanField("逾期", default=False)

    class Meta:
        verbose_name = "报送记录"
        verbose_name_plural = "报送记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
