"""Build import files for tests: rows by column header, and raw edits of the sheet XML."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from zhujian.core.registry import Ledger, registry
from zhujian.imports.columns import build_columns
from zhujian.imports.excel import export_rows


def write_rows(path: Path, ledger: Ledger, rows: Iterable[dict[str, Any]]) -> Path:
    """An import file for ``ledger`` whose rows give values by column header."""
    headers = [c.header for c in build_columns(ledger)]
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(headers)
    for row in rows:
        unknown = set(row) - set(headers)
        assert not unknown, f"no such columns: {unknown}"
        ws.append([row.get(h) for h in headers])
    wb.save(path)
    return path


def exported(path: Path, ledger_name: str, queryset: Any) -> Path:
    export_rows(registry.get(ledger_name), queryset, path)
    return path


def rewrite_sheet(path: Path, out: Path, edit: Callable[[str], str]) -> Path:
    """Copy an .xlsx, passing its first worksheet's XML through ``edit``."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()
            dst.writestr(name, data)
    return out
