"""Who does each stage of a self-built house's check and of a dilapidated house's
renovation: the township in the field, the 村镇建设股 for appraisal, approval, acceptance
and payment; the account that reports completion never accepts it."""

from __future__ import annotations

from django.db.models import Q

from zhujian.core.workflows import LineDepartment, RecordTownship, Step, Workflow, registry
from zhujian.domains.rural.models import DilapidatedHousing, SelfBuiltHouse

TOWNSHIP = RecordTownship("属地乡镇")
DEPARTMENT = LineDepartment("村镇建设股室")

SELFBUILT_WORKFLOW = registry.register(
    Workflow(
        model=SelfBuiltHouse,
        label="经营性自建房排查整治",
        # 排查 is the record's registration (its date is required): the steps follow it.
        steps=[
            Step("judged", "初判", TOWNSHIP, done="judged_on", fields=("judged_on", "hazard")),
            # Only houses the 初判 found hazardous go on to appraisal and rectification.
            Step(
                "appraised",
                "鉴定",
                DEPARTMENT,
                done="appraised_on",
                fields=("appraised_on", "grade"),
                when=Q(hazard=True),
                when_obj=lambda house: house.hazard,
            ),
            Step(
                "rectified",
                "整治",
                TOWNSHIP,
                done="rectified_on",
                fields=("rectified_on", "measure"),
                when=Q(hazard=True),
                when_obj=lambda house: house.hazard,
            ),
        ],
        remind_days="ZHUJIAN_STAGE_REMIND_DAYS",
    )
)

DILAPIDATED_WORKFLOW = registry.register(
    Workflow(
        model=DilapidatedHousing,
        label="农村危房改造",
        steps=[
            Step("applied", "农户申请", TOWNSHIP, done="applied_on", action="受理农户申请"),
            Step(
                "appraised",
                "危房鉴定",
                TOWNSHIP,
                done="appraised_on",
                fields=("appraised_on", "appraisal_grade"),
            ),
            Step("approved", "审核审批", DEPARTMENT, done="approved_on"),
            Step("started", "开工建设", TOWNSHIP, done="started_on"),
            Step("completed", "竣工", TOWNSHIP, done="completed_on"),
            Step("accepted", "竣工验收", DEPARTMENT, done="accepted_on"),
            Step(
                "paid",
                "资金拨付",
                DEPARTMENT,
                done="paid_on",
                fields=("paid_on", "subsidy", "channel"),
            ),
        ],
        separate=[("completed", "accepted")],
        remind_days="ZHUJIAN_STAGE_REMIND_DAYS",
    )
)
