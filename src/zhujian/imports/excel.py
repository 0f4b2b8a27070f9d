"""Excel templates, exports and error reports for any registered ledger (openpyxl)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from django.db import models
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from zhujian.core import audit, codes, personal, scope, xlsx
from zhujian.core.models import OrgUnit, User
from zhujian.core.registry import Ledger
from zhujian.imports.columns import Column, build_columns
from zhujian.imports.engine import DATA_SHEET, BadCell

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FONT = Font(bold=True)
MAX_TEMPLATE_ROWS = 300_000


def write_template(ledger: Ledger, user: User, out: str | Path | IO[bytes]) -> None:
    """A blank workbook to fill in: headers, drop-down lists, instructions, unit codes."""
    units = list(scope.org_units_for(user, "add").order_by("path"))
    columns = build_columns(ledger)
    wb = xlsx.workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    lists = wb.create_sheet("选项")
    _write_header(ws, columns)
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        choices = col.choices
        if col.field_name == "org_unit" or ledger.field(col.field_name).related_model is OrgUnit:
            choices = [u.code for u in units]
        if choices:
            for r, label in enumerate(choices, start=1):
                xlsx.put(lists, r, i, label)
            ref = f"{quote_sheetname(lists.title)}!${letter}$1:${letter}${len(choices)}"
            dv = DataValidation(
                type="list",
                formula1=ref,
                allow_blank=not col.required,
                showErrorMessage=True,
                errorTitle="输入无效",
                error=f"“{col.header}”请从下拉列表中选择",
            )
            dv.add(f"{letter}2:{letter}{MAX_TEMPLATE_ROWS}")
            ws.add_data_validation(dv)
        if col.number_format:
            for row in range(2, 200):
                ws.cell(row=row, column=i).number_format = col.number_format
    lists.sheet_state = "hidden"
    _write_instructions(wb.create_sheet("填表说明"), ledger, columns)
    codes = wb.create_sheet("单位代码")
    codes.append(["代码", "名称", "类别", "上级"])
    by_pk = {u.pk: u for u in units}
    for u in units:
        parent = by_pk.get(u.parent_id)
        codes.append(
            xlsx.row(codes, [u.code, u.name, u.get_kind_display(), parent.name if parent else ""])
        )
    codes.column_dimensions["A"].width = 16
    codes.column_dimensions["B"].width = 20
    wb.save(out)


def _write_header(ws: Any, columns: list[Column]) -> None:
    for i, col in enumerate(columns, start=1):
        cell = xlsx.put(ws, 1, i, col.header)
        cell.font = REQUIRED_FONT if col.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = max(12, len(col.header) * 2 + 4)
    ws.freeze_panes = "A2"


def _write_instructions(ws: Any, ledger: Ledger, columns: list[Column]) -> None:
    ws.append([f"{ledger.label}（{ledger.line_label}）导入模板 填表说明"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["1. 在“数据”工作表第2行起逐行填写，每行一条记录；不要修改表头。"])
    ws.append(["2. 红色表头为必填列。带下拉列表的列请从列表中选择。日期写成 2022-05-01。"])
    ws.append(
        [
            f"3. 以“{'、'.join(ledger.field_label(k) for k in codes.key_fields(ledger))}”"
            f"{'（在记录所属乡镇内）' if ledger.township_codes else ''}识别同一条记录："
            "已存在则更新，不存在则新增；同一文件重复导入不会产生重复记录。"
        ]
    )
    ws.append(["4. 文件中任何一处错误都会使整个文件不被导入，并给出错误清单（行、列、值、原因）。"])
    ws.append(["5. “单位代码”工作表列出您可以填报的单位。"])
    ws.append([])
    ws.append(["列名", "是否必填", "填写要求", "可选值"])
    for cell in ws[ws.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for col in columns:
        ws.append(
            xlsx.row(
                ws,
                [col.header, "必填" if col.required else "选填", col.hint, "、".join(col.choices)],
            )
        )
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["C"].width = 44
    ws.column_dimensions["D"].width = 60


def export_rows(
    ledger: Ledger,
    queryset: models.QuerySet,
    out: str | Path | IO[bytes],
    *,
    viewer: personal.Viewer | None = None,
    unmask: bool = False,
) -> int:
    """Write ``queryset`` (already scoped) in the template's layout; returns the row count.

    With a ``viewer`` (every export a user asks for), personal fields are masked, except,
    when ``unmask``, those of the records the viewer may reveal, which are written in full
    and recorded (``core.personal``). Without one (internal callers), values are as stored.
    """
    columns = build_columns(ledger)
    secret = set(personal.personal_fields(ledger)) if viewer is not None else set()
    revealed: set[Any] = set()
    if secret and unmask:
        revealed = set(
            scope.revealable(viewer.user, ledger, queryset.order_by()).values_list("pk", flat=True)
        )
    shown: list[models.Model] = []
    wb = xlsx.workbook(write_only=True)
    ws = wb.create_sheet(DATA_SHEET)
    header = []
    for col in columns:
        cell = xlsx.protect(WriteOnlyCell(ws, value=col.header))
        cell.font = REQUIRED_FONT if col.required else HEADER_FONT
        cell.fill = HEADER_FILL
        header.append(cell)
    ws.append(header)
    related = [c.field_name for c in columns if ledger.field(c.field_name).is_relation]
    count = 0
    for obj in queryset.select_related(*related).iterator(chunk_size=2000):
        row = []
        full = obj.pk in revealed
        if full:
            shown.append(obj)
            if len(shown) >= 2000:
                personal.record(viewer, ledger, shown)
                shown = []
        for col in columns:
            raw = getattr(obj, col.field_name)
            if col.field_name in secret and not full:
                raw = personal.mask(ledger, col.field_name, raw)
            value = col.format(raw)
            if col.number_format and value is not None:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = col.number_format
                value = cell
            else:
                value = xlsx.value(ws, value)  # text is never written as a formula
            row.append(value)
        ws.append(row)
        count += 1
    if shown:
        personal.record(viewer, ledger, shown)
    wb.save(out)
    if viewer is not None:
        full = "，含完整个人信息" if revealed else ""
        audit.record(
            audit.Kind.EXPORT,
            f"导出{ledger.label} {count} 条（{personal.Source(viewer.source).label}{full}）",
            user=viewer.user,
            ip=viewer.ip,
            ledger=ledger.name,
        )
    return count


def write_error_report(errors: Iterable[BadCell], out: str | Path | IO[bytes]) -> None:
    wb = xlsx.workbook(write_only=True)
    ws = wb.create_sheet("错误清单")
    ws.append(["工作表", "行号", "列名", "单元格的值", "错误原因"])
    for e in errors:
        ws.append(
            xlsx.row(
                ws,
                [e.sheet, e.row or "", e.column, "" if e.value is None else str(e.value), e.reason],
            )
        )
    wb.save(out)
