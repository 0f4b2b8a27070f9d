"""The hazard loop as a workflow: the line's department issues the notice, the township
the hazard lies in rectifies, the department accepts; the rectifier never accepts."""

from __future__ import annotations

from django.urls import reverse

from zhujian.core.workflows import LineDepartment, RecordTownship, Step, Workflow, registry
from zhujian.hazards.models import Hazard

HAZARD_WORKFLOW = registry.register(
    Workflow(
        model=Hazard,
        label="隐患闭环",
        line_field="line",
        steps=[
            Step(
                "notice",
                "下达整改通知",
                LineDepartment("下达股室"),
                done="notice_issued_on",
                fields=("notice_number", "notice_issued_on", "notice_deadline"),
            ),
            Step(
                "rectify",
                "整改",
                RecordTownship("整改责任单位"),
                done="rectified_on",
                fields=("rectified_on", "rectification_evidence", "evidence_file"),
                due="notice_deadline",
                action="整改并上传佐证",
            ),
            Step(
                "verify",
                "验收销号",
                LineDepartment("验收股室"),
                done="verified_on",
                fields=("verified_on", "verified_by"),
                due="notice_deadline",
            ),
        ],
        separate=[("rectify", "verify")],
        remind_days="ZHUJIAN_HAZARD_REMIND_DAYS",
        page=lambda hazard: reverse("hazards:detail", args=[hazard.pk]),
    )
)
