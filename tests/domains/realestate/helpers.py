"""Small contract files under the ledger's template headers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from zhujian.core.personal import id_check_digit
from zhujian.core.registry import registry
from zhujian.imports.columns import build_columns

LEDGER = "realestate_salescontract"


def id_number(n: int) -> str:
    first17 = f"37139919850101{n % 1000:03d}"
    return first17 + id_check_digit(first17)


def contract_row(project_code: str, n: int, **overrides: Any) -> dict[str, Any]:
    row = {
        "合同编号": f"TEST-WQ-{n:05d}",
        "开发项目": project_code,
        "楼栋": "3#",
        "房号": f"1-{n % 30 + 1}01",
        "房屋用途": "住宅",
        "建筑面积（平方米）": 118.5,
        "合同总价（元）": 711000,
        "买受人": f"测试买受人{n}",
        "买受人电话": f"139{n:08d}",
        "买受人身份证号": id_number(n),
        "网签日期": dt.date(2022, 3, 1),
        "备案日期": dt.date(2022, 3, 10),
        "备案号": f"TEST-BA-{n:05d}",
    }
    row.update(overrides)
    return row


def write_contracts(path: Path, rows: list[dict[str, Any]]) -> Path:
    headers = [c.header for c in build_columns(registry.get(LEDGER))]
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    wb.save(path)
    return path
