"""A presale permit's steps (城市房地产开发经营管理条例 第二十二条、第二十四条):
申请 (the record's registration, at the department's window) → 受理 (the department
accepts and names the 承办人) → 审核 (the 承办人, or the department while none is named)
→ 核发 (the department signs the permit off), the decision due within 10 days of the
application (``decision_due_on``).

Separation of duties, as 行政许可 practice requires: the account that registered the
application does not accept it, and the 承办人's account that reviewed it does not issue
the permit (审批分离).
"""

from __future__ import annotations

from django.db.models import Q

from zhujian.core.workflows import REGISTER, Handler, LineDepartment, Step, Workflow, registry
from zhujian.domains.realestate.models import PresalePermit

DEPARTMENT = LineDepartment("房地产主管股室")
# A permit entered as issued without its handling steps (补录) has none to take; the
# generic paths cannot use that to skip steps: a write takes steps in order.
HANDLED = Q(issued_on__isnull=True) | Q(accepted_on__isnull=False)
REVIEWED = Q(issued_on__isnull=True) | Q(reviewed_on__isnull=False)


def _handled(permit: PresalePermit) -> bool:
    return permit.issued_on is None or permit.accepted_on is not None


def _reviewed(permit: PresalePermit) -> bool:
    return permit.issued_on is None or permit.reviewed_on is not None


PRESALE_WORKFLOW = registry.register(
    Workflow(
        model=PresalePermit,
        label="商品房预售许可",
        register_label="申请登记",
        steps=[
            Step(
                "accept",
                "受理",
                DEPARTMENT,
                done="accepted_on",
                fields=("accepted_on", "handler"),
                due="decision_due_on",
                when=HANDLED,
                when_obj=_handled,
                action="受理并指定承办人",
            ),
            Step(
                "review",
                "审核",
                Handler("承办人", field="handler"),
                done="reviewed_on",
                fields=("reviewed_on", "review_opinion"),
                due="decision_due_on",
                when=REVIEWED,
                when_obj=_reviewed,
                action="审核预售条件",
            ),
            Step(
                "issue",
                "核发",
                DEPARTMENT,
                done="issued_on",
                fields=("issued_on", "permit_no"),
                due="decision_due_on",
                action="核发预售许可证",
            ),
        ],
        separate=[(REGISTER, "accept"), ("review", "issue")],
        remind_days="ZHUJIAN_STAGE_REMIND_DAYS",
    )
)
