"""A filled return as the official layout in xlsx (through :func:`zhujian.core.xlsx.workbook`)
and as HTML where every cell links to the records behind it."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from zhujian.core import xlsx
from zhujian.figures.catalog import county_name
from zhujian.statistics.compute import Column, Filled
from zhujian.statistics.tables import Row

AUTHORITY = ("制定机关：住房和城乡建设部", "批准机关：国家统计局")
SIGNERS = "单位负责人：          统计负责人：          填表人：          报出日期：    年  月  日"


def filer() -> str:
    """The filing unit as printed on the form: the county's bureau."""
    return f"{county_name(None) or ''}住房和城乡建设局"


def cell_url(filled: Filled, column: Column, figure: str) -> str:
    query = {"year": filled.year, "scope": filled.scope, "col": column.key, "figure": figure}
    return f"{reverse('statistics:cell')}?{urlencode(query)}"


def to_xlsx(filled: Filled) -> bytes:
    wb = xlsx.workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    for table in filled.tables:
        ws = wb.create_sheet(table.number)
        width = 3 + len(filled.columns)
        xlsx.put(ws, 1, 1, table.title).font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.cell(1, 1).alignment = Alignment(horizontal="center")
        xlsx.put(ws, 2, 1, f"表    号：{table.number}")
        xlsx.put(ws, 3, 1, AUTHORITY[0])
        xlsx.put(ws, 4, 1, AUTHORITY[1])
        xlsx.put(ws, 5, 1, f"填报单位：{filer()}")
        xlsx.put(ws, 5, width, f"{filled.year}年")
        head = 7
        headers = ["指标名称", "代码", "计量单位", *[c.label for c in filled.columns]]
        for j, text in enumerate(headers, start=1):
            cell = xlsx.put(ws, head, j, text)
            cell.font, cell.border = bold, box
            cell.alignment = Alignment(horizontal="center")
        xlsx.put(ws, head + 1, 1, "甲").border = box
        xlsx.put(ws, head + 1, 2, "乙").border = box
        xlsx.put(ws, head + 1, 3, "丙").border = box
        for j in range(len(filled.columns)):
            xlsx.put(ws, head + 1, 4 + j, j + 1).border = box
        for i, row in enumerate(table.rows, start=head + 2):
            xlsx.put(ws, i, 1, ("    " if row.indent else "") + row.label).border = box
            xlsx.put(ws, i, 2, row.code).border = box
            xlsx.put(ws, i, 3, row.unit).border = box
            for j, column in enumerate(filled.columns, start=4):
                cell = xlsx.put(ws, i, j, filled.number(column, row))
                cell.border = box
                cell.number_format = "0" if row.decimals == 0 else "0." + "0" * row.decimals
        end = head + 2 + len(table.rows)
        if table.note:
            xlsx.put(ws, end + 1, 1, f"说明：{table.note}")
        xlsx.put(ws, end + 2, 1, SIGNERS)
        ws.column_dimensions["A"].width = 30
        ws.column_dimensions["C"].width = 16
        for j in range(len(filled.columns)):
            ws.column_dimensions[get_column_letter(4 + j)].width = 12
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rows_for_html(filled: Filled) -> list[dict]:
    """The tables with each cell's text and drill-down link, for the templates."""
    out = []
    for table in filled.tables:
        rows = []
        for row in table.rows:
            rows.append(
                {
                    "row": row,
                    "cells": [_cell(filled, column, row) for column in filled.columns],
                }
            )
        out.append({"table": table, "rows": rows})
    return out


def _cell(filled: Filled, column: Column, row: Row) -> dict:
    if row.figure is None:
        return {"text": "", "url": "", "missing": row.missing}
    return {
        "text": filled.text(column, row) or "【缺】",
        "url": cell_url(filled, column, row.figure),
        "missing": "",
    }


def to_html(filled: Filled, findings: list | None = None) -> bytes:
    context = {
        "filled": filled,
        "tables": rows_for_html(filled),
        "filer": filer(),
        "authority": AUTHORITY,
        "findings": findings,
    }
    return render_to_string("statistics/return_document.html", context).encode("utf-8")


RENDERERS = {"xlsx": to_xlsx, "html": to_html}
