"""Rules of the hazard model: step order, deadline after finding, no closing without evidence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhujian.hazards.models import Hazard, HazardStatus

pytestmark = pytest.mark.django_db

D = dt.date


def make(**kw) -> Hazard:
    from zhujian.core.models import OrgUnit

    fields = {
        "org_unit": OrgUnit.objects.get(name="城关街道"),
        "line": "gas",
        "source": "手工登记",
        "category": "equipment",
        "description": "调压箱锈蚀",
        "found_on": D(2022, 3, 1),
    }
    fields.update(kw)
    return Hazard(**fields)


def errors(hazard: Hazard) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        hazard.full_clean()
    return exc.value.message_dict


def test_notice_deadline_must_be_after_found_on():
    hazard = make(
        notice_number="燃整改1", notice_issued_on=D(2022, 3, 1), notice_deadline=D(2022, 3, 1)
    )
    assert errors(hazard)["notice_deadline"] == ["整改期限必须晚于隐患发现日期"]


def test_notice_needs_number_date_and_deadline_together():
    hazard = make(notice_number="燃整改1")
    assert "notice_number" in errors(hazard)


def test_cannot_rectify_without_a_notice():
    hazard = make(rectified_on=D(2022, 3, 5), rectification_evidence="已更换")
    assert errors(hazard)["rectified_on"] == ["尚未下达整改通知，不能登记整改完成"]


def test_cannot_close_without_rectification_evidence():
    hazard = make(
        notice_number="燃整改1",
        notice_issued_on=D(2022, 3, 1),
        notice_deadline=D(2022, 3, 15),
        rectified_on=D(2022, 3, 10),
        verified_on=D(2022, 3, 12),
        verified_by="张伟",
    )
    assert errors(hazard)["rectification_evidence"] == ["没有整改佐证材料，隐患不能销号"]


def test_cannot_close_before_rectified():
    hazard = make(verified_on=D(2022, 3, 12), verified_by="张伟", rectification_evidence="x")
    assert errors(hazard)["verified_on"] == ["尚未整改完成，不能验收销号"]


def test_status_follows_the_step_dates_and_a_code_is_assigned():
    hazard = make()
    hazard.save()
    assert hazard.status == HazardStatus.FOUND and hazard.code.startswith("YH20220301-")
    hazard.notice_number, hazard.notice_issued_on = "燃整改1", D(2022, 3, 2)
    hazard.notice_deadline = D(2022, 3, 9)
    hazard.save()
    assert hazard.status == HazardStatus.NOTIFIED


def test_overdue_means_past_deadline_and_not_closed():
    hazard = make(
        notice_number="燃整改1", notice_issued_on=D(2022, 3, 1), notice_deadline=D(2022, 3, 9)
    )
    hazard.save()
    assert Hazard.objects.overdue(D(2022, 3, 10)).filter(pk=hazard.pk).exists()
    assert not Hazard.objects.overdue(D(2022, 3, 9)).filter(pk=hazard.pk).exists()
    hazard.rectified_on, hazard.rectification_evidence = D(2022, 3, 12), "已整改"
    hazard.verified_on, hazard.verified_by = D(2022, 3, 13), "张伟"
    hazard.save()
    assert not Hazard.objects.overdue(D(2022, 3, 20)).filter(pk=hazard.pk).exists()
    assert Hazard.objects.overdue(D(2022, 3, 12)).filter(pk=hazard.pk).exists()
