"""The escrow cap holds across the rows of one imported file, not only row by row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook

from zhujian.core.registry import registry
from zhujian.domains.realestate.models import (
    DevelopmentProject,
    EscrowAccount,
    EscrowDeposit,
    EscrowRelease,
)
from zhujian.imports.columns import build_columns
from zhujian.imports.engine import import_file

pytestmark = pytest.mark.django_db
LEDGER = registry.get("realestate_escrowrelease")


@pytest.fixture
def account() -> EscrowAccount:
    project = DevelopmentProject.objects.order_by("pk").first()
    account = EscrowAccount.objects.create(
        project=project,
        org_unit=project.org_unit,
        account_no="TEST-ESCROW-IMPORT",
        bank="测试银行",
        opened_on=dt.date(2022, 1, 1),
    )
    EscrowDeposit.objects.create(
        account=account,
        org_unit=project.org_unit,
        voucher_no="TEST-RZ-IMPORT",
        deposited_on=dt.date(2022, 1, 10),
        amount=Decimal("1000000.00"),
    )
    return account


def _file(path, account: EscrowAccount, amounts: list[str]):
    headers = [c.header for c in build_columns(LEDGER)]
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(headers)
    for i, amount in enumerate(amounts, start=1):
        row = {
            "所属单位": account.org_unit.code,
            "拨付凭证号": f"TEST-BF-IMPORT-{i}",
            "监管账户": account.account_no,
            "拨付日期": dt.date(2022, 2, i),
            "拨付金额（元）": amount,
            "用途": "工程进度款",
            "收款单位": "测试建筑公司",
            "审核人": "张三",
        }
        ws.append([row.get(h) for h in headers])
    wb.save(path)
    return path


def test_two_releases_within_the_cap_together_are_imported(tmp_path, account, user):
    path = _file(tmp_path / "ok.xlsx", account, ["200000", "300000"])
    result = import_file(LEDGER, path, user("fangchan"))
    assert result.ok and result.created == 2, [str(e) for e in result.errors]


def test_releases_passing_the_cap_together_refuse_the_file(tmp_path, account, user):
    path = _file(tmp_path / "over.xlsx", account, ["300000", "300000"])
    result = import_file(LEDGER, path, user("fangchan"))
    assert [(e.row, e.column) for e in result.errors] == [(3, "拨付金额（元）")]
    assert "主体结构验收前" in result.errors[0].reason and "第十一条" in result.errors[0].reason
    assert not EscrowRelease.objects.filter(account=account).exists()
