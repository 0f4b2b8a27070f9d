"""The stage rules hold for Excel imports too (they live in Model.clean).

A blank cell leaves a stored value as it is (the engine's rule), so moving a case back is
done through the form or the API; see tests/core/test_stages.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from zhujian.core.registry import registry
from zhujian.domains.rural.models import DilapidatedHousing
from zhujian.imports.engine import import_file
from zhujian.imports.excel import export_rows

pytestmark = pytest.mark.django_db
LEDGER = "rural_dilapidatedhousing"


def _exported_case(tmp_path):
    ledger = registry.get(LEDGER)
    case = DilapidatedHousing.objects.filter(completed_on__isnull=False).order_by("pk").first()
    path = tmp_path / "case.xlsx"
    export_rows(ledger, DilapidatedHousing.objects.filter(pk=case.pk), path)
    return ledger, case, path


def _set(path, header: str, value) -> None:
    wb = load_workbook(path)
    ws = wb["数据"]
    col = [c.value for c in ws[1]].index(header) + 1
    ws.cell(row=2, column=col).value = value  # (cell(..., value=None) would not clear it)
    wb.save(path)


def test_import_of_a_new_case_skipping_a_stage_is_refused(tmp_path, admin_user):
    ledger, _case, path = _exported_case(tmp_path)
    _set(path, "危改编号", "WG-NEW-0001")
    _set(path, "审批日期", None)
    before = DilapidatedHousing.objects.count()
    result = import_file(ledger, path, admin_user)
    assert not result.ok and "开工日期" in {e.column for e in result.errors}
    assert DilapidatedHousing.objects.count() == before


def test_import_putting_a_stage_before_the_previous_one_is_refused(tmp_path, admin_user):
    ledger, case, path = _exported_case(tmp_path)
    _set(path, "竣工日期", case.started_on - dt.timedelta(days=1))
    result = import_file(ledger, path, admin_user)
    assert not result.ok and {e.column for e in result.errors} == {"竣工日期"}
    assert DilapidatedHousing.objects.get(pk=case.pk).completed_on == case.completed_on
