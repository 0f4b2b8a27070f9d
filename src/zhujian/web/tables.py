"""A page's table as an Excel file for reading: the overdue lists and figure drill-downs
offer "导出 Excel" with the same rows the page lists (and its 合计 row).

Text cells are text (``@``: a 16-digit code stays a code), numbers carry thousands
separators, dates read as dates, the header is frozen and columns are as wide as their
content. Written through :func:`zhujian.core.xlsx.workbook`, so no cell becomes a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from zhujian.core import xlsx

MAX_ROWS = 10_000  # a page's export; larger sets go through the ledger's own export job


def _width(value: Any) -> int:
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)  # CJK counts double


def workbook_bytes(
    title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], total: Sequence[Any] = ()
) -> BytesIO:
    wb = xlsx.workbook()
    ws = wb.active
    ws.title = title[:31] or "清单"
    bold = Font(bold=True)
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="EEF2F7")
    widths = [_width(h) for h in headers]
    count = 0
    for values in rows:
        count += 1
        if count > MAX_ROWS:
            break
        _append(ws, values, widths)
    if total:
        _append(ws, total, widths)
        for cell in ws[ws.max_row]:
            cell.font = bold
    ws.freeze_panes = "A2"
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(w + 2, 8), 60)
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def _append(ws: Any, values: Sequence[Any], widths: list[int]) -> None:
    cleaned = []
    for v in values:
        if isinstance(v, dt.datetime) and timezone.is_aware(v):
            v = timezone.localtime(v).replace(tzinfo=None)
        elif v is not None and not isinstance(v, (int, float, Decimal, dt.date, str)):
            v = str(v)
        cleaned.append(v)
    ws.append(cleaned)
    for i, cell in enumerate(ws[ws.max_row]):
        v = cleaned[i] if i < len(cleaned) else None
        if isinstance(v, str):
            cell.number_format = "@"
        elif isinstance(v, bool):
            pass
        elif isinstance(v, int):
            cell.number_format = "#,##0"
        elif isinstance(v, (float, Decimal)):
            cell.number_format = "#,##0.00"
        elif isinstance(v, dt.date):
            cell.number_format = "yyyy-mm-dd"
        if i < len(widths):
            widths[i] = max(widths[i], _width(v if v is not None else ""))
        else:
            widths.append(_width(v if v is not None else ""))


def response(
    filename: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    total: Sequence[Any] = (),
) -> FileResponse:
    return FileResponse(
        workbook_bytes(title, headers, rows, total),
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
