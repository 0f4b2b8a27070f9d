"""下半年工作计划: each commitment is a task with an owner and a deadline, tracked to done.

The summary's plan sentences (确保*月*日前完成…) take their dates from these tasks, so
the next summary can report what was done and what is overdue.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from zhujian.core import lines
from zhujian.core.deadlines import Clock, Deadlines
from zhujian.core.models import LedgerModel


class TaskStatus(models.TextChoices):
    OPEN = "open", "推进中"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"


# The task's one clock (the shared deadline logic of core.deadlines).
CLOCK = Clock("deadline", "completed_on", "完成期限")


class PlanTask(LedgerModel):
    """A plan commitment. ``org_unit`` is the responsible unit (责任单位)."""

    code = models.CharField(
        "任务编号",
        max_length=40,
        unique=True,
        help_text="如 2022H2-toilet-rectify；报告模板按编号引用期限",
    )
    plan_period = models.CharField("计划期间", max_length=10, help_text="如 2022H2")
    line = models.CharField("业务条线", max_length=20, choices=lines.CHOICES)
    title = models.CharField("任务", max_length=200)
    content = models.TextField("具体内容", blank=True)
    deadline = models.DateField("完成期限", db_index=True)
    deadline_text = models.CharField(
        "期限表述", max_length=20, blank=True, help_text="如“10月底前”；空则按日期写“*月*日前”"
    )
    status = models.CharField(
        "状态", max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    handler = models.CharField(
        "承办人", max_length=50, blank=True, help_text="责任单位中负责该任务的工作人员姓名"
    )
    completed_on = models.DateField("完成日期", null=True, blank=True)
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    latest_note = models.TextField("最新进展", blank=True)

    class Meta:
        verbose_name = "计划任务"
        verbose_name_plural = "计划任务"
        ordering = ["deadline"]

    def __str__(self) -> str:
        return self.title

    def derive(self) -> None:
        """The status follows the completion date (a cancelled task stays cancelled):
        completing the task on its step page, or sending it back, moves it."""
        super().derive()
        if self.status != TaskStatus.CANCELLED:
            self.status = TaskStatus.DONE if self.completed_on else TaskStatus.OPEN

    def clean(self) -> None:
        errors = {}
        if self.progress is not None and self.progress > 100:
            errors["progress"] = "进度应在 0–100 之间"
        if self.status == TaskStatus.DONE and not self.completed_on:
            errors["completed_on"] = "状态为“已完成”时必须填写完成日期"
        if errors:
            raise ValidationError(errors)

    @property
    def overdue(self) -> bool:
        return self.overdue_on(timezone.localdate())

    def overdue_on(self, day: dt.date) -> bool:
        """Past its deadline and not completed on ``day`` (a cancelled task never is)."""
        state = CLOCK.state(self, day)
        return self.status != TaskStatus.CANCELLED and state is not None and state.overdue


DEADLINES = Deadlines([CLOCK], soon_days=15, active=~models.Q(status=TaskStatus.CANCELLED))


class TaskProgress(LedgerModel):
    unit_from = "task"
    task = models.ForeignKey(
        PlanTask, models.CASCADE, related_name="reports", verbose_name="计划任务"
    )
    reported_on = models.DateField("填报日期")
    progress = models.PositiveSmallIntegerField("进度(%)")
    note = models.TextField("进展情况")

    class Meta:
        verbose_name = "任务进展"
        verbose_name_plural = "任务进展"

    def __str__(self) -> str:
        return f"{self.task} {self.reported_on}"

    def clean(self) -> None:
        if self.progress is not None and self.progress > 100:
            raise ValidationError({"progress": "进度应在 0–100 之间"})
