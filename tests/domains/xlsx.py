"""Writing a small import file under a ledger's template headers (domain rule tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

from zhujian.core.registry import registry
from zhujian.imports.columns import build_columns


def write_rows(path: Path, ledger: str, rows: list[dict[str, Any]]) -> Path:
    """An .xlsx with the ledger's headers; each row maps header → value."""
    headers = [c.header for c in build_columns(registry.get(ledger))]
    unknown = {h for row in rows for h in row} - set(headers)
    assert not unknown, f"not a header of {ledger}: {unknown}"
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    wb.save(path)
    return path
