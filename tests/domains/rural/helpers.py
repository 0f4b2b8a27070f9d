"""Writing small survey files under the ledger's template headers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from zhujian.core.registry import registry
from zhujian.imports.columns import build_columns

LEDGER = "rural_toilethousehold"


def survey_row(village_code: str, n: int, **overrides: Any) -> dict[str, Any]:
    row = {
        "所属单位": village_code,
        "户编号": f"{village_code}{9000 + n:04d}",
        "户主姓名": f"测试户{n}",
        "户主身份证号（脱敏）": "3713**********1234",
        "排查日期": dt.date(2022, 3, 1),
        "已改厕": "是",
        "厕所类型": "三格化粪池式",
        "问题数（处）": 0,
        "有改造意愿": "否",
    }
    row.update(overrides)
    return row


def write_survey(path: Path, rows: list[dict[str, Any]]) -> Path:
    headers = [c.header for c in build_columns(registry.get(LEDGER))]
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    wb.save(path)
    return path
