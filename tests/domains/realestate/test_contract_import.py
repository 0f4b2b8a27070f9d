"""Importing a month of contracts from the housing-transaction system: idempotent by
contract number, all or nothing, errors by row and column."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.domains.realestate.helpers import LEDGER, contract_row, write_contracts
from zhujian.core.registry import registry
from zhujian.domains.realestate.models import DevelopmentProject, SalesContract
from zhujian.imports.engine import import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def project() -> DevelopmentProject:
    return DevelopmentProject.objects.filter(contracts__isnull=False).distinct().first()


@pytest.fixture
def editor(user):
    return user("fangchan")


def test_the_file_needs_no_unit_column_and_contracts_take_the_project_unit(
    tmp_path, project, editor
):
    from zhujian.imports.columns import build_columns

    assert "所属单位" not in [c.header for c in build_columns(registry.get(LEDGER))]
    path = write_contracts(tmp_path / "c.xlsx", [contract_row(project.code, n) for n in range(5)])
    result = import_file(registry.get(LEDGER), path, editor)
    assert result.ok and result.created == 5, [str(e) for e in result.errors]
    imported = SalesContract.objects.filter(contract_no__startswith="TEST-WQ-")
    assert set(imported.values_list("org_unit", flat=True)) == {project.org_unit_id}
    assert set(imported.values_list("state", flat=True)) == {"filed"}


def test_importing_the_same_file_twice_changes_nothing(tmp_path, project, editor):
    path = write_contracts(tmp_path / "c.xlsx", [contract_row(project.code, n) for n in range(5)])
    import_file(registry.get(LEDGER), path, editor)
    history = SalesContract.history.count()
    again = import_file(registry.get(LEDGER), path, editor)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert SalesContract.history.count() == history


def test_a_later_export_updates_the_state_of_the_same_contract(tmp_path, project, editor):
    row = contract_row(project.code, 1, **{"备案日期": None, "备案号": None})
    import_file(registry.get(LEDGER), write_contracts(tmp_path / "a.xlsx", [row]), editor)
    assert SalesContract.objects.get(contract_no=row["合同编号"]).state == "signed"
    filed = dict(row, **{"备案日期": dt.date(2022, 4, 20), "备案号": "BA-LATE-1"})
    result = import_file(
        registry.get(LEDGER), write_contracts(tmp_path / "b.xlsx", [filed]), editor
    )
    assert result.updated == 1
    contract = SalesContract.objects.get(contract_no=row["合同编号"])
    assert contract.state == "filed" and contract.filed_late


def test_one_bad_row_refuses_the_file_naming_row_and_column(tmp_path, project, editor):
    rows = [contract_row(project.code, n) for n in range(4)]
    rows[2]["备案日期"] = dt.date(2022, 2, 1)  # before the signing date
    rows[3]["买受人电话"] = "139****0003"  # a mask is not a phone number
    before = SalesContract.objects.count()
    result = import_file(registry.get(LEDGER), write_contracts(tmp_path / "bad.xlsx", rows), editor)
    assert not result.ok
    cells = {(e.row, e.column): e.reason for e in result.errors}
    assert "早于网签日期" in cells[(4, "备案日期")]
    assert "脱敏" in cells[(5, "买受人电话")]
    assert SalesContract.objects.count() == before


def test_an_unknown_project_is_reported(tmp_path, editor):
    path = write_contracts(tmp_path / "c.xlsx", [contract_row("NO-SUCH-PROJECT", 1)])
    result = import_file(registry.get(LEDGER), path, editor)
    assert [(e.row, e.column) for e in result.errors] == [(2, "开发项目")]


def test_a_township_user_cannot_import_contracts(tmp_path, project, town_a):
    path = write_contracts(tmp_path / "c.xlsx", [contract_row(project.code, 1)])
    result = import_file(registry.get(LEDGER), path, town_a)
    assert not result.ok and "权限" in result.errors[0].column
