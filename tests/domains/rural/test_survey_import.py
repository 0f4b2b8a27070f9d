"""Importing the household toilet survey: all or nothing, every bad cell named, idempotent."""

from __future__ import annotations

import pytest

from tests.domains.rural.helpers import LEDGER, survey_row, write_survey
from zhujian.core.models import OrgUnit
from zhujian.core.registry import registry
from zhujian.domains.rural.models import ToiletHousehold
from zhujian.imports.engine import import_file

pytestmark = pytest.mark.django_db


def _village(township: OrgUnit) -> OrgUnit:
    return OrgUnit.objects.filter(parent=township, kind="village").order_by("code").first()


def test_a_file_with_bad_cells_imports_nothing_and_names_each_cell(tmp_path, town_a, town_b):
    own = _village(town_a.org_unit).code
    other = _village(town_b.org_unit).code
    rows = [
        survey_row(own, 1),
        survey_row(own, 2, **{"排查日期": "2022-13-45"}),
        survey_row(own, 3, **{"厕所类型": "坐便器"}),
        survey_row(own, 4, **{"户主身份证号（脱敏）": "371312198001011234"}),
        survey_row(other, 5),
        survey_row(own, 6, **{"问题数（处）": "两处"}),
    ]
    path = write_survey(tmp_path / "bad.xlsx", rows)
    before = ToiletHousehold.objects.count()

    result = import_file(registry.get(LEDGER), path, town_a)

    assert ToiletHousehold.objects.count() == before
    assert result.created == 0
    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (3, "排查日期"),
        (4, "厕所类型"),
        (5, "户主身份证号（脱敏）"),
        (6, "所属单位"),
        (7, "问题数（处）"),
    }
    by_row = {e.row: e for e in result.errors}
    assert by_row[3].value == "2022-13-45" and by_row[3].sheet == "数据"
    assert "完整身份证号" in by_row[5].reason
    assert "管辖范围" in by_row[6].reason


def test_reimporting_the_same_file_changes_nothing(tmp_path, admin_user):
    village = OrgUnit.objects.filter(kind="village").order_by("code").first().code
    path = write_survey(tmp_path / "ok.xlsx", [survey_row(village, n) for n in range(1, 6)])
    ledger = registry.get(LEDGER)
    first = import_file(ledger, path, admin_user)
    assert first.ok and first.created == 5
    history = ToiletHousehold.history.count()
    stamps = sorted(ToiletHousehold.objects.values_list("updated_at", flat=True))

    again = import_file(ledger, path, admin_user)

    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert ToiletHousehold.history.count() == history
    assert sorted(ToiletHousehold.objects.values_list("updated_at", flat=True)) == stamps


def test_changed_row_is_updated_with_one_history_row(tmp_path, admin_user):
    village = OrgUnit.objects.filter(kind="village").order_by("code").first().code
    ledger = registry.get(LEDGER)
    import_file(ledger, write_survey(tmp_path / "a.xlsx", [survey_row(village, 1)]), admin_user)
    history = ToiletHousehold.history.count()
    changed = survey_row(village, 1, **{"问题数（处）": 2, "主要问题类别": "设施损坏"})

    result = import_file(ledger, write_survey(tmp_path / "b.xlsx", [changed]), admin_user)

    assert (result.created, result.updated) == (0, 1)
    assert ToiletHousehold.history.count() == history + 1
    assert ToiletHousehold.objects.get(household_code=changed["户编号"]).problem_count == 2


def test_duplicate_household_code_in_one_file_is_a_bad_cell(tmp_path, admin_user):
    village = OrgUnit.objects.filter(kind="village").order_by("code").first().code
    rows = [survey_row(village, 1), survey_row(village, 1, **{"户主姓名": "另一户"})]
    result = import_file(registry.get(LEDGER), write_survey(tmp_path / "d.xlsx", rows), admin_user)
    assert not result.ok and result.errors[0].row == 3 and "重复" in result.errors[0].reason
