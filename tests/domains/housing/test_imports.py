"""Bad rows in an Excel import get a Chinese error naming the row and the column, and
nothing of the file is written."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from zhujian.core.registry import registry
from zhujian.domains.housing.models import (
    DemolitionArea,
    DemolitionHousehold,
    EligibilityReview,
    ShantytownProject,
)
from zhujian.imports.engine import import_file
from zhujian.imports.excel import export_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(user):
    return user("zhubao")


def _export(tmp_path, ledger_name: str, qs):
    ledger = registry.get(ledger_name)
    path = tmp_path / f"{ledger_name}.xlsx"
    export_rows(ledger, qs, path)
    return ledger, path


def _edit(path, row: int, **cells) -> None:
    wb = load_workbook(path)
    ws = wb["数据"]
    headers = [c.value for c in ws[1]]
    for header, value in cells.items():
        ws.cell(row=row, column=headers.index(header) + 1).value = value
    wb.save(path)


def _history_count(model) -> int:
    return model.history.count()


def test_a_household_put_in_a_second_area_is_refused(tmp_path, staff):
    # (Household codes are unique per township, core.codes: in another township's area the
    # same code is another household.)
    household = next(
        h
        for h in DemolitionHousehold.objects.filter(tail_listed_on__isnull=False)
        if DemolitionArea.objects.filter(township=h.township).exclude(pk=h.area_id).exists()
    )
    other = (
        DemolitionArea.objects.filter(township=household.township)
        .exclude(pk=household.area_id)
        .first()
    )
    ledger, path = _export(
        tmp_path, "housing_demolitionhousehold", DemolitionHousehold.objects.filter(pk=household.pk)
    )
    _edit(path, 2, 拆迁片区=other.code)
    history = _history_count(DemolitionHousehold)
    result = import_file(ledger, path, staff)
    assert [(e.row, e.column) for e in result.errors] == [(2, "拆迁片区")]
    assert "不能同时属于两个片区" in result.errors[0].reason
    assert DemolitionHousehold.objects.get(pk=household.pk).area_id == household.area_id
    assert _history_count(DemolitionHousehold) == history


def test_one_household_listed_under_two_areas_in_one_file_is_refused(tmp_path, staff):
    rows = DemolitionHousehold.objects.order_by("pk")[:2]
    ledger, path = _export(tmp_path, "housing_demolitionhousehold", rows)
    first_code = rows[0].household_code
    other_area = (  # of the same township: codes are unique per township (core.codes)
        DemolitionArea.objects.filter(township=rows[0].township).exclude(pk=rows[0].area_id).first()
    )
    _edit(path, 2, 户编号="NEW-0001")
    _edit(path, 3, 户编号="NEW-0001", 拆迁片区=other_area.code)
    before = DemolitionHousehold.objects.count()
    result = import_file(ledger, path, staff)
    assert [(e.row, e.column) for e in result.errors] == [(3, "户编号")]
    assert "与第2行重复" in result.errors[0].reason
    assert DemolitionHousehold.objects.count() == before
    assert DemolitionHousehold.objects.filter(household_code=first_code).exists()


def test_a_demolition_dated_before_its_agreement_is_refused(tmp_path, staff):
    household = DemolitionHousehold.objects.filter(demolished_on__isnull=False).exclude(
        agreement_signed_on=None
    )[0]
    ledger, path = _export(
        tmp_path, "housing_demolitionhousehold", DemolitionHousehold.objects.filter(pk=household.pk)
    )
    _edit(path, 2, 拆除日期=household.agreement_signed_on - dt.timedelta(days=1))
    history = _history_count(DemolitionHousehold)
    result = import_file(ledger, path, staff)
    assert [(e.row, e.column) for e in result.errors] == [(2, "拆除日期")]
    assert "拆除日期不能早于签订协议日期" in result.errors[0].reason
    assert DemolitionHousehold.objects.get(pk=household.pk).demolished_on == household.demolished_on
    assert _history_count(DemolitionHousehold) == history


def test_a_shantytown_project_in_two_stages_is_refused(tmp_path, staff):
    project = ShantytownProject.objects.filter(accepted_on__isnull=False).first()
    ledger, path = _export(
        tmp_path, "housing_shantytownproject", ShantytownProject.objects.filter(pk=project.pk)
    )
    _edit(path, 2, 停工日期=project.accepted_on + dt.timedelta(days=10), 停工原因="拆迁未完成")
    history = _history_count(ShantytownProject)
    result = import_file(ledger, path, staff)
    assert [(e.row, e.column) for e in result.errors] == [(2, "停工日期")]
    assert "不能同时处于“停工”和“综合验收完成”两个阶段" in result.errors[0].reason
    assert ShantytownProject.objects.get(pk=project.pk).stopped_on is None
    assert _history_count(ShantytownProject) == history


def test_a_file_with_one_project_in_two_stages_writes_none_of_its_rows(tmp_path, staff):
    projects = ShantytownProject.objects.filter(
        structure_on__isnull=False, accepted_on__isnull=True, stopped_on__isnull=True
    ).order_by("pk")[:2]
    ledger, path = _export(tmp_path, "housing_shantytownproject", projects)
    _edit(path, 2, 项目编号="NEW-PG-1")  # a good new row …
    _edit(  # … and a bad one: stopped before its 主体施工 began, never resumed
        path,
        3,
        项目编号="NEW-PG-2",
        停工日期=projects[1].foundation_on + dt.timedelta(days=1),
        停工原因="拆迁未完成",
    )
    before = ShantytownProject.objects.count()
    result = import_file(ledger, path, staff)
    assert [(e.row, e.column) for e in result.errors] == [(3, "停工日期")]
    assert "两个阶段" in result.errors[0].reason
    assert ShantytownProject.objects.count() == before


def test_a_recheck_before_the_lease_began_is_refused(tmp_path, staff):
    review = EligibilityReview.objects.filter(tenancy__lease_start__year=2022).first()
    ledger, path = _export(
        tmp_path, "housing_eligibilityreview", EligibilityReview.objects.filter(pk=review.pk)
    )
    _edit(path, 2, 复查日期=review.tenancy.lease_start - dt.timedelta(days=1))
    history = _history_count(EligibilityReview)
    result = import_file(ledger, path, staff)
    assert [(e.row, e.column) for e in result.errors] == [(2, "复查日期")]
    assert "不能早于租赁起始日期" in result.errors[0].reason
    assert EligibilityReview.objects.get(pk=review.pk).reviewed_on == review.reviewed_on
    assert _history_count(EligibilityReview) == history
