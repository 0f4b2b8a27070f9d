"""A petition case's steps (登记 → 分流 → 受理 → 延期 → 答复 → 复查 → 复核), one form each.

登记 is the case's registration. The unit the case is filed under routes it and names the
承办人 (a township's own cases, else the 信访办); the 承办人 or that unit extends and
answers; 复查 and 复核 are the 信访办's, taken when the petitioner asks for them.
"""

from __future__ import annotations

from django.db.models import Q

from zhujian.core.workflows import Handler, LineDepartment, RecordTownship, Step, Workflow, registry
from zhujian.domains.petitions.models import PetitionCase, Routing

UNIT = RecordTownship("登记单位")
HANDLER = Handler("承办人", field="handler", unit=RecordTownship("承办单位"))
OFFICE = LineDepartment("信访办")
ACCEPTED = Q(routing=Routing.ACCEPT)


def _accepted(case: PetitionCase) -> bool:
    return case.routing == Routing.ACCEPT


PETITION_WORKFLOW = registry.register(
    Workflow(
        model=PetitionCase,
        label="信访事项办理",
        steps=[
            # The model's rule: a case routed to 受理 carries its acceptance date, so 分流
            # records it; 受理 then names the 承办人 who handles the case.
            Step(
                "route",
                "分流",
                UNIT,
                done="notified_on",
                fields=("routing", "notified_on", "accepted_on"),
                due="notice_due_on",
                action="分流并书面告知",
            ),
            Step(
                "accept",
                "受理",
                UNIT,
                done="handler",
                fields=("handler",),
                when=ACCEPTED,
                when_obj=_accepted,
                action="受理并确定承办人",
            ),
            Step(
                "extend",
                "延期",
                HANDLER,
                done="extended_on",
                fields=("extension_days", "extension_reason", "extension_approver", "extended_on"),
                when=ACCEPTED,
                when_obj=_accepted,
                optional=True,
            ),
            Step(
                "reply",
                "答复",
                HANDLER,
                done="replied_on",
                fields=("replied_on", "outcome", "reply"),
                due="reply_due_on",
                when=ACCEPTED,
                when_obj=_accepted,
                action="出具书面答复",
            ),
            Step(
                "review",
                "复查",
                OFFICE,
                done="review_replied_on",
                fields=("review_requested_on", "review_replied_on", "review_outcome"),
                when=ACCEPTED,
                when_obj=_accepted,
                optional=True,
            ),
            Step(
                "recheck",
                "复核",
                OFFICE,
                done="recheck_replied_on",
                fields=("recheck_requested_on", "recheck_replied_on", "recheck_outcome"),
                when=ACCEPTED,
                when_obj=_accepted,
                optional=True,
            ),
        ],
        remind_days="ZHUJIAN_PETITION_REMIND_DAYS",
    )
)
