"""Plan deadlines: ``plan.deadline(code)`` gives the figure for one task's deadline."""

from django.db.models import Q

from zhujian.domains.plans.models import DEADLINES, PlanTask, TaskStatus
from zhujian.figures.catalog import Aggregate, count, register

register(
    count("plan.tasks_due", "期内到期的计划任务", PlanTask, date="deadline", unit="项"),
    count(
        "plan.tasks_done",
        "期内按期完成的计划任务",
        PlanTask,
        date="deadline",
        where=Q(status=TaskStatus.DONE),
        unit="项",
    ),
    count(
        "plan.tasks_overdue",
        "逾期未完成的计划任务",
        PlanTask,
        mode="all",
        where=lambda p: DEADLINES.overdue_q(p.end),
        unit="项",
    ),
)


def deadline(code: str, label: str) -> Aggregate:
    """A figure for the deadline of the plan task ``code`` (registered by the caller)."""
    return Aggregate(
        id=f"plan.{code.split('-', 1)[-1].replace('-', '_')}_deadline",
        label=label,
        model=PlanTask,
        func="min",
        field="deadline",
        where=Q(code=code),
        mode="all",
        line="plan",
    )
