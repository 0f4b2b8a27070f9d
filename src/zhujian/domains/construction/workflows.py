"""A lifting machine's steps at the 建设主管部门 (《建筑起重机械安全监督管理规定》建设部令
第166号): 产权备案 (the record's registration) → 安装告知 → 安装/自检 → 检验检测 → 验收 →
使用登记, then, when the machine leaves the site, 拆卸告知 → 拆卸 → 注销.

The construction line's 股室 (建筑业管理站, 质量安全监督站) record each step from the
enterprises' papers. Two pairs are kept apart: the account that records the installer's
self-inspection (自检) does not record the inspection body's result (检验检测, 第十六条:
an independent check), and the account that records the acceptance does not grant the
use registration (使用登记, 第十七条: the department reviews those acceptance papers).

Only a machine assigned to a project (使用工程) has steps to take; the use steps stop once
its removal has begun, and a machine that failed its inspection or acceptance skips the
later use steps (the model's rules: it may be dismantled straight away). The removal steps
are taken when the machine leaves, never waited for.
"""

from __future__ import annotations

from django.db.models import Q

from zhujian.core.workflows import LineDepartment, Step, Workflow, registry
from zhujian.domains.construction.models import LiftingMachine
from zhujian.domains.construction.models.cranes import CheckResult

DEPARTMENT = LineDepartment("起重机械监管股室")
FAILED = CheckResult.FAILED

IN_USE = Q(removal_notice_on__isnull=True)
INSPECTION_PASSED = IN_USE & ~Q(inspection_result=FAILED)
ACCEPTANCE_PASSED = INSPECTION_PASSED & ~Q(acceptance_result=FAILED)


def _in_use(m: LiftingMachine) -> bool:
    return m.removal_notice_on is None


def _inspection_passed(m: LiftingMachine) -> bool:
    return _in_use(m) and m.inspection_result != FAILED


def _acceptance_passed(m: LiftingMachine) -> bool:
    return _inspection_passed(m) and m.acceptance_result != FAILED


CRANE_WORKFLOW = registry.register(
    Workflow(
        model=LiftingMachine,
        label="起重机械安装使用",
        register_label="产权备案",
        steps=[
            Step(
                "install_notice",
                "安装告知",
                DEPARTMENT,
                done="install_notice_on",
                fields=("installer", "install_notice_on"),
                when=IN_USE,
                when_obj=_in_use,
                action="办理安装告知",
            ),
            Step(
                "installed",
                "安装/自检",
                DEPARTMENT,
                done="installed_on",
                when=IN_USE,
                when_obj=_in_use,
                action="登记安装完成及自检",
            ),
            Step(
                "inspected",
                "检验检测",
                DEPARTMENT,
                done="inspected_on",
                fields=("inspected_on", "inspection_result"),
                when=IN_USE,
                when_obj=_in_use,
                action="登记检验检测结论",
            ),
            Step(
                "accepted",
                "验收",
                DEPARTMENT,
                done="accepted_on",
                fields=("accepted_on", "acceptance_result"),
                when=INSPECTION_PASSED,
                when_obj=_inspection_passed,
                action="登记验收结论",
            ),
            Step(
                "registered",
                "使用登记",
                DEPARTMENT,
                done="registered_on",
                fields=("registered_on", "registration_number"),
                due="registration_due_on",
                when=ACCEPTANCE_PASSED,
                when_obj=_acceptance_passed,
                action="办理使用登记",
            ),
            Step(
                "removal_notice",
                "拆卸告知",
                DEPARTMENT,
                done="removal_notice_on",
                optional=True,
                action="办理拆卸告知",
            ),
            Step("removed", "拆卸", DEPARTMENT, done="removed_on", optional=True),
            Step("cancelled", "注销", DEPARTMENT, done="cancelled_on", optional=True),
        ],
        separate=[("installed", "inspected"), ("accepted", "registered")],
        active=Q(project__isnull=False),
        active_obj=lambda m: m.project_id is not None,
        remind_days="ZHUJIAN_STAGE_REMIND_DAYS",
    )
)
