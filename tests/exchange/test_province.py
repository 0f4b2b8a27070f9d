"""Adapter 2 against the fake provincial 建筑市场监管一体化平台 (TB* tables)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from zhujian.domains.construction.exchange import TARGET, regions
from zhujian.domains.construction.models import ConstructionProject, Participant
from zhujian.domains.construction.models.industry import Tender
from zhujian.exchange import engine
from zhujian.exchange.models import Outbox, Upload

pytestmark = pytest.mark.django_db


def _settle(shift_s: float = 0.0, runs: int = 20) -> None:
    offset = [dt.timedelta(0)]
    for _ in range(runs):
        offset[0] += dt.timedelta(seconds=shift_s)
        engine.run(TARGET, max_seconds=120, now=lambda: timezone.now() + offset[0])
        if not Outbox.objects.filter(target=TARGET, state__in=engine.ACTIVE).exists():
            return
    raise AssertionError("the queue did not settle")


def test_regions_are_six_digit_gbt_2260_codes() -> None:
    assert regions("430521101000") == {
        "ProvinceNum": "430000",
        "CityNum": "430500",
        "CountyNum": "430521",
    }


def test_full_send_province_assigns_project_numbers(province) -> None:
    _settle()
    projects = ConstructionProject.objects.count()
    assert len(province.rows["TBProjectInfo"]) == projects
    assert (
        len(province.rows["TBBuilderLicenceManage"])
        == ConstructionProject.objects.filter(permitted_on__isnull=False).count()
    )
    assert (
        len(province.rows["TBProjectFinishManage"])
        == ConstructionProject.objects.filter(completed_on__isnull=False).count()
    )
    assert len(province.rows["TBContractRecordManage"]) == Participant.objects.count()
    assert (
        len(province.rows["TBTenderInfo"])
        == Tender.objects.filter(project__isnull=False, awarded_on__isnull=False).count()
    )
    assert not Upload.objects.filter(target=TARGET).exclude(state=Upload.State.OK).exists()
    # the province's number is kept beside our key and written on every later row
    project = ConstructionProject.objects.filter(permitted_on__isnull=False).first()
    ctype = ContentType.objects.get_for_model(ConstructionProject)
    upload = Upload.objects.get(
        target=TARGET, kind="TBProjectInfo", content_type=ctype, object_id=project.pk
    )
    assert upload.upstream_id and upload.upstream["PrjNum"] == upload.upstream_id
    permit = province.rows["TBBuilderLicenceManage"][f"ZJ-TBBuilderLicenceManage-{project.pk}"]
    assert permit["PrjNum"] == upload.upstream_id and permit["UpdateFlag"] == "U"
    assert permit["AreaCode"] == project.org_unit.code[:6]
    assert province.duplicates() == []


def test_update_and_delete_flags(province) -> None:
    _settle()
    project = ConstructionProject.objects.filter(permitted_on__isnull=False).first()
    key = f"ZJ-TBProjectInfo-{project.pk}"
    number = province.rows["TBProjectInfo"][key]["PrjNum"]
    ConstructionProject.objects.filter(pk=project.pk).update(
        name="改名后的项目", updated_at=timezone.now()
    )
    part = Participant.objects.order_by("pk").first()
    part_key = f"ZJ-TBContractRecordManage-{part.pk}"
    assert part_key in province.rows["TBContractRecordManage"]
    Participant.objects.filter(pk=part.pk).delete()
    _settle()
    assert province.updates[("TBProjectInfo", key)] == 1
    assert province.rows["TBProjectInfo"][key]["PrjName"] == "改名后的项目"
    assert province.rows["TBProjectInfo"][key]["PrjNum"] == number  # the same number
    assert part_key not in province.rows["TBContractRecordManage"]
    assert province.deletes[("TBContractRecordManage", part_key)] == 1
    assert province.duplicates() == []


def test_refusal_and_outage_with_dropped_replies(province) -> None:
    project = ConstructionProject.objects.filter(completed_on__isnull=False).first()
    ConstructionProject.objects.filter(pk=project.pk).update(
        completed_on=dt.date.today() + dt.timedelta(days=30)
    )
    province.stop()
    engine.run(TARGET, max_seconds=30)
    province.start()
    province.fail_rate, province.drop_rate = 0.2, 0.2
    _settle(shift_s=3600, runs=40)
    ctype = ContentType.objects.get_for_model(ConstructionProject)
    refused = Upload.objects.get(
        target=TARGET, kind="TBProjectInfo", content_type=ctype, object_id=project.pk
    )
    assert refused.state == Upload.State.FAILED and "“计划竣工日期” 不能晚于今天" in refused.reason
    finish = Upload.objects.get(
        target=TARGET, kind="TBProjectFinishManage", content_type=ctype, object_id=project.pk
    )
    assert finish.state == Upload.State.FAILED and "尚未分配项目编号" in finish.reason
    others = Upload.objects.filter(target=TARGET, kind="TBProjectInfo").exclude(pk=refused.pk)
    assert not others.exclude(state=Upload.State.OK).exists()
    assert province.duplicates() == []
    assert Upload.objects.filter(target=TARGET, state=Upload.State.FAILED).count() >= 1
