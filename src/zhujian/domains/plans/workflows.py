"""A plan commitment (确保*月*日前完成…) has one step: its 责任单位 — the 承办人 it names,
or any account of that unit — completes it by its deadline. Declared as a workflow so
that the commitment is handed to its owner (待我处理), and its page says who must do what
by when, like every other item with a deadline."""

from __future__ import annotations

from django.db.models import Q

from zhujian.core.workflows import Handler, RecordUnit, Step, Workflow, registry
from zhujian.domains.plans.models import PlanTask, TaskStatus

PLAN_WORKFLOW = registry.register(
    Workflow(
        model=PlanTask,
        label="计划任务",
        line_field="line",
        steps=[
            Step(
                "complete",
                "完成",
                Handler("责任单位", field="handler", unit=RecordUnit("责任单位")),
                done="completed_on",
                fields=("completed_on", "progress", "latest_note"),
                due="deadline",
                action="完成任务",
            ),
        ],
        active=~Q(status=TaskStatus.CANCELLED),
        active_obj=lambda task: task.status != TaskStatus.CANCELLED,
        remind_days=15,
    )
)
