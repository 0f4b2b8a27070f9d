from zhujian.core.registry import Ledger, registry
from zhujian.domains.plans import demo
from zhujian.domains.plans.models import DEADLINES, PlanTask, TaskProgress

registry.register(
    Ledger(
        model=PlanTask,
        line="plan",
        list_display=["deadline", "title", "org_unit", "handler", "line", "status", "progress"],
        filters=["line", "status", "plan_period", "deadline"],
        search=["title", "code", "content"],
        natural_key=["code"],
        date_field="deadline",
        ordering=["deadline"],
        demo=demo.tasks,
        demo_order=900,
        deadlines=DEADLINES,
        help="下半年工作计划中的每一项承诺：责任单位（承办人）、完成期限、进展；任务交给责任单位的待办，完成后状态自动为“已完成”。报告中的“确保*月*日前完成”取自这里。",
    )
)
registry.register(
    Ledger(
        model=TaskProgress,
        line="plan",
        list_display=["reported_on", "task", "progress", "note"],
        filters=["reported_on"],
        search=["note"],
        natural_key=["task", "reported_on"],
        date_field="reported_on",
        parent="task",
        ordering=["-reported_on"],
    )
)
